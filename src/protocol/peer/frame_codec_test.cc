// EncodeFrame and FrameDecoder against docs/peer-protocol.md §2-3 and §7. Every decode goes
// through DecodeEverySplit: the stream whole, one byte at a time, and cut in two at every
// byte boundary, each piece in its own heap copy; all runs must agree.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "protocol/peer/frame_decoder.h"
#include "protocol/peer/frame_encoder.h"
#include "protocol/peer/wire.h"

namespace shoal::peer {
namespace {

constexpr DecoderLimits kOpenLimits{kFrameVersion, kMinPayloadLimit};

struct Decoded {
  std::vector<Frame> frames;
  DecodeError error = DecodeError::kNone;
  bool mid_frame = false;

  bool operator==(const Decoded&) const = default;
};

Decoded DecodePieces(std::string_view stream, const std::vector<size_t>& cuts,
                     DecoderLimits limits) {
  FrameDecoder decoder(limits);
  Decoded out;
  size_t start = 0;
  for (size_t i = 0; i <= cuts.size(); i++) {
    const size_t end = i < cuts.size() ? cuts[i] : stream.size();
    const size_t len = end - start;
    std::unique_ptr<char[]> copy(new char[len]);
    std::copy(stream.data() + start, stream.data() + end, copy.get());
    std::string_view piece(copy.get(), len);
    start = end;
    while (!piece.empty()) {
      Result<FrameDecoder::Output> r = decoder.Decode(piece);
      if (!r.ok()) {
        out.error = decoder.error();
        EXPECT_NE(out.error, DecodeError::kNone);
        EXPECT_NE(r.status().message().find(DecodeErrorName(out.error)), std::string::npos);
        EXPECT_FALSE(decoder.Decode("x").ok()) << "errors are sticky";
        return out;
      }
      EXPECT_GT(r->consumed, 0u);
      EXPECT_LE(r->consumed, piece.size());
      piece.remove_prefix(r->consumed);
      if (r->frame) out.frames.push_back(std::move(*r->frame));
    }
  }
  out.mid_frame = decoder.mid_frame();
  return out;
}

Decoded DecodeEverySplit(std::string_view stream, DecoderLimits limits = kOpenLimits) {
  const Decoded whole = DecodePieces(stream, {}, limits);
  std::vector<size_t> bytes;
  for (size_t i = 1; i < stream.size(); i++) bytes.push_back(i);
  EXPECT_EQ(DecodePieces(stream, bytes, limits), whole) << "one byte at a time";
  for (size_t cut = 0; cut <= stream.size(); cut++) {
    EXPECT_EQ(DecodePieces(stream, {cut}, limits), whole) << "cut at " << cut;
  }
  return whole;
}

std::string Encode(const Frame& frame) {
  Result<std::string> r = EncodeFrame(frame);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::string();
}

// A header with any field values, and a correct header CRC unless told otherwise.
struct RawHeader {
  uint8_t version = kFrameVersion;
  uint8_t type = static_cast<uint8_t>(FrameType::kRequest);
  uint16_t flags = 0;
  uint64_t request_id = 1;
  uint32_t payload_length = 0;
  uint32_t payload_crc = 0;

  std::string Bytes() const {
    std::string out(reinterpret_cast<const char*>(kMagic), sizeof(kMagic));
    out.push_back(static_cast<char>(version));
    out.push_back(static_cast<char>(type));
    PutBigEndian(&out, flags);
    PutBigEndian(&out, request_id);
    PutBigEndian(&out, payload_length);
    PutBigEndian(&out, payload_crc);
    PutBigEndian(&out, Crc32c(out));
    return out;
  }
};

TEST(PeerFrame, EmptyInputDecodesNothing) {
  FrameDecoder decoder;
  Result<FrameDecoder::Output> r = decoder.Decode("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->consumed, 0u);
  EXPECT_FALSE(r->frame.has_value());
  EXPECT_FALSE(decoder.mid_frame());
  EXPECT_EQ(DecodeEverySplit(""), Decoded{});
}

TEST(PeerFrame, HeaderLayoutIsBigEndianAtTheDocumentedOffsets) {
  const std::string bytes = Encode(MakeFrame(FrameType::kRequest, 0x0102030405060708, "abc"));
  ASSERT_EQ(bytes.size(), kHeaderSize + 3);
  EXPECT_EQ(bytes.substr(0, 4), "SHLP");
  EXPECT_EQ(bytes[4], 1);
  EXPECT_EQ(bytes[5], 0x20);
  EXPECT_EQ(bytes.substr(6, 2), std::string(2, '\0'));
  EXPECT_EQ(bytes.substr(8, 8), "\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_EQ(bytes.substr(16, 4), std::string("\0\0\0\x03", 4));
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  EXPECT_EQ(GetBigEndian<uint32_t>(p + 20), Crc32c("abc"));
  EXPECT_EQ(GetBigEndian<uint32_t>(p + 24), Crc32c(bytes.substr(0, 24)));
  EXPECT_EQ(bytes.substr(28), "abc");
}

TEST(PeerFrame, EveryTypeRoundTrips) {
  const std::vector<Frame> frames = {
      MakeFrame(FrameType::kHello, 0, "hello"),
      MakeFrame(FrameType::kWelcome, 0, "welcome"),
      MakeFrame(FrameType::kAuth, 0, std::string(32, '\xff')),
      MakeFrame(FrameType::kPing, 1, ""),
      MakeFrame(FrameType::kPong, 1, "t"),
      MakeFrame(FrameType::kRequest, 7, std::string("\0body\0", 6)),
      MakeFrame(FrameType::kResponse, 7, "r"),
      MakeFrame(FrameType::kOneWay, 0, "raft"),
      MakeFrame(FrameType::kStreamOpen, 8, "open"),
      MakeFrame(FrameType::kStreamChunk, 8, std::string(300, 'c')),
      MakeFrame(FrameType::kStreamEnd, 8, "end"),
      MakeFrame(FrameType::kError, 0, "e"),
      MakeFrame(FrameType::kError, 9, "e9"),
      MakeFrame(FrameType::kGoAway, 0, "bye"),
  };
  for (const Frame& f : frames) {
    Decoded d = DecodeEverySplit(Encode(f));
    EXPECT_EQ(d.error, DecodeError::kNone) << FrameTypeName(f.type);
    ASSERT_EQ(d.frames.size(), 1u) << FrameTypeName(f.type);
    EXPECT_EQ(d.frames[0], f);
    EXPECT_FALSE(d.mid_frame);
  }
}

TEST(PeerFrame, MultipleFramesInOneBuffer) {
  const std::vector<Frame> frames = {MakeFrame(FrameType::kPing, 1, ""),
                                     MakeFrame(FrameType::kRequest, 2, "get k"),
                                     MakeFrame(FrameType::kOneWay, 0, std::string(100, 'x'))};
  std::string stream;
  for (const Frame& f : frames) stream += Encode(f);
  Decoded d = DecodeEverySplit(stream);
  EXPECT_EQ(d.error, DecodeError::kNone);
  EXPECT_EQ(d.frames, frames);

  // Decode stops at the end of a frame: the rest stays with the caller.
  FrameDecoder decoder(kOpenLimits);
  Result<FrameDecoder::Output> r = decoder.Decode(stream);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->consumed, kHeaderSize);
  ASSERT_TRUE(r->frame.has_value());
  EXPECT_EQ(*r->frame, frames[0]);
  EXPECT_EQ(decoder.frame_offset(), kHeaderSize);
}

TEST(PeerFrame, TruncatedFrameWaitsWithoutError) {
  const std::string bytes = Encode(MakeFrame(FrameType::kResponse, 3, "payload"));
  for (size_t len = 1; len < bytes.size(); len++) {
    Decoded d = DecodeEverySplit(std::string_view(bytes).substr(0, len));
    EXPECT_EQ(d.error, DecodeError::kNone) << len;
    EXPECT_TRUE(d.frames.empty()) << len;
    EXPECT_TRUE(d.mid_frame) << len;
  }
  // A valid frame followed by a truncated one: the first is delivered.
  Decoded d = DecodeEverySplit(bytes + bytes.substr(0, 10));
  EXPECT_EQ(d.frames.size(), 1u);
  EXPECT_TRUE(d.mid_frame);
}

TEST(PeerFrame, PayloadAtTheLimitDecodesAndOneMoreIsRefusedAfterTheHeader) {
  const Frame at_limit = MakeFrame(FrameType::kStreamChunk, 4, std::string(kMinPayloadLimit, 'a'));
  FrameDecoder decoder(kOpenLimits);
  const std::string bytes = Encode(at_limit);
  Result<FrameDecoder::Output> r = decoder.Decode(bytes);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->frame.has_value());
  EXPECT_EQ(*r->frame, at_limit);

  RawHeader over;
  over.payload_length = kMinPayloadLimit + 1;
  EXPECT_EQ(DecodeEverySplit(over.Bytes()).error, DecodeError::kPayloadTooLarge);
  // Refused with no payload byte buffered, whatever follows.
  FrameDecoder bounded(kOpenLimits);
  std::string stream = over.Bytes() + std::string(kMinPayloadLimit + 1, 'a');
  EXPECT_FALSE(bounded.Decode(stream).ok());
  EXPECT_EQ(bounded.error(), DecodeError::kPayloadTooLarge);
}

TEST(PeerFrame, HandshakeLimitIsTheDefault) {
  RawHeader h;
  h.type = static_cast<uint8_t>(FrameType::kHello);
  h.request_id = 0;
  h.payload_length = kHandshakeMaxPayload + 1;
  EXPECT_EQ(DecodeEverySplit(h.Bytes(), DecoderLimits{}).error, DecodeError::kPayloadTooLarge);
  h.payload_length = kHandshakeMaxPayload;
  Decoded d = DecodeEverySplit(h.Bytes(), DecoderLimits{});
  EXPECT_EQ(d.error, DecodeError::kNone);
  EXPECT_TRUE(d.mid_frame);
}

TEST(PeerFrame, ProtocolMaximumIsEnforcedByEncoderAndDecoder) {
  Frame too_big = MakeFrame(FrameType::kStreamChunk, 1, std::string(kMaxPayload + 1, 'z'));
  EXPECT_FALSE(EncodeFrame(too_big).ok());
  too_big.payload.pop_back();
  FrameDecoder decoder(DecoderLimits{kFrameVersion, 0xffffffff});
  EXPECT_EQ(decoder.limits().max_payload, kMaxPayload) << "clamped";
  const std::string bytes = Encode(too_big);
  Result<FrameDecoder::Output> r = decoder.Decode(bytes);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->frame.has_value());
  EXPECT_EQ(r->frame->payload.size(), kMaxPayload);

  RawHeader over;
  over.payload_length = kMaxPayload + 1;
  EXPECT_EQ(DecodePieces(over.Bytes(), {}, decoder.limits()).error, DecodeError::kPayloadTooLarge);
}

TEST(PeerFrame, BadMagicIsRefusedAtTheFirstWrongByte) {
  const std::string good = Encode(MakeFrame(FrameType::kPing, 1, ""));
  for (size_t i = 0; i < 4; i++) {
    std::string bad = good;
    bad[i] ^= 0x20;
    EXPECT_EQ(DecodeEverySplit(bad).error, DecodeError::kBadMagic) << i;
    FrameDecoder decoder;
    ASSERT_TRUE(decoder.Decode(bad.substr(0, i)).ok());
    EXPECT_FALSE(decoder.Decode(bad.substr(i, 1)).ok()) << "no need to wait for the header";
    EXPECT_EQ(decoder.error(), DecodeError::kBadMagic);
  }
  // A RESP client on the peer port.
  EXPECT_EQ(DecodeEverySplit("*1\r\n$4\r\nPING\r\n").error, DecodeError::kBadMagic);
}

TEST(PeerFrame, UnknownVersionIsRefused) {
  for (uint8_t version : {0, 2, 255}) {
    RawHeader h;
    h.version = version;
    EXPECT_EQ(DecodeEverySplit(h.Bytes()).error, DecodeError::kUnsupportedVersion) << +version;
    EXPECT_EQ(DecodeEverySplit(h.Bytes().substr(0, 5)).error, DecodeError::kUnsupportedVersion);
  }
  // A connection that negotiated version 2 refuses version 1 frames and takes version 2 ones.
  RawHeader v2;
  v2.version = 2;
  DecoderLimits limits = kOpenLimits;
  limits.version = 2;
  Decoded d = DecodeEverySplit(v2.Bytes(), limits);
  EXPECT_EQ(d.error, DecodeError::kNone);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].version, 2);
  EXPECT_EQ(DecodeEverySplit(RawHeader{}.Bytes(), limits).error, DecodeError::kUnsupportedVersion);
}

TEST(PeerFrame, UnknownTypeIsRefused) {
  for (uint8_t type : {0x00, 0x04, 0x12, 0x23, 0x33, 0x42, 0xff}) {
    RawHeader h;
    h.type = type;
    EXPECT_EQ(DecodeEverySplit(h.Bytes()).error, DecodeError::kUnknownType) << +type;
  }
}

TEST(PeerFrame, FlagBitsAreRefused) {
  for (uint16_t flags : {0x0001, 0x0100, 0x8000}) {
    RawHeader h;
    h.flags = flags;
    EXPECT_EQ(DecodeEverySplit(h.Bytes()).error, DecodeError::kBadFlags) << flags;
  }
}

TEST(PeerFrame, RequestIdMustMatchTheType) {
  struct Case {
    FrameType type;
    uint64_t id;
  };
  for (Case c :
       {Case{FrameType::kHello, 1}, Case{FrameType::kAuth, 5}, Case{FrameType::kOneWay, 2},
        Case{FrameType::kGoAway, 3}, Case{FrameType::kRequest, 0}, Case{FrameType::kResponse, 0},
        Case{FrameType::kPing, 0}, Case{FrameType::kStreamChunk, 0}}) {
    RawHeader h;
    h.type = static_cast<uint8_t>(c.type);
    h.request_id = c.id;
    EXPECT_EQ(DecodeEverySplit(h.Bytes()).error, DecodeError::kBadRequestId)
        << FrameTypeName(c.type);
    EXPECT_FALSE(EncodeFrame(MakeFrame(c.type, c.id, "")).ok()) << FrameTypeName(c.type);
  }
}

TEST(PeerFrame, BadHeaderCrcIsRefusedBeforeThePayload) {
  const std::string good = Encode(MakeFrame(FrameType::kRequest, 0x1234, "payload"));
  // Every byte after the type and flags (id, length, payload CRC, header CRC) and every bit.
  for (size_t i = kRequestIdOffset; i < kHeaderSize; i++) {
    for (int bit = 0; bit < 8; bit++) {
      std::string bad = good;
      bad[i] ^= static_cast<char>(1 << bit);
      FrameDecoder decoder(kOpenLimits);
      EXPECT_FALSE(decoder.Decode(std::string_view(bad).substr(0, kHeaderSize)).ok()) << i;
      EXPECT_EQ(decoder.error(), DecodeError::kBadHeaderCrc) << i << " bit " << bit;
    }
  }
  std::string bad = good;
  bad[kPayloadLengthOffset] ^= 0x01;  // a 16 MiB length: the CRC is checked before the limit
  EXPECT_EQ(DecodeEverySplit(bad).error, DecodeError::kBadHeaderCrc);
}

TEST(PeerFrame, BadPayloadCrcIsRefused) {
  const std::string good = Encode(MakeFrame(FrameType::kStreamChunk, 2, "chunk bytes"));
  for (size_t i = kHeaderSize; i < good.size(); i++) {
    std::string bad = good;
    bad[i] ^= 0x40;
    EXPECT_EQ(DecodeEverySplit(bad).error, DecodeError::kBadPayloadCrc) << i;
  }
  // A frame after a bad one is never delivered.
  std::string bad = good;
  bad.back() ^= 1;
  Decoded d = DecodeEverySplit(bad + good);
  EXPECT_EQ(d.error, DecodeError::kBadPayloadCrc);
  EXPECT_TRUE(d.frames.empty());
}

TEST(PeerFrame, ErrorNamesTheStreamOffsetAndResetClearsIt) {
  const std::string good = Encode(MakeFrame(FrameType::kPing, 1, "x"));
  FrameDecoder decoder(kOpenLimits);
  std::string stream = good + "NOPE";
  ASSERT_TRUE(decoder.Decode(stream).ok());
  Result<FrameDecoder::Output> r = decoder.Decode(std::string_view(stream).substr(good.size()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "peer frame: bad_magic at stream offset 29");
  decoder.Reset();
  EXPECT_EQ(decoder.error(), DecodeError::kNone);
  r = decoder.Decode(good);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->frame.has_value());
}

TEST(PeerFrame, NewLimitsApplyFromTheNextHeader) {
  const std::string big = Encode(MakeFrame(FrameType::kRequest, 1, std::string(5000, 'b')));
  FrameDecoder decoder;  // handshake limits: 4 KiB
  EXPECT_EQ(DecodePieces(big, {}, DecoderLimits{}).error, DecodeError::kPayloadTooLarge);
  decoder.set_limits(kOpenLimits);
  Result<FrameDecoder::Output> r = decoder.Decode(big);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->frame.has_value());
}

}  // namespace
}  // namespace shoal::peer

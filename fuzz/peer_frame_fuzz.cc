// libFuzzer target for shoal::peer::FrameDecoder, and the Handshake on the frames it decodes.
//
// Input layout: byte 0 picks the mode, byte 1 seeds how the stream is split, the rest is the
// byte stream a peer sends. Mode bits:
//   1  rewrite the stream's CRC fields to the right values first, frame by frame, so that the
//      fuzzer reaches what lies behind the checksums
//   2  the open phase's limits (64 KiB payloads) instead of the handshake's (4 KiB)
//   4  give the decoded frames to a Handshake acceptor and to a dialer
// The stream is decoded twice: in one piece, and in pieces each in a fresh, exactly sized heap
// copy (so ASan catches a decoder that keeps pointers between calls). Both must agree, every
// frame must re-encode to exactly the bytes it was decoded from, and the decoder must never
// take bytes past the frame it completes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/crc32c.h"
#include "fuzz_support.h"
#include "protocol/peer/frame_decoder.h"
#include "protocol/peer/frame_encoder.h"
#include "protocol/peer/handshake.h"
#include "protocol/peer/wire.h"

namespace {

using shoal::fuzz::Check;
using shoal::fuzz::Rng;
using shoal::peer::DecodeError;
using shoal::peer::DecoderLimits;
using shoal::peer::Frame;
using shoal::peer::FrameDecoder;

struct Outcome {
  std::vector<Frame> frames;
  std::vector<size_t> ends;  // stream offset after each frame
  DecodeError error = DecodeError::kNone;
  bool mid_frame = false;
  bool operator==(const Outcome&) const = default;
};

Outcome Decode(std::string_view stream, const DecoderLimits& limits, bool split, uint8_t seed) {
  static constexpr size_t kMaxPieces[] = {1, 2, 3, 7, 28, 29, 512, 4096};
  Rng rng{0x9E3779B97F4A7C15ull ^ seed};
  const size_t max_piece = kMaxPieces[seed % 8];
  FrameDecoder decoder(limits);
  Outcome out;
  size_t pos = 0;
  while (pos < stream.size()) {
    size_t len = split ? 1 + rng.Next() % max_piece : stream.size();
    len = std::min(len, stream.size() - pos);
    std::unique_ptr<char[]> copy(new char[len]);
    std::memcpy(copy.get(), stream.data() + pos, len);
    std::string_view piece(copy.get(), len);
    while (!piece.empty()) {
      shoal::Result<FrameDecoder::Output> r = decoder.Decode(piece);
      if (!r.ok()) {
        out.error = decoder.error();
        Check(out.error != DecodeError::kNone, "a failure names its error");
        Check(!decoder.Decode(piece).ok(), "errors are sticky");
        return out;
      }
      Check(r->consumed > 0 && r->consumed <= piece.size(), "0 < consumed <= size");
      pos += r->consumed;
      piece.remove_prefix(r->consumed);
      if (r->frame) {
        Check(r->frame->payload.size() <= limits.max_payload, "payload within the limit");
        out.frames.push_back(std::move(*r->frame));
        out.ends.push_back(pos);
      }
    }
  }
  out.mid_frame = decoder.mid_frame();
  return out;
}

// Sets every complete frame's payload CRC and every header's CRC to the right value.
void FixChecksums(std::string* stream) {
  using shoal::peer::kHeaderSize;
  size_t p = 0;
  while (p + kHeaderSize <= stream->size()) {
    auto* h = reinterpret_cast<unsigned char*>(stream->data() + p);
    const uint32_t len = shoal::peer::GetBigEndian<uint32_t>(h + shoal::peer::kPayloadLengthOffset);
    const size_t end = p + kHeaderSize + len;
    std::string fixed;
    if (end <= stream->size()) {
      shoal::peer::PutBigEndian(
          &fixed, shoal::Crc32c(std::string_view(*stream).substr(p + kHeaderSize, len)));
      std::memcpy(h + shoal::peer::kPayloadCrcOffset, fixed.data(), 4);
      fixed.clear();
    }
    shoal::peer::PutBigEndian(&fixed, shoal::Crc32cExtend(0, h, shoal::peer::kHeaderCrcOffset));
    std::memcpy(h + shoal::peer::kHeaderCrcOffset, fixed.data(), 4);
    if (end > stream->size()) return;
    p = end;
  }
}

void DriveHandshake(const std::vector<Frame>& frames) {
  using shoal::peer::Handshake;
  using shoal::peer::HandshakeState;
  shoal::peer::HandshakeConfig config;
  config.cluster_id = "fuzz-cluster";
  config.node_id = 2;
  config.secret = "a fuzzing secret of some length";
  config.max_version = 3;
  shoal::Result<Handshake> acceptor = Handshake::Acceptor(config, std::string(32, 'a'));
  config.node_id = 1;
  shoal::Result<Handshake> dialer = Handshake::Dialer(config, std::string(32, 'd'));
  Check(acceptor.ok() && dialer.ok(), "valid configs");
  dialer->Start();
  for (Handshake* h : {&*acceptor, &*dialer}) {
    for (const Frame& f : frames) {
      const HandshakeState before = h->state();
      std::vector<Frame> sent = h->OnFrame(f);
      if (before != HandshakeState::kInProgress) {
        Check(sent.empty() && h->state() == before, "a finished handshake takes no frames");
      }
      if (h->state() == HandshakeState::kFailed && before == HandshakeState::kInProgress) {
        Check(sent.size() <= 1, "at most one ERROR on failure");
        Check(sent.empty() || sent[0].type == shoal::peer::FrameType::kError, "ERROR on failure");
      }
      for (const Frame& s : sent) Check(shoal::peer::EncodeFrame(s).ok(), "sent frames encode");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0];
  const uint8_t seed = data[1];
  std::string stream(reinterpret_cast<const char*>(data + 2), size - 2);
  if (mode & 1) FixChecksums(&stream);
  DecoderLimits limits;
  if (mode & 2) limits.max_payload = shoal::peer::kMinPayloadLimit;

  Outcome whole = Decode(stream, limits, false, seed);
  Outcome pieces = Decode(stream, limits, true, seed);
  Check(whole == pieces, "split and whole decodes agree");
  size_t start = 0;
  for (size_t i = 0; i < whole.frames.size(); i++) {
    shoal::Result<std::string> bytes = shoal::peer::EncodeFrame(whole.frames[i]);
    Check(bytes.ok(), "a decoded frame encodes");
    Check(std::string_view(stream).substr(start, whole.ends[i] - start) == *bytes,
          "a decoded frame re-encodes to its bytes");
    start = whole.ends[i];
  }
  if (whole.error == DecodeError::kNone) {
    Check(whole.mid_frame == (start < stream.size()), "leftover bytes are a partial frame");
  }
  if (mode & 4) DriveHandshake(whole.frames);
  return 0;
}

#include "protocol/peer/frame_decoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "base/crc32c.h"
#include "protocol/peer/wire.h"

namespace shoal::peer {

std::string_view DecodeErrorName(DecodeError error) {
  switch (error) {
    case DecodeError::kNone:
      return "none";
    case DecodeError::kBadMagic:
      return "bad_magic";
    case DecodeError::kUnsupportedVersion:
      return "unsupported_version";
    case DecodeError::kUnknownType:
      return "unknown_type";
    case DecodeError::kBadFlags:
      return "bad_flags";
    case DecodeError::kBadRequestId:
      return "bad_request_id";
    case DecodeError::kBadHeaderCrc:
      return "bad_header_crc";
    case DecodeError::kPayloadTooLarge:
      return "payload_too_large";
    case DecodeError::kBadPayloadCrc:
      return "bad_payload_crc";
  }
  return "unknown";
}

FrameDecoder::FrameDecoder(DecoderLimits limits) { set_limits(limits); }

void FrameDecoder::set_limits(DecoderLimits limits) {
  limits.max_payload = std::min(limits.max_payload, kMaxPayload);
  limits_ = limits;
}

void FrameDecoder::Reset() {
  error_ = DecodeError::kNone;
  header_len_ = 0;
  payload_.clear();
}

Status FrameDecoder::Fail(DecodeError error) {
  error_ = error;
  return Status::Error(
      fmt::format("peer frame: {} at stream offset {}", DecodeErrorName(error), frame_offset_));
}

// The magic and the version are checked byte by byte as they arrive, so that a peer speaking
// another protocol is refused without waiting for a whole header.
DecodeError FrameDecoder::CheckPrefix(size_t from) const {
  for (size_t i = from; i < std::min(header_len_, sizeof(kMagic)); i++) {
    if (header_[i] != kMagic[i]) return DecodeError::kBadMagic;
  }
  if (from <= kVersionOffset && header_len_ > kVersionOffset &&
      header_[kVersionOffset] != limits_.version) {
    return DecodeError::kUnsupportedVersion;
  }
  return DecodeError::kNone;
}

DecodeError FrameDecoder::CheckHeader() {
  const uint8_t type = header_[kTypeOffset];
  if (!IsKnownFrameType(type)) return DecodeError::kUnknownType;
  if (GetBigEndian<uint16_t>(&header_[kFlagsOffset]) != 0) return DecodeError::kBadFlags;
  if (!RequestIdAllowed(static_cast<FrameType>(type),
                        GetBigEndian<uint64_t>(&header_[kRequestIdOffset]))) {
    return DecodeError::kBadRequestId;
  }
  if (Crc32cExtend(0, header_.data(), kHeaderCrcOffset) !=
      GetBigEndian<uint32_t>(&header_[kHeaderCrcOffset])) {
    return DecodeError::kBadHeaderCrc;
  }
  payload_length_ = GetBigEndian<uint32_t>(&header_[kPayloadLengthOffset]);
  if (payload_length_ > limits_.max_payload) return DecodeError::kPayloadTooLarge;
  payload_crc_ = GetBigEndian<uint32_t>(&header_[kPayloadCrcOffset]);
  return DecodeError::kNone;
}

Result<FrameDecoder::Output> FrameDecoder::Decode(std::string_view data) {
  if (error_ != DecodeError::kNone) return Fail(error_);
  Output out;
  if (header_len_ < kHeaderSize) {
    const size_t take = std::min(kHeaderSize - header_len_, data.size());
    std::memcpy(header_.data() + header_len_, data.data(), take);
    const size_t from = header_len_;
    header_len_ += take;
    out.consumed = take;
    if (DecodeError e = CheckPrefix(from); e != DecodeError::kNone) return Fail(e);
    if (header_len_ < kHeaderSize) return out;
    if (DecodeError e = CheckHeader(); e != DecodeError::kNone) return Fail(e);
    payload_.reserve(payload_length_);
  }
  const size_t take =
      std::min<size_t>(payload_length_ - payload_.size(), data.size() - out.consumed);
  payload_.append(data.data() + out.consumed, take);
  out.consumed += take;
  if (payload_.size() < payload_length_) return out;
  if (Crc32c(payload_) != payload_crc_) return Fail(DecodeError::kBadPayloadCrc);

  Frame frame;
  frame.type = static_cast<FrameType>(header_[kTypeOffset]);
  frame.version = header_[kVersionOffset];
  frame.request_id = GetBigEndian<uint64_t>(&header_[kRequestIdOffset]);
  frame.payload = std::move(payload_);
  out.frame = std::move(frame);
  payload_ = std::string();
  header_len_ = 0;
  frame_offset_ += kHeaderSize + payload_length_;
  return out;
}

}  // namespace shoal::peer

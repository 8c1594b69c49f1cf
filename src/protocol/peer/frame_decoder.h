// FrameDecoder: the incremental decoder of peer protocol frames (docs/peer-protocol.md §2, §7).
// The connection feeds it the bytes it reads, in pieces of any size; it returns each frame
// once its last byte is in, or the precise reason the byte stream is not valid.
//
// Thread: a decoder belongs to one connection and is used by that connection's thread only.
// It does no I/O, reads no clock and never throws.
//
// Invariants:
//  - It never buffers more than one frame: at most kHeaderSize + limits().max_payload bytes.
//    A header announcing a larger payload is refused before any payload byte is taken.
//  - Decode consumes input only up to the end of the frame it completes, so the caller keeps
//    the rest (and may change the limits between frames, e.g. when the handshake succeeds).
//  - The frames and the error for a byte stream do not depend on where it was split.
//  - Errors are sticky: after one, every call fails with it until Reset().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "protocol/peer/frame.h"

namespace shoal::peer {

// Why a byte stream is refused, in the order the header is checked. The names are the
// `reason` of the log line and of peer_frames_rejected_total.
enum class DecodeError : uint8_t {
  kNone,
  kBadMagic,            // "bad_magic": detected at the first wrong byte
  kUnsupportedVersion,  // "unsupported_version": not limits().version
  kUnknownType,         // "unknown_type"
  kBadFlags,            // "bad_flags": a flag bit set (version 1 defines none)
  kBadRequestId,        // "bad_request_id": zero where the type needs one, or the reverse
  kBadHeaderCrc,        // "bad_header_crc"
  kPayloadTooLarge,     // "payload_too_large": above limits().max_payload
  kBadPayloadCrc,       // "bad_payload_crc"
};

std::string_view DecodeErrorName(DecodeError error);

struct DecoderLimits {
  // The frame version the connection speaks: 1 until the handshake fixes another.
  uint8_t version = kFrameVersion;
  // The largest payload accepted; at most kMaxPayload.
  uint32_t max_payload = kHandshakeMaxPayload;
};

class FrameDecoder {
 public:
  struct Output {
    size_t consumed = 0;         // bytes taken from the front of the input
    std::optional<Frame> frame;  // the frame those bytes completed, if any
  };

  explicit FrameDecoder(DecoderLimits limits = {});

  // Takes effect from the next frame's header (a frame already begun keeps the old limits).
  // max_payload is clamped to kMaxPayload.
  void set_limits(DecoderLimits limits);
  const DecoderLimits& limits() const { return limits_; }

  // Consumes bytes from the front of `data`, stopping right after the end of a frame. With
  // non-empty `data` and no error, consumed > 0. On error the Status says why, error()
  // names it, and the connection must close.
  Result<Output> Decode(std::string_view data);

  DecodeError error() const { return error_; }
  // Whether part of a frame is buffered: a close now cuts a frame ("truncated").
  bool mid_frame() const { return header_len_ > 0; }
  // Bytes into the stream where the current frame (or the error's frame) starts.
  uint64_t frame_offset() const { return frame_offset_; }

  // Forgets any partial frame and error; the limits stay.
  void Reset();

 private:
  Status Fail(DecodeError error);
  DecodeError CheckPrefix(size_t from) const;
  DecodeError CheckHeader();

  DecoderLimits limits_;
  DecodeError error_ = DecodeError::kNone;
  std::array<unsigned char, kHeaderSize> header_{};
  size_t header_len_ = 0;
  // Fields of the current header, valid once header_len_ == kHeaderSize.
  uint32_t payload_length_ = 0;
  uint32_t payload_crc_ = 0;
  std::string payload_;
  uint64_t frame_offset_ = 0;
};

}  // namespace shoal::peer

// The frame of the peer protocol (docs/peer-protocol.md §2-3): its constants, its types and
// which request ids each type takes. DO NOT renumber FrameType or change a constant that is
// on the wire: they are read by every other node, of every version.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace shoal::peer {

// The four bytes every frame starts with: "SHLP".
inline constexpr unsigned char kMagic[4] = {0x53, 0x48, 0x4C, 0x50};
// Frame format version 1, the only one so far; handshake frames always carry it.
inline constexpr uint8_t kFrameVersion = 1;
inline constexpr size_t kHeaderSize = 28;
// No payload is ever larger, whatever a peer announces.
inline constexpr uint32_t kMaxPayload = 16 * 1024 * 1024;
// The payload limit until the handshake has succeeded.
inline constexpr uint32_t kHandshakeMaxPayload = 4 * 1024;
// The smallest payload limit a node may announce.
inline constexpr uint32_t kMinPayloadLimit = 64 * 1024;

// Header offsets.
inline constexpr size_t kVersionOffset = 4;
inline constexpr size_t kTypeOffset = 5;
inline constexpr size_t kFlagsOffset = 6;
inline constexpr size_t kRequestIdOffset = 8;
inline constexpr size_t kPayloadLengthOffset = 16;
inline constexpr size_t kPayloadCrcOffset = 20;
inline constexpr size_t kHeaderCrcOffset = 24;

enum class FrameType : uint8_t {
  kHello = 0x01,
  kWelcome = 0x02,
  kAuth = 0x03,
  kPing = 0x10,
  kPong = 0x11,
  kRequest = 0x20,
  kResponse = 0x21,
  kOneWay = 0x22,
  kStreamOpen = 0x30,
  kStreamChunk = 0x31,
  kStreamEnd = 0x32,
  kError = 0x40,
  kGoAway = 0x41,
};

bool IsKnownFrameType(uint8_t type);
// "HELLO", "STREAM_CHUNK", ...; "UNKNOWN" for a value that is not a FrameType.
std::string_view FrameTypeName(FrameType type);
// Whether a frame of `type` may carry `request_id` (§3: zero, non-zero, or either).
bool RequestIdAllowed(FrameType type, uint64_t request_id);

// One decoded frame, or one to encode. The flags of version 1 are always 0, so they are not
// kept. Invariant for a frame the decoder returns: IsKnownFrameType(type),
// RequestIdAllowed(type, request_id), payload.size() <= the decoder's limit.
struct Frame {
  FrameType type = FrameType::kPing;
  uint8_t version = kFrameVersion;
  uint64_t request_id = 0;
  std::string payload;

  bool operator==(const Frame&) const = default;
};

// A frame of the current version.
inline Frame MakeFrame(FrameType type, uint64_t request_id, std::string payload) {
  Frame frame;
  frame.type = type;
  frame.request_id = request_id;
  frame.payload = std::move(payload);
  return frame;
}

}  // namespace shoal::peer

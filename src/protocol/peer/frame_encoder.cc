#include "protocol/peer/frame_encoder.h"

#include <fmt/format.h>

#include "base/crc32c.h"
#include "protocol/peer/wire.h"

namespace shoal::peer {

Result<std::string> EncodeFrame(const Frame& frame) {
  if (frame.payload.size() > kMaxPayload) {
    return Status::Error(fmt::format("peer frame: payload of {} bytes is above the maximum {}",
                                     frame.payload.size(), kMaxPayload));
  }
  if (!RequestIdAllowed(frame.type, frame.request_id)) {
    return Status::Error(fmt::format("peer frame: {} does not take request id {}",
                                     FrameTypeName(frame.type), frame.request_id));
  }
  std::string out;
  out.reserve(kHeaderSize + frame.payload.size());
  out.append(reinterpret_cast<const char*>(kMagic), sizeof(kMagic));
  out.push_back(static_cast<char>(frame.version));
  out.push_back(static_cast<char>(frame.type));
  PutBigEndian<uint16_t>(&out, 0);  // flags: none in version 1
  PutBigEndian<uint64_t>(&out, frame.request_id);
  PutBigEndian<uint32_t>(&out, static_cast<uint32_t>(frame.payload.size()));
  PutBigEndian<uint32_t>(&out, Crc32c(frame.payload));
  PutBigEndian<uint32_t>(&out, Crc32c(out));
  out.append(frame.payload);
  return out;
}

}  // namespace shoal::peer

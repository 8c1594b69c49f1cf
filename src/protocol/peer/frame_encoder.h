// EncodeFrame: one Frame as the bytes of the peer protocol's wire format
// (docs/peer-protocol.md §2): the 28-byte header with both CRC32Cs, then the payload.
// Thread-safety: a pure function.
// Invariant: what it returns, fed to a FrameDecoder whose limits admit the payload, decodes to
// the same Frame.
#pragma once

#include <string>

#include "base/status.h"
#include "protocol/peer/frame.h"

namespace shoal::peer {

// Fails, encoding nothing, when the frame could not be decoded by any peer: a payload above
// kMaxPayload, or a request id its type does not take.
Result<std::string> EncodeFrame(const Frame& frame);

}  // namespace shoal::peer

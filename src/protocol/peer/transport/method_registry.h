// MethodRegistry: the handlers of the requests peers send this node (docs/peer-protocol.md
// §5), by method number. Dispatch checks a REQUEST's body against the protocol's rules and
// answers it itself when no handler may run: INVALID_REQUEST for a timeout_ms outside
// 1..3,600,000, UNKNOWN_METHOD for a method nobody registered. Otherwise the handler gets the
// request with its deadline (receive time plus timeout_ms) and a Responder.
//
// Thread: registered before the link manager starts, then read-only; Dispatch and the
// handlers run on the link manager's thread. A handler may keep the Responder and answer later
// (after a hop to another shard), on that thread. Pure: no I/O, no clock.
// Invariant: Dispatch runs at most one handler per request, and answers it (through the
// Responder) when it runs none.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "base/status.h"
#include "protocol/peer/peer.pb.h"
#include "protocol/peer/transport/rpc.h"

namespace shoal::peer {

using MethodHandler = std::function<void(InboundRequest, Responder)>;

class MethodRegistry {
 public:
  // Fails for method 0 (no method) or one registered already.
  Status Register(uint32_t method, MethodHandler handler);

  void Dispatch(uint64_t peer, const v1::Request& request, int64_t now_us, Responder respond) const;

 private:
  std::unordered_map<uint32_t, MethodHandler> handlers_;
};

}  // namespace shoal::peer

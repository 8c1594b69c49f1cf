// The values requests and responses travel as between the peer transport and its users
// (docs/peer-protocol.md §5): what a caller asks, what a handler is given, and how both are
// answered (a v1::Response: status OK with the method's body, or an ErrorCode and a message).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "protocol/peer/peer.pb.h"

namespace shoal::peer {

// Request.timeout_ms is between 1 and this (one hour).
inline constexpr uint32_t kMaxTimeoutMs = 3'600'000;

// An outgoing call.
struct CallRequest {
  uint32_t method = 0;
  std::string body;
  int64_t deadline_us = 0;  // on the caller's monotonic clock
  bool idempotent = false;  // the method is registered as idempotent: may run twice
};

// How a call ended: the peer's Response, or one made locally (UNAVAILABLE, DEADLINE_EXCEEDED,
// OVERLOADED, or the code of the peer's ERROR).
using CallDone = std::function<void(v1::Response)>;

// An incoming request, as its handler gets it.
struct InboundRequest {
  uint64_t peer = 0;  // the node id that sent it
  uint32_t method = 0;
  std::string body;
  int64_t deadline_us = 0;  // receive time plus timeout_ms, on this node's monotonic clock
};

// Sends the RESPONSE to an InboundRequest; call it once.
using Responder = std::function<void(v1::Response)>;

inline v1::Response ErrorResponse(v1::ErrorCode code, std::string message) {
  v1::Response response;
  response.set_status(code);
  response.set_message(std::move(message));
  return response;
}

}  // namespace shoal::peer

#include "protocol/peer/transport/method_registry.h"

#include <fmt/format.h>

#include <utility>

namespace shoal::peer {

Status MethodRegistry::Register(uint32_t method, MethodHandler handler) {
  if (method == 0) return Status::Error("peer method 0 is not a method");
  if (!handlers_.emplace(method, std::move(handler)).second) {
    return Status::Error(fmt::format("peer method {} registered twice", method));
  }
  return Status::Ok();
}

void MethodRegistry::Dispatch(uint64_t peer, const v1::Request& request, int64_t now_us,
                              Responder respond) const {
  if (request.timeout_ms() == 0 || request.timeout_ms() > kMaxTimeoutMs) {
    return respond(ErrorResponse(
        v1::INVALID_REQUEST,
        fmt::format("timeout_ms {} not in 1..{}", request.timeout_ms(), kMaxTimeoutMs)));
  }
  auto it = handlers_.find(request.method());
  if (it == handlers_.end()) {
    return respond(
        ErrorResponse(v1::UNKNOWN_METHOD, fmt::format("no method {}", request.method())));
  }
  InboundRequest inbound;
  inbound.peer = peer;
  inbound.method = request.method();
  inbound.body = request.body();
  inbound.deadline_us = now_us + int64_t{request.timeout_ms()} * 1000;
  it->second(std::move(inbound), std::move(respond));
}

}  // namespace shoal::peer

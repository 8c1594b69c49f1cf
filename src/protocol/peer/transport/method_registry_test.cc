#include "protocol/peer/transport/method_registry.h"

#include <gtest/gtest.h>

#include <optional>

namespace shoal::peer {
namespace {

v1::Request Req(uint32_t method, uint32_t timeout_ms, std::string body = "") {
  v1::Request r;
  r.set_method(method);
  r.set_timeout_ms(timeout_ms);
  r.set_body(std::move(body));
  return r;
}

TEST(PeerMethodRegistry, RunsTheHandlerWithTheDeadlineOrAnswersItself) {
  MethodRegistry registry;
  std::optional<InboundRequest> seen;
  ASSERT_TRUE(registry
                  .Register(5,
                            [&](InboundRequest r, Responder respond) {
                              seen = r;
                              v1::Response ok;
                              ok.set_body("echo " + r.body);
                              respond(ok);
                            })
                  .ok());
  EXPECT_FALSE(registry.Register(5, nullptr).ok());
  EXPECT_FALSE(registry.Register(0, nullptr).ok());

  std::optional<v1::Response> reply;
  auto respond = [&](v1::Response r) { reply = std::move(r); };
  registry.Dispatch(9, Req(5, 250, "x"), 1'000, respond);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->peer, 9u);
  EXPECT_EQ(seen->deadline_us, 1'000 + 250'000);
  EXPECT_EQ(reply->status(), v1::OK);
  EXPECT_EQ(reply->body(), "echo x");

  registry.Dispatch(9, Req(6, 250), 0, respond);
  EXPECT_EQ(reply->status(), v1::UNKNOWN_METHOD);
  seen.reset();
  registry.Dispatch(9, Req(5, 0), 0, respond);
  EXPECT_EQ(reply->status(), v1::INVALID_REQUEST);
  registry.Dispatch(9, Req(5, kMaxTimeoutMs + 1), 0, respond);
  EXPECT_EQ(reply->status(), v1::INVALID_REQUEST);
  EXPECT_FALSE(seen.has_value());
}

}  // namespace
}  // namespace shoal::peer

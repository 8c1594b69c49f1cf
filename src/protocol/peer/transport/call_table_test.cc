// CallTable without sockets: the frames it sends are recorded, time is given by hand.
#include "protocol/peer/transport/call_table.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <vector>

namespace shoal::peer {
namespace {

struct Sent {
  CallTable::ConnId conn;
  Frame frame;
  v1::Request request;
};

class CallTableTest : public ::testing::Test {
 protected:
  CallTable::Sender Sender() {
    return [this](CallTable::ConnId conn, Frame frame) {
      if (refuse_) return false;
      Sent s{conn, frame, {}};
      EXPECT_TRUE(s.request.ParseFromString(frame.payload));
      sent_.push_back(std::move(s));
      return true;
    };
  }

  // Starts a call at now_us_; its outcome lands in the returned slot.
  std::optional<v1::Response>* Call(uint32_t method, int64_t budget_us, bool idempotent = false) {
    auto& slot = results_.emplace_back();
    CallRequest request{method, "body", now_us_ + budget_us, idempotent};
    table_.Call(std::move(request), now_us_, [&slot](v1::Response r) { slot = std::move(r); });
    return &slot;
  }

  static Frame ResponseFrame(uint64_t id, v1::ErrorCode status, std::string body) {
    v1::Response r;
    r.set_status(status);
    r.set_body(std::move(body));
    return MakeFrame(FrameType::kResponse, id, r.SerializeAsString());
  }

  PeerCounters counters_;
  std::vector<Sent> sent_;
  bool refuse_ = false;
  int64_t now_us_ = 1'000'000;
  std::deque<std::optional<v1::Response>> results_;
  CallTable table_{Sender(), &counters_};
};

TEST_F(CallTableTest, NumbersRequestsAndMatchesResponsesInAnyOrder) {
  table_.SetCurrent(7, now_us_);
  auto* a = Call(1, 2'500);          // 2.5 ms: rounded up to 3 ms
  auto* b = Call(2, 5'000'000'000);  // more than an hour: capped
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].conn, 7u);
  EXPECT_EQ(sent_[0].frame.type, FrameType::kRequest);
  EXPECT_EQ(sent_[0].frame.request_id, 1u);
  EXPECT_EQ(sent_[1].frame.request_id, 2u);
  EXPECT_EQ(sent_[0].request.method(), 1u);
  EXPECT_EQ(sent_[0].request.body(), "body");
  EXPECT_EQ(sent_[0].request.timeout_ms(), 3u);
  EXPECT_EQ(sent_[1].request.timeout_ms(), kMaxTimeoutMs);
  EXPECT_EQ(table_.InFlight(7), 2u);

  EXPECT_EQ(table_.OnResponse(7, ResponseFrame(2, v1::OK, "two")), CallTable::Match::kMatched);
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->body(), "two");
  EXPECT_FALSE(a->has_value());
  EXPECT_EQ(table_.OnResponse(7, ResponseFrame(1, v1::UNKNOWN_METHOD, "")),
            CallTable::Match::kMatched);
  EXPECT_EQ((*a)->status(), v1::UNKNOWN_METHOD);
  EXPECT_EQ(table_.size(), 0u);

  // Answered already: late, counted; never sent: out of order.
  EXPECT_EQ(table_.OnResponse(7, ResponseFrame(1, v1::OK, "")), CallTable::Match::kLate);
  EXPECT_EQ(counters_.late_responses, 1u);
  EXPECT_EQ(table_.OnResponse(7, ResponseFrame(3, v1::OK, "")), CallTable::Match::kOutOfOrder);
}

TEST_F(CallTableTest, AnErrorNamingARequestEndsItAndBadBodiesAreRefused) {
  table_.SetCurrent(1, now_us_);
  auto* a = Call(1, 1'000'000);
  Call(1, 1'000'000);
  v1::Error error;
  error.set_code(static_cast<v1::ErrorCode>(999));  // unknown: INTERNAL
  EXPECT_EQ(table_.OnResponse(1, MakeFrame(FrameType::kError, 1, error.SerializeAsString())),
            CallTable::Match::kMatched);
  EXPECT_EQ((*a)->status(), v1::INTERNAL);
  EXPECT_EQ(table_.OnResponse(1, MakeFrame(FrameType::kResponse, 2, "\xff\xff")),
            CallTable::Match::kBadBody);
}

TEST_F(CallTableTest, DeadlinesExpireByTheGivenClock) {
  table_.SetCurrent(1, now_us_);
  auto* soon = Call(1, 1'000);
  auto* later = Call(1, 5'000);
  EXPECT_EQ(table_.NextDeadlineUs(), now_us_ + 1'000);
  table_.Expire(now_us_ + 999);
  EXPECT_FALSE(soon->has_value());
  table_.Expire(now_us_ + 1'000);
  ASSERT_TRUE(soon->has_value());
  EXPECT_EQ((*soon)->status(), v1::DEADLINE_EXCEEDED);
  EXPECT_FALSE(later->has_value());
  EXPECT_EQ(table_.NextDeadlineUs(), now_us_ + 5'000);
  // Its response comes after the caller gave up: late.
  EXPECT_EQ(table_.OnResponse(1, ResponseFrame(1, v1::OK, "")), CallTable::Match::kLate);
  table_.Expire(now_us_ + 10'000);
  EXPECT_EQ((*later)->status(), v1::DEADLINE_EXCEEDED);
  EXPECT_FALSE(table_.NextDeadlineUs().has_value());
  EXPECT_EQ(counters_.calls_failed["DEADLINE_EXCEEDED"], 2u);

  // A deadline already passed fails at once, sending nothing.
  auto* passed = Call(1, 0);
  EXPECT_EQ((*passed)->status(), v1::DEADLINE_EXCEEDED);
  EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(CallTableTest, NoConnectionOrAFullQueueFailsAtOnce) {
  auto* none = Call(1, 1'000'000, /*idempotent=*/true);
  EXPECT_EQ((*none)->status(), v1::UNAVAILABLE);
  table_.SetCurrent(1, now_us_);
  refuse_ = true;
  auto* full = Call(1, 1'000'000);
  EXPECT_EQ((*full)->status(), v1::OVERLOADED);
  refuse_ = false;
  Call(1, 1'000'000);
  EXPECT_EQ(sent_.back().frame.request_id, 1u) << "a refused request used no id";
}

TEST_F(CallTableTest, CloseFailsPendingCallsButRetriesIdempotentOnesOnce) {
  table_.SetCurrent(1, now_us_);
  auto* plain = Call(1, 1'000'000);
  auto* idem = Call(2, 1'000'000, /*idempotent=*/true);
  table_.OnConnectionClosed(1, now_us_);
  ASSERT_TRUE(plain->has_value());
  EXPECT_EQ((*plain)->status(), v1::UNAVAILABLE);
  EXPECT_FALSE(idem->has_value()) << "waits for the next connection";
  EXPECT_EQ(table_.current(), 0u);

  table_.SetCurrent(2, now_us_ + 10);
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[2].conn, 2u);
  EXPECT_EQ(sent_[2].frame.request_id, 1u) << "a new connection numbers from 1";
  EXPECT_EQ(sent_[2].request.method(), 2u);
  EXPECT_EQ(counters_.calls_retried, 1u);

  // Its one retry is spent: the next close fails it.
  table_.OnConnectionClosed(2, now_us_ + 20);
  ASSERT_TRUE(idem->has_value());
  EXPECT_EQ((*idem)->status(), v1::UNAVAILABLE);
  EXPECT_EQ(counters_.calls_failed["UNAVAILABLE"], 2u);
}

TEST_F(CallTableTest, AWaitingRetryStillExpiresAtItsDeadline) {
  table_.SetCurrent(1, now_us_);
  auto* idem = Call(1, 1'000, /*idempotent=*/true);
  table_.OnConnectionClosed(1, now_us_);
  table_.Expire(now_us_ + 1'000);
  EXPECT_EQ((*idem)->status(), v1::DEADLINE_EXCEEDED);
  table_.SetCurrent(2, now_us_ + 2'000);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(CallTableTest, GoAwayResendsTheUnstartedCallsOnTheOtherConnection) {
  table_.SetCurrent(1, now_us_);
  auto* started = Call(1, 1'000'000);
  auto* unstarted = Call(2, 1'000'000);  // not idempotent: never ran, so resent anyway
  table_.SetCurrent(2, now_us_);
  table_.OnGoAway(1, /*last_request_id=*/1, now_us_);
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[2].conn, 2u);
  EXPECT_EQ(sent_[2].request.method(), 2u);
  EXPECT_EQ(table_.InFlight(1), 1u);
  EXPECT_EQ(table_.OnResponse(1, ResponseFrame(1, v1::OK, "a")), CallTable::Match::kMatched);
  EXPECT_EQ(table_.OnResponse(2, ResponseFrame(1, v1::OK, "b")), CallTable::Match::kMatched);
  EXPECT_EQ((*started)->body(), "a");
  EXPECT_EQ((*unstarted)->body(), "b");
}

TEST_F(CallTableTest, ACallbackMayCallAgainAndFailAllEndsEverything) {
  table_.SetCurrent(1, now_us_);
  std::optional<v1::Response>* second = nullptr;
  table_.Call({1, "", now_us_ + 1'000, false}, now_us_,
              [&](v1::Response) { second = Call(1, 1'000'000, /*idempotent=*/true); });
  table_.Expire(now_us_ + 1'000);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(table_.InFlight(1), 1u);
  table_.FailAll();
  EXPECT_EQ((*second)->status(), v1::UNAVAILABLE);
  EXPECT_EQ(table_.size(), 0u);
}

}  // namespace
}  // namespace shoal::peer

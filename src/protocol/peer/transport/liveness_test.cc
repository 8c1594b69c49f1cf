#include "protocol/peer/transport/liveness.h"

#include <gtest/gtest.h>

namespace shoal::peer {
namespace {

using Action = Liveness::Action;

TEST(PeerLiveness, PingsWhenIdleAndDiesAfterTheTimeout) {
  Liveness l(HeartbeatPolicy{}, 0);
  EXPECT_EQ(l.Tick(0), Action::kNone);
  EXPECT_EQ(l.NextTickUs(), 500'000);
  EXPECT_EQ(l.Tick(499'999), Action::kNone);
  EXPECT_EQ(l.Tick(500'000), Action::kSendPing);
  EXPECT_EQ(l.NextPingId(), 1u);
  l.OnFrameSent(500'000);
  EXPECT_EQ(l.Tick(600'000), Action::kNone);
  EXPECT_EQ(l.NextTickUs(), 1'000'000);
  EXPECT_EQ(l.NextPingId(), 2u);
  EXPECT_EQ(l.Tick(2'999'999), Action::kSendPing);
  EXPECT_EQ(l.Tick(3'000'000), Action::kDead);
  l.OnFrameReceived(3'000'001);
  EXPECT_EQ(l.Tick(3'000'001), Action::kDead) << "dead stays dead";
}

TEST(PeerLiveness, AnyFrameReceivedKeepsTheConnectionAlive) {
  Liveness l(HeartbeatPolicy{}, 0);
  for (int64_t t = 400'000; t <= 10'000'000; t += 400'000) {
    l.OnFrameReceived(t);
    l.OnFrameSent(t);
    EXPECT_EQ(l.Tick(t + 1), Action::kNone) << t;
  }
  EXPECT_EQ(l.NextTickUs(), 10'000'000 + 500'000);
}

}  // namespace
}  // namespace shoal::peer

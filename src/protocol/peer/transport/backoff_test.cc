#include "protocol/peer/transport/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace shoal::peer {
namespace {

TEST(PeerBackoff, DoublesToTheMaximumWithJitterInTheUpperHalf) {
  Backoff b(BackoffPolicy{}, 42);
  const int64_t ceilings[] = {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000};
  for (int64_t ceiling : ceilings) {
    EXPECT_EQ(b.ceiling_ms(), ceiling);
    const int64_t d = b.NextDelayMs();
    EXPECT_GE(d, ceiling / 2);
    EXPECT_LE(d, ceiling);
  }
}

TEST(PeerBackoff, JitterSpreadsAndIsReproducibleFromTheSeed) {
  std::set<int64_t> first_delays;
  for (uint64_t seed = 0; seed < 50; seed++) {
    Backoff a(BackoffPolicy{}, seed);
    Backoff b(BackoffPolicy{}, seed);
    for (int i = 0; i < 5; i++) EXPECT_EQ(a.NextDelayMs(), b.NextDelayMs());
    first_delays.insert(Backoff(BackoffPolicy{}, seed).NextDelayMs());
  }
  EXPECT_GT(first_delays.size(), 20u) << "50 nodes do not redial in step";
}

TEST(PeerBackoff, ResetsOnlyAfterAHealthyConnection) {
  Backoff b(BackoffPolicy{}, 7);
  for (int i = 0; i < 4; i++) b.NextDelayMs();
  EXPECT_EQ(b.ceiling_ms(), 1600);
  b.OnConnectionClosed(9'999);  // flapping: keep backing off
  EXPECT_EQ(b.ceiling_ms(), 1600);
  b.OnConnectionClosed(10'000);
  EXPECT_EQ(b.ceiling_ms(), 100);
}

}  // namespace
}  // namespace shoal::peer

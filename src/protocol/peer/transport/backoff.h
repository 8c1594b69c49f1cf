// Backoff: when to redial a peer after a failed or lost connection (docs/peer-protocol.md §9):
// exponential from initial_ms, doubling to max_ms, each wait drawn uniformly from
// [ceiling/2, ceiling] (jitter, so that nodes that lost a peer together do not redial in
// step), and back to initial_ms once a connection stayed open reset_after_ms.
//
// Thread: one Backoff per peer link, used by that link's thread. Pure: no clock (times are
// given), and the randomness comes from the seed, so the simulator replays it.
// Invariant: initial_ms/2 <= every delay <= max_ms.
#pragma once

#include <cstdint>

namespace shoal::peer {

struct BackoffPolicy {
  int64_t initial_ms = 100;
  int64_t max_ms = 10'000;
  int64_t reset_after_ms = 10'000;
};

class Backoff {
 public:
  // policy: 0 < initial_ms <= max_ms.
  Backoff(BackoffPolicy policy, uint64_t seed);

  // The wait before the next dial; raises the ceiling for the one after.
  int64_t NextDelayMs();
  // A connection that had been open for open_ms closed: the next delay starts over if it
  // lived long enough to count as healthy.
  void OnConnectionClosed(int64_t open_ms);

  int64_t ceiling_ms() const { return ceiling_ms_; }

 private:
  uint64_t NextRandom();

  BackoffPolicy policy_;
  int64_t ceiling_ms_;
  uint64_t state_;
};

}  // namespace shoal::peer

#include "protocol/peer/transport/backoff.h"

#include <algorithm>

namespace shoal::peer {

Backoff::Backoff(BackoffPolicy policy, uint64_t seed)
    : policy_(policy), ceiling_ms_(policy.initial_ms), state_(seed) {}

// splitmix64: a well-mixed sequence from any seed, 0 included.
uint64_t Backoff::NextRandom() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t Backoff::NextDelayMs() {
  const int64_t low = ceiling_ms_ / 2;
  const auto span = static_cast<uint64_t>(ceiling_ms_ - low + 1);
  const int64_t delay = low + static_cast<int64_t>(NextRandom() % span);
  ceiling_ms_ = std::min(ceiling_ms_ * 2, policy_.max_ms);
  return delay;
}

void Backoff::OnConnectionClosed(int64_t open_ms) {
  if (open_ms >= policy_.reset_after_ms) ceiling_ms_ = policy_.initial_ms;
}

}  // namespace shoal::peer

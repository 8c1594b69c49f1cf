// The transport's monotonic clock (steady_clock in microseconds) and the timer time point for
// one of its readings, shared by the Asio glue so that the pure parts get plain integers.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>

namespace shoal::peer {

inline int64_t MonotonicNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::chrono::steady_clock::time_point SteadyAtUs(int64_t us) {
  return std::chrono::steady_clock::time_point(std::chrono::microseconds(us));
}

}  // namespace shoal::peer

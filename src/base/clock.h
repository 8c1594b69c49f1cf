// Clocks behind an interface, so engine code can be driven by a fake clock in tests.
// SystemClock is stateless and safe from any thread.
#pragma once

#include <cstdint>

namespace shoal {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock Unix time in milliseconds (expiry deadlines are absolute Unix ms, as Redis).
  virtual int64_t NowMs() const = 0;
  // Monotonic microseconds for measuring durations.
  virtual int64_t MonotonicUs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t MonotonicUs() const override;
  static const SystemClock& Instance();
};

// A clock the test moves by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_; }
  int64_t MonotonicUs() const override { return now_ms_ * 1000; }
  void Advance(int64_t ms) { now_ms_ += ms; }

 private:
  int64_t now_ms_;
};

}  // namespace shoal

// Versions Shoal reports. kRedisCompatVersion is what INFO/HELLO call `redis_version`: the
// Redis release whose behaviour the test suite checks Shoal against (Debian's redis-server).
#pragma once

namespace shoal {
inline constexpr const char* kShoalVersion = "0.1.0";
inline constexpr const char* kRedisCompatVersion = "7.0.15";
}  // namespace shoal

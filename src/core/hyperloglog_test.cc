#include "core/hyperloglog.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace shoal::hll {
namespace {

TEST(HyperLogLogTest, EmptyCountsZeroAndRegistersRoundTrip) {
  std::string h = Create();
  EXPECT_TRUE(IsValid(h));
  EXPECT_EQ(Count(h), 0u);
  EXPECT_TRUE(Add(h, "a"));
  EXPECT_FALSE(Add(h, "a"));
  EXPECT_EQ(Count(h), 1u);
  EXPECT_FALSE(IsValid("SHLL"));
  EXPECT_FALSE(IsValid(std::string(kBytes, 'x')));
}

TEST(HyperLogLogTest, EstimatesWithinThreeStandardErrors) {
  std::string h = Create();
  uint64_t n = 0;
  for (uint64_t target : {10u, 100u, 1000u, 10000u, 100000u, 1000000u}) {
    for (; n < target; n++) Add(h, "element:" + std::to_string(n));
    const double error = std::fabs(static_cast<double>(Count(h)) - static_cast<double>(n)) / n;
    EXPECT_LT(error, 3 * 0.0081) << n << " counted " << Count(h);
  }
}

TEST(HyperLogLogTest, MergeEqualsTheUnion) {
  std::string a = Create(), b = Create(), both = Create();
  for (int i = 0; i < 5000; i++) {
    Add(a, std::to_string(i));
    Add(both, std::to_string(i));
  }
  for (int i = 2500; i < 9000; i++) {
    Add(b, std::to_string(i));
    Add(both, std::to_string(i));
  }
  Merge(a, b);
  EXPECT_EQ(a, both);
}

}  // namespace
}  // namespace shoal::hll

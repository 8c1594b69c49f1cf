#include "core/int_set.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace shoal {
namespace {

std::vector<int64_t> Values(const IntSet& s) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < s.size(); i++) out.push_back(s.At(i));
  return out;
}

TEST(IntSetTest, KeepsValuesSortedAndDistinct) {
  IntSet s;
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.AllocatedBytes(), 0u);
  EXPECT_FALSE(s.Contains(0));
  for (int64_t v : {5, -3, 9, 5, 0}) s.Insert(v);
  EXPECT_EQ(Values(s), (std::vector<int64_t>{-3, 0, 5, 9}));
  EXPECT_FALSE(s.Insert(9));
  EXPECT_TRUE(s.Erase(0));
  EXPECT_FALSE(s.Erase(0));
  EXPECT_EQ(Values(s), (std::vector<int64_t>{-3, 5, 9}));
  for (int64_t v : {-3, 5, 9}) EXPECT_TRUE(s.Erase(v));
  EXPECT_EQ(s.AllocatedBytes(), 0u);  // empty: no block
}

TEST(IntSetTest, WidensAtEachBoundaryKeepingOrder) {
  IntSet s;
  s.Insert(1);
  s.Insert(-1);
  const int64_t small_bytes = static_cast<int64_t>(s.AllocatedBytes());
  for (int64_t v :
       {int64_t{INT16_MAX}, int64_t{INT16_MIN}, int64_t{INT16_MAX} + 1, int64_t{INT16_MIN} - 1,
        int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1, INT64_MAX, INT64_MIN}) {
    EXPECT_TRUE(s.Insert(v));
    EXPECT_TRUE(s.Contains(v));
  }
  EXPECT_EQ(Values(s),
            (std::vector<int64_t>{INT64_MIN, int64_t{INT32_MIN} - 1, int64_t{INT16_MIN} - 1,
                                  INT16_MIN, -1, 1, INT16_MAX, int64_t{INT16_MAX} + 1,
                                  int64_t{INT32_MAX} + 1, INT64_MAX}));
  EXPECT_GT(static_cast<int64_t>(s.AllocatedBytes()), small_bytes);
  // Values wider than the width never match.
  IntSet narrow;
  narrow.Insert(7);
  EXPECT_FALSE(narrow.Contains(int64_t{7} + (int64_t{1} << 32)));
}

TEST(IntSetTest, SmallValuesTakeTwoBytesEach) {
  IntSet s;
  for (int64_t v = 0; v < 500; v++) s.Insert(v);
  // Two bytes a value, plus malloc's rounding (realloc may keep a slightly bigger chunk).
  EXPECT_LE(s.AllocatedBytes(), 8 + 500 * 2 + 48);
}

TEST(IntSetTest, RandomOperationsMatchAStdSet) {
  std::mt19937_64 rng(7);
  IntSet s;
  std::set<int64_t> model;
  const int64_t ranges[] = {100, 40000, int64_t{3} << 31, INT64_MAX};
  for (int step = 0; step < 20000; step++) {
    const int64_t range = ranges[(step / 5000) % 4];
    const auto v = static_cast<int64_t>(rng() % static_cast<uint64_t>(range)) - range / 2;
    if (rng() % 3 == 0) {
      ASSERT_EQ(s.Erase(v), model.erase(v) == 1);
    } else {
      ASSERT_EQ(s.Insert(v), model.insert(v).second);
    }
    ASSERT_EQ(s.size(), model.size());
    ASSERT_EQ(s.Contains(v), model.count(v) == 1);
  }
  EXPECT_EQ(Values(s), std::vector<int64_t>(model.begin(), model.end()));
  IntSet copy = s.Clone();
  EXPECT_EQ(Values(copy), Values(s));
  IntSet moved = std::move(copy);
  EXPECT_EQ(moved.size(), model.size());
}

}  // namespace
}  // namespace shoal

#include "core/set_object.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace shoal {
namespace {

std::set<std::string> Contents(const SetObject& s) {
  std::set<std::string> out;
  s.ForEach([&](std::string_view m) { out.emplace(m); });
  return out;
}

TEST(SetObjectTest, IntsStayAnIntsetUntilTheLimit) {
  SetLimits limits{.max_intset_entries = 4, .max_packed_entries = 8, .max_packed_value = 8};
  SetObject s;
  for (std::string m : {"3", "-1", "9223372036854775807", "3"}) s.Add(m, limits);
  EXPECT_EQ(s.EncodingName(), "intset");
  EXPECT_EQ(s.Length(), 3u);
  EXPECT_TRUE(s.Contains("-1"));
  EXPECT_FALSE(s.Contains("01"));  // not canonical: a different member
  EXPECT_TRUE(s.Add("01", limits));
  EXPECT_EQ(s.EncodingName(), "listpack");
  EXPECT_EQ(Contents(s), (std::set<std::string>{"3", "-1", "9223372036854775807", "01"}));
}

TEST(SetObjectTest, TooManyIntsGoStraightToTheTable) {
  SetLimits limits{.max_intset_entries = 3, .max_packed_entries = 8, .max_packed_value = 8};
  SetObject s;
  for (int i = 0; i < 3; ++i) s.Add(std::to_string(i), limits);
  EXPECT_FALSE(s.Add("0", limits));  // a member already there converts nothing
  EXPECT_EQ(s.EncodingName(), "intset");
  s.Add("3", limits);
  EXPECT_EQ(s.EncodingName(), "hashtable");
  EXPECT_EQ(s.Length(), 4u);
}

TEST(SetObjectTest, LongMembersOrManyConvertToTheTable) {
  SetLimits limits{.max_intset_entries = 4, .max_packed_entries = 2, .max_packed_value = 4};
  SetObject a;
  a.Add("ab", limits);
  a.Add("cd", limits);
  EXPECT_EQ(a.EncodingName(), "listpack");
  a.Add("ef", limits);
  EXPECT_EQ(a.EncodingName(), "hashtable");
  SetObject b;
  b.Add("toolong", limits);
  EXPECT_EQ(b.EncodingName(), "hashtable");
  EXPECT_TRUE(b.Remove("toolong"));
  EXPECT_EQ(b.Length(), 0u);
}

TEST(SetObjectTest, MemoryFollowsTheRepresentation) {
  EXPECT_EQ(sizeof(SetObject), 24u);  // one representation at a time
  SetLimits limits;
  SetObject s;
  for (int i = 0; i < 100; ++i) s.Add(std::to_string(i), limits);
  EXPECT_EQ(s.EncodingName(), "intset");
  EXPECT_LE(s.MemoryBytes(), 24 + 8 + 100 * 2 + 48u);  // two bytes a member, malloc rounding
  s.Add("a", limits);
  EXPECT_EQ(s.EncodingName(), "listpack");
  const size_t packed = s.MemoryBytes();
  s.Add(std::string(100, 'x'), limits);
  EXPECT_EQ(s.EncodingName(), "hashtable");
  EXPECT_GT(s.MemoryBytes(), packed);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(s.Remove(std::to_string(i)));
  EXPECT_EQ(s.Length(), 2u);
  EXPECT_EQ(Contents(s), (std::set<std::string>{"a", std::string(100, 'x')}));
}

TEST(SetObjectTest, RandomOperationsMatchAStdSet) {
  std::mt19937_64 rng(5);
  SetLimits limits{.max_intset_entries = 16, .max_packed_entries = 24, .max_packed_value = 6};
  SetObject s;
  std::set<std::string> model;
  for (int step = 0; step < 4000; ++step) {
    std::string m = step < 1500 ? std::to_string(rng() % 40) : "m" + std::to_string(rng() % 60);
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.Remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.Add(m, limits), model.insert(m).second);
    }
    ASSERT_EQ(s.Length(), model.size());
    if (!model.empty()) {
      EXPECT_EQ(model.count(s.RandomMember(rng)), 1u);
    }
  }
  EXPECT_EQ(Contents(s), model);
  std::unique_ptr<Object> copy = s.Clone();
  EXPECT_EQ(Contents(static_cast<SetObject&>(*copy)), model);
  std::string dump;
  s.Serialize(&dump);
  EXPECT_GT(dump.size(), model.size());
}

}  // namespace
}  // namespace shoal

#include "base/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shoal {
namespace {

TEST(HashTag, FollowsRedisClusterRules) {
  EXPECT_EQ(HashTag("{user1000}.following"), "user1000");
  EXPECT_EQ(HashTag("foo{}{bar}"), "foo{}{bar}");  // empty first tag: whole key
  EXPECT_EQ(HashTag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(HashTag("foo{bar}{zap}"), "bar");
  EXPECT_EQ(HashTag("nobraces"), "nobraces");
  EXPECT_EQ(HashTag("open{only"), "open{only");
}

TEST(ShardOfKey, SameTagSameShard) {
  for (uint32_t n : {1u, 2u, 3u, 8u}) {
    EXPECT_EQ(ShardOfKey("{tag}a", n), ShardOfKey("{tag}b", n));
    EXPECT_LT(ShardOfKey("anything", n), n);
  }
}

TEST(ShardOfKey, SpreadsKeys) {
  std::vector<int> counts(4);
  for (int i = 0; i < 4000; i++) counts[ShardOfKey("key:" + std::to_string(i), 4)]++;
  for (int c : counts) EXPECT_GT(c, 800);
}

}  // namespace
}  // namespace shoal

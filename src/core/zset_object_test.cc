#include "core/zset_object.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace shoal {
namespace {

using Model = std::set<std::pair<double, std::string>>;
using Pairs = std::vector<std::pair<double, std::string>>;

std::vector<std::pair<double, std::string>> Contents(const ZSetObject& z) {
  std::vector<std::pair<double, std::string>> out;
  z.ForRange(0, z.Length(), false, [&](ZElement e) {
    out.emplace_back(e.score, std::string(e.member));
    return true;
  });
  return out;
}

TEST(ZSetObjectTest, OrdersByScoreThenMember) {
  ZSetObject z;
  ZSetLimits limits;
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(z.Set("b", 1, limits));
  EXPECT_TRUE(z.Set("a", 1, limits));
  EXPECT_TRUE(z.Set("z", -inf, limits));
  EXPECT_TRUE(z.Set("top", inf, limits));
  EXPECT_FALSE(z.Set("z", 0.5, limits));
  EXPECT_EQ(Contents(z), (std::vector<std::pair<double, std::string>>{
                             {0.5, "z"}, {1, "a"}, {1, "b"}, {inf, "top"}}));
  EXPECT_EQ(z.Rank("b"), 2u);
  EXPECT_EQ(z.Score("top"), inf);
  EXPECT_EQ(z.EncodingName(), "listpack");
  std::vector<std::string> rev;
  z.ForRange(3, 2, true, [&](ZElement e) {
    rev.emplace_back(e.member);
    return true;
  });
  EXPECT_EQ(rev, (std::vector<std::string>{"top", "b"}));
}

TEST(ZSetObjectTest, RandomOperationsMatchAModelInBothEncodings) {
  std::mt19937 rng(9);
  for (size_t max_packed : {size_t{1000}, size_t{8}}) {
    ZSetLimits limits{.max_packed_entries = max_packed, .max_packed_value = 64};
    ZSetObject z;
    Model model;
    std::map<std::string, double> scores;
    for (int step = 0; step < 5000; ++step) {
      std::string m = "m" + std::to_string(rng() % 200);
      if (rng() % 4 == 0) {
        bool had = scores.count(m) != 0;
        if (had) model.erase({scores[m], m});
        scores.erase(m);
        ASSERT_EQ(z.Remove(m), had);
      } else {
        double s = static_cast<double>(static_cast<int>(rng() % 50) - 25) / 2;
        bool is_new = scores.count(m) == 0;
        if (!is_new) model.erase({scores[m], m});
        scores[m] = s;
        model.insert({s, m});
        ASSERT_EQ(z.Set(m, s, limits), is_new);
      }
      ASSERT_EQ(z.Length(), model.size());
      if (step % 97 == 0 && !model.empty()) {
        size_t rank = rng() % model.size();
        auto it = std::next(model.begin(), static_cast<ptrdiff_t>(rank));
        ZElement e = z.ElementAt(rank);
        EXPECT_EQ(e.member, it->second);
        EXPECT_EQ(z.Rank(it->second), rank);
        EXPECT_EQ(z.Score(it->second), it->first);
        size_t lb = z.LowerBound([](ZElement x) { return x.score >= 0; });
        auto mit = model.lower_bound({0.0, ""});
        EXPECT_EQ(lb, static_cast<size_t>(std::distance(model.begin(), mit)));
      }
    }
    EXPECT_EQ(Contents(z), Pairs(model.begin(), model.end()));
    EXPECT_EQ(z.EncodingName(), max_packed == 8 ? "skiplist" : "listpack");
    std::unique_ptr<Object> copy = z.Clone();
    EXPECT_EQ(Contents(static_cast<ZSetObject&>(*copy)), Contents(z));
    if (z.Length() > 10) {
      z.RemoveRange(3, 5);
      Pairs expect(model.begin(), model.end());
      expect.erase(expect.begin() + 3, expect.begin() + 8);
      EXPECT_EQ(Contents(z), expect);
    }
  }
}

}  // namespace
}  // namespace shoal

namespace shoal {
namespace {

TEST(ZSetObjectTest, PackedScoresRoundTripAtEveryWidth) {
  ZSetObject z;
  ZSetLimits limits;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> scores = {0,
                                1,
                                -1,
                                127,
                                128,
                                -128,
                                -129,
                                32767,
                                32768,
                                -8388608,
                                1e15,
                                -1e15,
                                9007199254740991.0,
                                9007199254740992.0,
                                0.5,
                                -2.25,
                                1e300,
                                -inf,
                                inf,
                                4503599627370496.5};
  for (size_t i = 0; i < scores.size(); ++i) z.Set("m" + std::to_string(i), scores[i], limits);
  ASSERT_EQ(z.EncodingName(), "listpack");
  for (size_t i = 0; i < scores.size(); ++i) {
    EXPECT_EQ(z.Score("m" + std::to_string(i)), scores[i]) << scores[i];
  }
  double prev = -inf;
  z.ForRange(0, z.Length(), false, [&](ZElement e) {
    EXPECT_LE(prev, e.score);
    prev = e.score;
    return true;
  });
}

}  // namespace
}  // namespace shoal

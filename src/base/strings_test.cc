#include "base/strings.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

TEST(ParseInt64, AcceptsCanonicalIntegers) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("-1"), -1);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), INT64_MIN);
}

TEST(ParseInt64, RejectsEverythingElse) {
  for (const char* s : {"", "-", "+1", " 1", "1 ", "01", "-0", "1.0", "9223372036854775808",
                        "-9223372036854775809", "99999999999999999999", "abc", "1e3"}) {
    EXPECT_FALSE(ParseInt64(s).has_value()) << s;
  }
}

TEST(ParseDouble, MatchesRedisRules) {
  EXPECT_EQ(ParseLongDouble("1.5"), 1.5L);
  EXPECT_TRUE(ParseLongDouble("inf").has_value());
  EXPECT_TRUE(ParseLongDouble("-inf").has_value());
  EXPECT_FALSE(ParseLongDouble("nan").has_value());
  EXPECT_FALSE(ParseLongDouble(" 1").has_value());
  EXPECT_FALSE(ParseLongDouble("1 ").has_value());
  EXPECT_FALSE(ParseLongDouble("").has_value());
  EXPECT_FALSE(ParseDouble("1x").has_value());
}

TEST(Format, HumanLongDoubleTrimsZeros) {
  EXPECT_EQ(FormatLongDoubleHuman(10.5L), "10.5");
  EXPECT_EQ(FormatLongDoubleHuman(3.0L), "3");
  EXPECT_EQ(FormatLongDoubleHuman(-0.0L), "0");
  EXPECT_EQ(FormatLongDoubleHuman(10.5L + 0.1L), "10.6");
  EXPECT_EQ(FormatDouble(1.5), "1.5");
  EXPECT_EQ(FormatInt64(INT64_MIN), "-9223372036854775808");
}

TEST(GlobMatch, RedisPatterns) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h*llo", "heeeello"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h\\*llo", "h*llo"));
  EXPECT_FALSE(GlobMatch("h\\*llo", "hello"));
  EXPECT_TRUE(GlobMatch("HELLO", "hello", /*nocase=*/true));
  EXPECT_FALSE(GlobMatch("a*b", "acbx"));
  // Pathological pattern must finish quickly.
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(200, 'a')));
}

}  // namespace
}  // namespace shoal

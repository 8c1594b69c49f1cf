#include "server/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace shoal {
namespace {

TEST(ParseMemory, Units) {
  EXPECT_EQ(*ParseMemory("100"), 100u);
  EXPECT_EQ(*ParseMemory("1k"), 1000u);
  EXPECT_EQ(*ParseMemory("1KB"), 1024u);
  EXPECT_EQ(*ParseMemory("2mb"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseMemory("1gb"), 1024ULL * 1024 * 1024);
  EXPECT_FALSE(ParseMemory("").ok());
  EXPECT_FALSE(ParseMemory("-1").ok());
  EXPECT_FALSE(ParseMemory("1tb").ok());
  EXPECT_FALSE(ParseMemory("99999999999999999999gb").ok());
}

TEST(SplitConfigLine, QuotesAndEscapes) {
  auto words = SplitConfigLine("bind 127.0.0.1 \"::1\"  'a b'");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(*words, (std::vector<std::string>{"bind", "127.0.0.1", "::1", "a b"}));
  auto esc = SplitConfigLine(R"(requirepass "a\"b\n")");
  ASSERT_TRUE(esc.ok());
  EXPECT_EQ((*esc)[1], "a\"b\n");
  EXPECT_FALSE(SplitConfigLine("x \"unterminated").ok());
}

TEST(ConfigRegistry, FileFlagsAndRuntimeRules) {
  ServerConfig config;
  ConfigRegistry registry(&config);
  std::string path = ::testing::TempDir() + "/shoal_config_test.conf";
  {
    std::ofstream f(path);
    f << "# comment\n\nport 7777\nmaxmemory 10mb\nmaxmemory-policy allkeys-lru\n";
  }
  ASSERT_TRUE(registry.LoadFile(path).ok());
  EXPECT_EQ(config.port, 7777);
  EXPECT_EQ(config.engine.maxmemory.load(), 10u * 1024 * 1024);
  EXPECT_EQ(config.engine.maxmemory_policy.load(), EvictionPolicy::kAllKeysLru);

  std::vector<std::string> v = {"1234"};
  EXPECT_FALSE(registry.Set("port", v, /*at_startup=*/false).ok());  // immutable at run time
  std::vector<std::string> bad = {"sometimes"};
  EXPECT_FALSE(registry.Set("maxmemory-policy", bad, false).ok());
  EXPECT_FALSE(registry.Set("nosuch", v, false).ok());
  std::vector<std::string_view> pattern = {"maxmemory*"};
  auto got = registry.Get(pattern);
  EXPECT_EQ(got.size(), 3u);  // maxmemory, maxmemory-policy, maxmemory-samples

  {
    std::ofstream f(path);
    f << "port notanumber\n";
  }
  Status s = registry.LoadFile(path);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(":1:"), std::string::npos) << s.message();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace shoal

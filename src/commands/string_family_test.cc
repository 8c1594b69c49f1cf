// String commands run in-process through the real dispatcher (no sockets), from both shards.
#include <gtest/gtest.h>

#include "server/command_runner.h"

namespace shoal {
namespace {

class StringFamilyTest : public ::testing::Test {
 protected:
  Reply Run(std::vector<std::string> args, uint32_t shard = 0) { return server_.Run(args, shard); }
  std::string Bulk(std::vector<std::string> args, uint32_t shard = 0) {
    Reply r = Run(std::move(args), shard);
    EXPECT_EQ(r.kind, Reply::Kind::kBulk) << r.text;
    return r.text;
  }
  int64_t Int(std::vector<std::string> args) {
    Reply r = Run(std::move(args));
    EXPECT_EQ(r.kind, Reply::Kind::kInteger) << r.text;
    return r.integer;
  }
  std::string Err(std::vector<std::string> args) {
    Reply r = Run(std::move(args));
    EXPECT_TRUE(r.is_error());
    return r.text;
  }
  InProcessServer server_{2};
};

TEST_F(StringFamilyTest, SetGetFromEveryShard) {
  for (int i = 0; i < 50; i++) {
    std::string k = "key" + std::to_string(i);
    EXPECT_EQ(Run({"SET", k, "v" + k}, i % 2).text, "OK");
    EXPECT_EQ(Bulk({"GET", k}, (i + 1) % 2), "v" + k);
  }
  EXPECT_TRUE(Run({"GET", "missing"}).is_null());
}

TEST_F(StringFamilyTest, BinaryAndEmptyValues) {
  std::string bin("a\0b\r\nc", 6);
  Run({"SET", bin, bin});
  EXPECT_EQ(Bulk({"GET", bin}), bin);
  Run({"SET", "", ""});
  EXPECT_EQ(Bulk({"GET", ""}), "");
  std::string big(1 << 20, 'x');
  Run({"SET", "big", big});
  EXPECT_EQ(Bulk({"GET", "big"}), big);
}

TEST_F(StringFamilyTest, SetOptions) {
  EXPECT_TRUE(Run({"SET", "k", "1", "XX"}).is_null());
  EXPECT_EQ(Run({"SET", "k", "1", "NX"}).text, "OK");
  EXPECT_TRUE(Run({"SET", "k", "2", "NX"}).is_null());
  EXPECT_EQ(Bulk({"SET", "k", "3", "GET"}), "1");
  EXPECT_EQ(Err({"SET", "k", "1", "NX", "XX"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "1", "EX", "0"}), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(Err({"SET", "k", "1", "EX", "abc"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Err({"SET", "k", "1", "EX", "10", "PX", "10"}), "ERR syntax error");
  EXPECT_EQ(Err({"SET", "k", "1", "KEEPTTL", "EX", "10"}), "ERR syntax error");
  EXPECT_EQ(Run({"SET", "k", "1", "EX", "100"}).text, "OK");
  EXPECT_EQ(Int({"TTL", "k"}), 100);
  EXPECT_EQ(Run({"SET", "k", "2", "KEEPTTL"}).text, "OK");
  EXPECT_EQ(Int({"TTL", "k"}), 100);
  EXPECT_EQ(Run({"SET", "k", "3"}).text, "OK");
  EXPECT_EQ(Int({"TTL", "k"}), -1);
}

TEST_F(StringFamilyTest, Counters) {
  EXPECT_EQ(Int({"INCR", "n"}), 1);
  EXPECT_EQ(Int({"INCRBY", "n", "-11"}), -10);
  EXPECT_EQ(Int({"DECRBY", "n", "5"}), -15);
  Run({"SET", "n", "9223372036854775807"});
  EXPECT_EQ(Err({"INCR", "n"}), "ERR increment or decrement would overflow");
  EXPECT_EQ(Err({"DECRBY", "n", "-9223372036854775808"}), "ERR decrement would overflow");
  Run({"SET", "s", "abc"});
  EXPECT_EQ(Err({"INCR", "s"}), "ERR value is not an integer or out of range");
  Run({"SET", "f", "10.5"});
  EXPECT_EQ(Bulk({"INCRBYFLOAT", "f", "0.1"}), "10.6");
  EXPECT_EQ(Bulk({"INCRBYFLOAT", "f", "-0.6"}), "10");
  EXPECT_EQ(Err({"INCRBYFLOAT", "f", "inf"}), "ERR increment would produce NaN or Infinity");
}

TEST_F(StringFamilyTest, RangesAndAppend) {
  EXPECT_EQ(Int({"APPEND", "a", "Hello"}), 5);
  EXPECT_EQ(Int({"APPEND", "a", " World"}), 11);
  EXPECT_EQ(Bulk({"GETRANGE", "a", "0", "4"}), "Hello");
  EXPECT_EQ(Bulk({"GETRANGE", "a", "-5", "-1"}), "World");
  EXPECT_EQ(Bulk({"GETRANGE", "a", "5", "3"}), "");
  EXPECT_EQ(Int({"SETRANGE", "z", "3", "ab"}), 5);
  EXPECT_EQ(Bulk({"GET", "z"}), std::string("\0\0\0ab", 5));
  EXPECT_EQ(Err({"SETRANGE", "z", "-1", "x"}), "ERR offset is out of range");
  EXPECT_EQ(Err({"SETRANGE", "z", "536870911", "xx"}),
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(Int({"SETRANGE", "empty", "10", ""}), 0);
  EXPECT_EQ(Int({"EXISTS", "empty"}), 0);
}

TEST_F(StringFamilyTest, MultiKeyAcrossShards) {
  std::vector<std::string> mset = {"MSET"};
  std::vector<std::string> mget = {"MGET"};
  for (int i = 0; i < 20; i++) {
    mset.push_back("m" + std::to_string(i));
    mset.push_back(std::to_string(i));
    mget.push_back("m" + std::to_string(i));
  }
  mget.push_back("nope");
  EXPECT_EQ(Run(mset).text, "OK");
  Reply r = Run(mget, 1);
  ASSERT_EQ(r.elements.size(), 21u);
  for (int i = 0; i < 20; i++)
    EXPECT_EQ(r.elements[static_cast<size_t>(i)].text, std::to_string(i));
  EXPECT_TRUE(r.elements[20].is_null());
  EXPECT_EQ(Int({"MSETNX", "m0", "x", "fresh", "y"}), 0);
  EXPECT_EQ(Int({"EXISTS", "fresh"}), 0);
  EXPECT_EQ(Int({"MSETNX", "fresh", "x", "fresh2", "y"}), 1);
  EXPECT_EQ(Err({"MSET", "a", "1", "b"}), "ERR wrong number of arguments for 'mset' command");
}

TEST_F(StringFamilyTest, Lcs) {
  Run({"MSET", "key1", "ohmytext", "key2", "mynewtext"});
  EXPECT_EQ(Bulk({"LCS", "key1", "key2"}), "mytext");
  EXPECT_EQ(Int({"LCS", "key1", "key2", "LEN"}), 6);
  Reply idx = Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"});
  ASSERT_EQ(idx.elements.size(), 4u);
  EXPECT_EQ(idx.elements[0].text, "matches");
  ASSERT_EQ(idx.elements[1].elements.size(), 1u);
  EXPECT_EQ(idx.elements[1].elements[0].elements[2].integer, 4);
  EXPECT_EQ(idx.elements[3].integer, 6);
}

TEST_F(StringFamilyTest, ErrorsForUnknownAndArity) {
  EXPECT_EQ(Err({"NOSUCH", "a", "b"}),
            "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(Err({"GET"}), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(Err({"GET", "a", "b"}), "ERR wrong number of arguments for 'get' command");
}

}  // namespace
}  // namespace shoal

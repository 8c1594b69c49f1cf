// Key commands in-process: expiry arithmetic, renames across shards, SCAN across shards.
#include <gtest/gtest.h>

#include <set>

#include "server/command_runner.h"

namespace shoal {
namespace {

class KeysFamilyTest : public ::testing::Test {
 protected:
  Reply Run(std::vector<std::string> args, uint32_t shard = 0) { return server_.Run(args, shard); }
  int64_t Int(std::vector<std::string> args) {
    Reply r = Run(std::move(args));
    EXPECT_EQ(r.kind, Reply::Kind::kInteger) << r.text;
    return r.integer;
  }
  InProcessServer server_{3};
};

TEST_F(KeysFamilyTest, ExpireOptions) {
  Run({"SET", "k", "v"});
  EXPECT_EQ(Int({"EXPIRE", "k", "100", "XX"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "k", "100", "GT"}), 0);  // no TTL counts as infinite
  EXPECT_EQ(Int({"EXPIRE", "k", "100", "LT"}), 1);
  EXPECT_EQ(Int({"EXPIRE", "k", "50", "GT"}), 0);
  EXPECT_EQ(Int({"EXPIRE", "k", "200", "GT"}), 1);
  EXPECT_EQ(Int({"EXPIRE", "k", "300", "NX"}), 0);
  EXPECT_EQ(Run({"EXPIRE", "k", "1", "NX", "XX"}).text,
            "ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(Int({"TTL", "k"}), 200);
  EXPECT_EQ(Int({"PERSIST", "k"}), 1);
  EXPECT_EQ(Int({"TTL", "k"}), -1);
  EXPECT_EQ(Int({"TTL", "missing"}), -2);
  EXPECT_EQ(Int({"EXPIRE", "k", "-1"}), 1);  // a deadline in the past deletes
  EXPECT_EQ(Int({"EXISTS", "k"}), 0);
  EXPECT_EQ(Run({"EXPIRE", "k", "9223372036854775807"}).text,
            "ERR invalid expire time in 'expire' command");
}

TEST_F(KeysFamilyTest, RenameAcrossShardsKeepsTtl) {
  for (int i = 0; i < 30; i++) {
    std::string src = "src" + std::to_string(i), dst = "dst" + std::to_string(i);
    Run({"SET", src, "v" + std::to_string(i), "EX", "1000"});
    EXPECT_EQ(Run({"RENAME", src, dst}, static_cast<uint32_t>(i % 3)).text, "OK");
    EXPECT_EQ(Run({"GET", dst}).text, "v" + std::to_string(i));
    EXPECT_GT(Int({"TTL", dst}), 990);
    EXPECT_EQ(Int({"EXISTS", src}), 0);
  }
  EXPECT_EQ(Run({"RENAME", "nope", "x"}).text, "ERR no such key");
  Run({"SET", "a", "1"});
  Run({"SET", "b", "2"});
  EXPECT_EQ(Int({"RENAMENX", "a", "b"}), 0);
  EXPECT_EQ(Int({"COPY", "a", "c"}), 1);
  EXPECT_EQ(Int({"COPY", "a", "c"}), 0);
  EXPECT_EQ(Int({"COPY", "a", "c", "DB", "1"}), 1);
  EXPECT_EQ(Int({"MOVE", "a", "1"}), 1);
  EXPECT_EQ(Int({"EXISTS", "a"}), 0);
}

TEST_F(KeysFamilyTest, ScanVisitsEveryShard) {
  std::set<std::string> all;
  for (int i = 0; i < 500; i++) {
    std::string k = "scan:" + std::to_string(i);
    Run({"SET", k, "1"});
    all.insert(k);
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    Reply r = Run({"SCAN", cursor, "COUNT", "37"});
    ASSERT_EQ(r.elements.size(), 2u);
    cursor = r.elements[0].text;
    for (const Reply& k : r.elements[1].elements) seen.insert(k.text);
    ASSERT_LT(++calls, 1000);
  } while (cursor != "0");
  EXPECT_EQ(seen, all);
  EXPECT_EQ(Int({"DBSIZE"}), 500);
  EXPECT_EQ(Run({"KEYS", "scan:1?"}).elements.size(), 10u);
  EXPECT_EQ(Run({"SCAN", "abc"}).text, "ERR invalid cursor");
}

TEST_F(KeysFamilyTest, DumpRestoreRoundTrip) {
  Run({"SET", "i", "12345"});
  Run({"SET", "s", "hello"});
  for (std::string k : {"i", "s"}) {
    Reply dump = Run({"DUMP", k});
    ASSERT_EQ(dump.kind, Reply::Kind::kBulk);
    EXPECT_EQ(Run({"RESTORE", k, "0", dump.text}).text, "BUSYKEY Target key name already exists.");
    EXPECT_EQ(Run({"RESTORE", k + "2", "5000", dump.text}).text, "OK");
    EXPECT_EQ(Run({"GET", k + "2"}).text, Run({"GET", k}).text);
    EXPECT_GT(Int({"PTTL", k + "2"}), 0);
    std::string bad = dump.text;
    bad[0] ^= 1;
    EXPECT_EQ(Run({"RESTORE", "x", "0", bad}).text,
              "ERR DUMP payload version or checksum are wrong");
  }
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "i2"}).text, "int");
  EXPECT_EQ(Run({"OBJECT", "ENCODING", "s2"}).text, "embstr");
}

TEST_F(KeysFamilyTest, FlushAndSwap) {
  Run({"SET", "a", "1"});
  Run({"SELECT", "2"});
  Run({"SWAPDB", "0", "1"});
  Run({"SELECT", "1"});
  EXPECT_EQ(Run({"GET", "a"}).text, "1");
  EXPECT_EQ(Run({"FLUSHALL"}).text, "OK");
  EXPECT_EQ(Int({"DBSIZE"}), 0);
  EXPECT_EQ(Run({"SELECT", "16"}).text, "ERR DB index is out of range");
}

}  // namespace
}  // namespace shoal

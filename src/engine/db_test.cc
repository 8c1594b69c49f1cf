#include "engine/db.h"

#include <gtest/gtest.h>

#include <string>

#include "base/clock.h"
#include "engine/shard.h"

namespace shoal {
namespace {

class DbTest : public ::testing::Test {
 protected:
  EngineOptions options_;
  ShardStats stats_;
  CasClock cas_clock_{3};
  ManualClock clock_{1'000'000'000};
  std::mt19937_64 rng_{42};
};

TEST_F(DbTest, LazyExpiryOnAccess) {
  Db db(&stats_, &options_, &cas_clock_);
  int64_t now = clock_.NowMs();
  db.Insert(Entry::Create("k", "v"), now, now + 100);
  EXPECT_NE(db.FindForRead("k", now + 99), nullptr);
  EXPECT_EQ(db.FindForRead("k", now + 100), nullptr);
  EXPECT_EQ(stats_.expired_keys, 1u);
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.volatile_size(), 0u);
}

TEST_F(DbTest, ActiveExpiryRemovesUntouchedKeys) {
  Db db(&stats_, &options_, &cas_clock_);
  int64_t now = clock_.NowMs();
  for (int i = 0; i < 1000; i++) {
    db.Insert(Entry::Create("k" + std::to_string(i), "v"), now, now + (i < 900 ? 10 : 100000));
  }
  // Deadline far away in monotonic time: the cycle stops on its own when few keys expire.
  for (int round = 0; round < 100 && db.size() > 100; round++) {
    db.ActiveExpire(now + 20, clock_.MonotonicUs() + 1'000'000'000, clock_, rng_);
  }
  EXPECT_EQ(db.size(), 100u);
  EXPECT_EQ(stats_.expired_keys, 900u);
}

TEST_F(DbTest, MemoryAccountingReturnsToBaseline) {
  int64_t baseline = stats_.used_bytes;
  {
    Db db(&stats_, &options_, &cas_clock_);
    int64_t empty = stats_.used_bytes;
    int64_t now = clock_.NowMs();
    for (int i = 0; i < 10000; i++) {
      Entry* e = db.Insert(Entry::Create("key" + std::to_string(i), std::string(100, 'x')), now);
      if (i % 2) db.SetExpire(e, now + 1000);
    }
    EXPECT_GT(stats_.used_bytes, empty + 10000 * 100);
    Entry* e = db.FindForWrite("key1", now);
    size_t old = e->AllocatedBytes();
    db.Updated(e, Entry::SetValue(e, std::string(5000, 'y')), old);
    for (int i = 0; i < 10000; i += 3) {
      Entry* d = db.Peek("key" + std::to_string(i), now);
      if (d) db.Delete(d);
    }
    db.Clear();
    EXPECT_EQ(stats_.used_bytes, empty);
  }
  EXPECT_EQ(stats_.used_bytes, baseline);
}

TEST_F(DbTest, LazyFlushEmptiesAtOnceAndFreesInSteps) {
  Shard shard(0, &options_, &clock_);
  const int64_t baseline = shard.stats().used_bytes;
  int64_t now = clock_.NowMs();
  for (int d = 0; d < 2; d++) {
    for (int i = 0; i < 5000; i++) {
      Entry* e = Entry::Create("key" + std::to_string(i), std::string(50, 'x'));
      shard.db(d).Insert(e, now, i % 2 ? now + 1000 : 0);
    }
  }
  const int64_t full = shard.stats().used_bytes;
  shard.FlushLazily(shard.db(0));
  shard.FlushLazily(shard.db(1));
  EXPECT_EQ(shard.db(0).size(), 0u);  // empty at once
  EXPECT_EQ(shard.db(1).volatile_size(), 0u);
  EXPECT_EQ(shard.lazy_free_pending(), 10000u);
  EXPECT_EQ(shard.stats().used_bytes, full);  // still held until freed
  // New keys go into the emptied Db while the old ones are freed.
  shard.db(0).Insert(Entry::Create("key1", "new"), now);
  int steps = 0;
  while (shard.FreeLazily(999)) steps++;
  EXPECT_EQ(steps, 10);  // 10000 keys in steps of 999
  EXPECT_EQ(shard.lazy_free_pending(), 0u);
  EXPECT_EQ(shard.stats().lazyfreed_keys, 10000u);
  ASSERT_NE(shard.db(0).Peek("key1", now), nullptr);
  shard.db(0).Clear();
  EXPECT_EQ(shard.stats().used_bytes, baseline);
}

TEST_F(DbTest, PersistAndDetachKeepVolatileIndexConsistent) {
  Db db(&stats_, &options_, &cas_clock_);
  int64_t now = clock_.NowMs();
  for (int i = 0; i < 100; i++) {
    db.Insert(Entry::Create("k" + std::to_string(i), "v"), now, now + 1000 + i);
  }
  for (int i = 0; i < 100; i += 2) db.Persist(db.Peek("k" + std::to_string(i), now));
  int64_t at = 0;
  Entry* e = db.Detach("k1", &at);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(at, now + 1001);
  db.Insert(e, now, at);
  EXPECT_EQ(db.volatile_size(), 50u);
  // Every key with a deadline is still found by expiry: expire them all.
  for (int round = 0; round < 200 && db.size() > 50; round++) {
    db.ActiveExpire(now + 5000, clock_.MonotonicUs() + 1'000'000'000, clock_, rng_);
  }
  EXPECT_EQ(db.size(), 50u);
  EXPECT_EQ(db.volatile_size(), 0u);
}

TEST_F(DbTest, EvictionSamplesOnlyVolatileWhenAsked) {
  Db db(&stats_, &options_, &cas_clock_);
  int64_t now = clock_.NowMs();
  for (int i = 0; i < 50; i++) db.Insert(Entry::Create("p" + std::to_string(i), "v"), now);
  db.Insert(Entry::Create("vol", "v"), now, now + 10000);
  Entry* out[8];
  size_t n = db.Sample(rng_, /*volatile_only=*/true, out, 8);
  ASSERT_GE(n, 1u);
  for (size_t i = 0; i < n; i++) EXPECT_EQ(out[i]->key(), "vol");
}

// memcached CAS uniques: entries with an item block get a new one on every insert and value
// update, none on a deadline change; they only grow, also for a key moved to a shard whose
// clock is behind; entries without the block are left alone.
TEST_F(DbTest, CasUniquesOfItemEntries) {
  const int64_t now = clock_.NowMs();
  Db db(&stats_, &options_, &cas_clock_);
  Entry* item = db.Insert(Entry::WithItemBlock(Entry::Create("item", "v"), true), now);
  Entry* plain = db.Insert(Entry::Create("plain", "v"), now);
  EXPECT_FALSE(plain->has_item_block());
  const uint64_t first = item->cas();
  EXPECT_NE(first, 0u);
  EXPECT_EQ(first & ((1u << CasClock::kShardBits) - 1), 3u) << "the shard id is in the unique";

  size_t old_bytes = item->MemoryBytes();
  item = db.Updated(item, Entry::Append(item, "more"), old_bytes);
  const uint64_t second = item->cas();
  EXPECT_GT(second, first);
  item = db.SetExpire(item, now + 10'000);
  EXPECT_EQ(item->cas(), second) << "touch keeps the unique";
  item = db.Persist(item);
  EXPECT_EQ(item->cas(), second);

  // Moved to a shard whose clock has handed out nothing yet: still above the old unique.
  CasClock behind(1);
  ShardStats other_stats;
  Db other(&other_stats, &options_, &behind);
  int64_t deadline = 0;
  Entry* moved = db.Detach("item", &deadline);
  moved = other.Insert(moved, now);
  EXPECT_GT(moved->cas(), second);
  EXPECT_EQ(moved->cas() & ((1u << CasClock::kShardBits) - 1), 1u);
  EXPECT_NE(CasClock(1).Next(0), CasClock(2).Next(0)) << "shards never share a unique";
}

}  // namespace
}  // namespace shoal

#include "engine/lock_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shoal {
namespace {

LockRequest Keys(std::initializer_list<std::pair<const char*, LockMode>> keys, int db = 0) {
  LockRequest r;
  for (const auto& [k, m] : keys) r.keys.push_back(LockKey{db, k, m});
  return r;
}

TEST(LockTable, SharedLocksCoexistExclusiveDoesNot) {
  LockTable t;
  EXPECT_TRUE(t.idle());
  LockRequest r1 = Keys({{"a", LockMode::kShared}});
  t.Acquire(r1);
  EXPECT_FALSE(t.idle());
  EXPECT_TRUE(t.CanRun(Keys({{"a", LockMode::kShared}})));
  EXPECT_FALSE(t.CanRun(Keys({{"a", LockMode::kExclusive}})));
  EXPECT_TRUE(t.CanRun(Keys({{"b", LockMode::kExclusive}})));
  EXPECT_TRUE(t.CanRun(Keys({{"a", LockMode::kExclusive}}, /*db=*/1)));  // other database
  t.Release(r1);
  EXPECT_TRUE(t.idle());
}

TEST(LockTable, CanRunKeyAgreesWithCanRun) {
  LockTable t;
  const std::string long_key(100, 'k');  // beyond any small-string buffer
  LockRequest held = Keys({{"a", LockMode::kShared}, {long_key.c_str(), LockMode::kExclusive}});
  t.Acquire(held);
  for (const char* key : {"a", "b", long_key.c_str()}) {
    for (LockMode mode : {LockMode::kShared, LockMode::kExclusive}) {
      for (int db : {0, 1}) {
        EXPECT_EQ(t.CanRunKey(LockKey{db, key, mode}), t.CanRun(Keys({{key, mode}}, db)))
            << key << " " << db;
      }
    }
  }
  EXPECT_FALSE(t.CanRunKey(LockKey{0, long_key, LockMode::kShared}));
  EXPECT_TRUE(t.CanRunKey(LockKey{0, "a", LockMode::kShared}));
  t.Release(held);
  EXPECT_EQ(t.held_keys(), 0u);
  LockRequest whole;
  whole.whole_shard = true;
  t.Acquire(whole);
  EXPECT_FALSE(t.CanRunKey(LockKey{0, "b", LockMode::kShared}));
  t.Release(whole);
}

TEST(LockTable, WaitersRunInArrivalOrderWhenFree) {
  LockTable t;
  LockRequest held = Keys({{"a", LockMode::kExclusive}});
  t.Acquire(held);
  std::vector<int> order;
  t.Wait(Keys({{"a", LockMode::kShared}}), false, MakeTask([&] { order.push_back(1); }));
  // "b" is free, but a waiter is queued: arrivals queue behind it (no overtaking).
  EXPECT_FALSE(t.CanRun(Keys({{"b", LockMode::kShared}})));
  t.Wait(Keys({{"b", LockMode::kShared}}), false, MakeTask([&] { order.push_back(2); }));
  EXPECT_TRUE(order.empty());
  t.Release(held);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_TRUE(t.idle());
}

TEST(LockTable, AcquiringWaiterHoldsItsLocks) {
  LockTable t;
  LockRequest first = Keys({{"a", LockMode::kExclusive}});
  t.Acquire(first);
  LockRequest second = Keys({{"a", LockMode::kExclusive}});
  bool ran = false;
  t.Wait(second, /*acquire=*/true, MakeTask([&] { ran = true; }));
  t.Release(first);
  EXPECT_TRUE(ran);
  EXPECT_FALSE(t.CanRun(Keys({{"a", LockMode::kShared}})));  // now held by `second`
  t.Release(second);
  EXPECT_TRUE(t.idle());
}

TEST(LockTable, WholeShardConflictsWithEverything) {
  LockTable t;
  LockRequest whole;
  whole.whole_shard = true;
  EXPECT_TRUE(t.CanRun(whole));
  t.Acquire(whole);
  EXPECT_FALSE(t.CanRun(Keys({{"x", LockMode::kShared}})));
  t.Release(whole);
  LockRequest key = Keys({{"x", LockMode::kShared}});
  t.Acquire(key);
  EXPECT_FALSE(t.CanRun(whole));
  t.Release(key);
}

TEST(LockTable, TaskReleasingLocksInsideRunKeepsOrder) {
  LockTable t;
  LockRequest held = Keys({{"a", LockMode::kExclusive}});
  t.Acquire(held);
  std::vector<int> order;
  LockRequest inner = Keys({{"a", LockMode::kExclusive}});
  t.Wait(inner, true, MakeTask([&] {
           order.push_back(1);
           t.Release(inner);  // re-entrant release from inside a waiter
         }));
  t.Wait(Keys({{"a", LockMode::kShared}}), false, MakeTask([&] { order.push_back(2); }));
  t.Release(held);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_TRUE(t.idle());
}

}  // namespace
}  // namespace shoal

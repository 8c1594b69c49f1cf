#include "engine/shard_set.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <future>
#include <vector>

#include "engine/transaction.h"

namespace shoal {
namespace {

// Runs `fn` as a coroutine on shard `origin` and waits for it.
template <typename Fn>
void RunOn(ShardSet& set, uint32_t origin, Fn fn) {
  std::promise<void> done;
  boost::asio::co_spawn(
      set.context(origin),
      [&]() -> boost::asio::awaitable<void> {
        co_await fn();
        done.set_value();
      },
      boost::asio::detached);
  done.get_future().get();
}

TEST(ShardSet, HopRunsOnTheOwnerThread) {
  EngineOptions options;
  options.num_shards = 4;
  options.mailbox_capacity = 2;  // tiny: exercises the outbox backpressure path
  ShardSet set(&options, &SystemClock::Instance());
  set.Start(nullptr);
  RunOn(set, 0, [&]() -> boost::asio::awaitable<void> {
    for (int round = 0; round < 100; round++) {
      for (uint32_t target = 0; target < 4; target++) {
        int seen = -1;
        auto body = [&](Shard& s) {
          seen = ShardSet::CurrentShard();
          EXPECT_EQ(s.id(), target);
        };
        co_await set.Execute(target, nullptr, false, body);
        EXPECT_EQ(seen, static_cast<int>(target));
        EXPECT_EQ(ShardSet::CurrentShard(), 0);  // resumed at home
      }
    }
  });
  set.Stop();
  set.Join();
}

TEST(ShardSet, ParallelHopsRunOnTheirShardsAndJoin) {
  EngineOptions options;
  options.num_shards = 4;
  options.mailbox_capacity = 2;
  ShardSet set(&options, &SystemClock::Instance());
  set.Start(nullptr);
  RunOn(set, 1, [&]() -> boost::asio::awaitable<void> {
    for (int round = 0; round < 200; round++) {
      // Every shard, the caller's own included, some twice.
      const std::vector<uint32_t> targets = {3, 1, 0, 2, 1};
      std::vector<int> ran_on(targets.size(), -1);
      auto gate_of = [](size_t) { return std::optional<LockRequest>(); };
      auto body = [&](Shard& s, size_t i) {
        EXPECT_EQ(s.id(), targets[i]);
        ran_on[i] = ShardSet::CurrentShard();
      };
      co_await set.ExecuteParallel(std::span<const uint32_t>(targets), gate_of, body);
      EXPECT_EQ(ShardSet::CurrentShard(), 1);  // resumed at home
      for (size_t i = 0; i < targets.size(); i++)
        EXPECT_EQ(ran_on[i], static_cast<int>(targets[i]));
    }
  });
  set.Stop();
  set.Join();
}

TEST(ShardSet, ParallelHopWaitsForItsGate) {
  EngineOptions options;
  options.num_shards = 2;
  ShardSet set(&options, &SystemClock::Instance());
  set.Start(nullptr);
  const LockRequest held{{LockKey{0, "k", LockMode::kExclusive}}};
  bool released = false;
  bool ran_before_release = false;
  // Shard 1 holds an exclusive lock on "k"; a parallel read of "k" from shard 0 must wait.
  RunOn(set, 1, [&]() -> boost::asio::awaitable<void> {
    set.shard(1).locks().Acquire(held);
    co_return;
  });
  std::promise<void> read_done;
  boost::asio::co_spawn(
      set.context(0),
      [&]() -> boost::asio::awaitable<void> {
        const std::vector<uint32_t> targets = {1, 0};
        auto gate_of = [](size_t) { return LockRequest{{LockKey{0, "k", LockMode::kShared}}}; };
        auto body = [&](Shard&, size_t i) {
          if (i == 0) ran_before_release = !released;
        };
        co_await set.ExecuteParallel(std::span<const uint32_t>(targets), gate_of, body);
        read_done.set_value();
      },
      boost::asio::detached);
  std::future<void> read_future = read_done.get_future();
  EXPECT_EQ(read_future.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  RunOn(set, 1, [&]() -> boost::asio::awaitable<void> {
    released = true;
    set.shard(1).locks().Release(held);
    co_return;
  });
  read_future.get();
  EXPECT_FALSE(ran_before_release);
  set.Stop();
  set.Join();
}

TEST(ShardSet, TransactionsFromEveryShardDoNotDeadlock) {
  EngineOptions options;
  options.num_shards = 3;
  ShardSet set(&options, &SystemClock::Instance());
  set.Start(nullptr);
  // Each shard runs many transactions over the same keys concurrently; a counter per key
  // is incremented under exclusive locks, so lost updates would show.
  constexpr int kPerShard = 300;
  std::vector<std::string> keys = {"a", "b", "c", "d", "e", "f"};
  std::vector<std::future<void>> done;
  std::vector<std::promise<void>> promises(3);
  std::vector<std::vector<int>> counters(3, std::vector<int>(keys.size(), 0));
  for (uint32_t origin = 0; origin < 3; origin++) {
    done.push_back(promises[origin].get_future());
    boost::asio::co_spawn(
        set.context(origin),
        [&, origin]() -> boost::asio::awaitable<void> {
          for (int i = 0; i < kPerShard; i++) {
            Transaction tx(&set, 0, false);
            std::vector<uint32_t> owner;
            for (const auto& k : keys) owner.push_back(tx.AddKey(k, LockMode::kExclusive));
            co_await tx.Lock();
            for (uint32_t s : tx.shards()) {
              auto body = [&](Shard& shard) {
                for (size_t k = 0; k < keys.size(); k++) {
                  if (owner[k] == s) counters[shard.id()][k]++;
                }
              };
              co_await tx.Run(s, body);
            }
          }
          promises[origin].set_value();
        },
        boost::asio::detached);
  }
  for (auto& f : done) f.get();
  set.Stop();
  set.Join();
  for (size_t k = 0; k < keys.size(); k++) {
    int total = 0;
    for (uint32_t s = 0; s < 3; s++) total += counters[s][k];
    EXPECT_EQ(total, 3 * kPerShard) << keys[k];
  }
}

}  // namespace
}  // namespace shoal

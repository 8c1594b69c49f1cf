// Shard: one thread's slice of the whole keyspace (every database), its key locks for
// multi-shard operations, its counters, eviction and the periodic cron (active expiry,
// incremental rehash).
//
// Thread ownership: everything in a Shard is touched only by its own thread; other shards
// reach it by sending a task through ShardSet. No locks on this path.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "base/clock.h"
#include "engine/blocking_table.h"
#include "engine/db.h"
#include "engine/lock_table.h"
#include "engine/options.h"

namespace shoal {

class Shard {
 public:
  Shard(uint32_t id, const EngineOptions* options, const Clock* clock);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  uint32_t id() const { return id_; }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  // index must be in [0, num_dbs()).
  Db& db(int index) { return *dbs_[static_cast<size_t>(index)]; }
  // Blocked clients stay with the database number; the swapped databases' waited keys are
  // served if they now exist.
  void SwapDbs(int a, int b);

  // Clients blocked on this shard's keys (docs/blocking.md). ServeBlocked runs after each
  // piece of work on the shard (every hop body, every shard handler) and serves the waited
  // keys it created.
  BlockingTable& blocking() { return blocking_; }
  void ServeBlocked() {
    if (blocking_.has_ready()) blocking_.ServeReady(*this);
  }

  LockTable& locks() { return locks_; }
  ShardStats& stats() { return stats_; }
  const EngineOptions& options() const { return *options_; }
  const Clock& clock() const { return *clock_; }
  std::mt19937_64& rng() { return rng_; }
  int64_t NowMs() const { return clock_->NowMs(); }

  // The memory this shard may use: maxmemory / num_shards (0 = unlimited).
  uint64_t MemoryLimit() const;
  // For commands that may grow memory: evicts keys as the policy allows until the shard is
  // within its limit. False means the command must be refused with -OOM.
  bool EnsureMemory();

  // Periodic work, called `hz` times per second on the shard thread: active expiry of every
  // database within a time budget, then a bounded incremental rehash step.
  void Cron();

  size_t TotalKeys() const;

  // FLUSHDB/FLUSHALL ASYNC: `db` is empty at once; its former keys are freed later in steps
  // of FreeLazily, between other work, and count in used memory until then.
  void FlushLazily(Db& db);
  // Frees up to `max_entries` keys of lazily flushed databases; true while some remain.
  bool FreeLazily(size_t max_entries);
  size_t lazy_free_pending() const;  // keys still to free

 private:
  bool EvictOne();

  uint32_t id_;
  const EngineOptions* options_;
  const Clock* clock_;
  BlockingTable blocking_;
  CasClock cas_clock_;
  std::vector<std::unique_ptr<Db>> dbs_;
  LockTable locks_;
  ShardStats stats_;
  std::mt19937_64 rng_;
  size_t expire_db_cursor_ = 0;
  struct LazyFree {
    Dict dict;
    size_t cursor = 0;
  };
  std::deque<LazyFree> lazy_free_;
};

}  // namespace shoal

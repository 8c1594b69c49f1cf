// Transaction: runs one command that touches keys on several shards atomically with respect
// to every other client (scheme: docs/multi-key-atomicity.md).
//
//   1. Lock: for each involved shard in ascending id order, hop there and take the keys'
//      locks (shared for reads, exclusive for writes), waiting in that shard's FIFO while
//      another transaction holds a conflicting lock. Ascending order makes deadlock
//      impossible; holding every lock before any work is strict two-phase locking.
//   2. Run: hop to each shard, do the shard's part, release that shard's locks.
// A command whose keys all live on one shard skips step 1: its single hop waits until its
// keys are free and runs atomically on the owning thread.
//
// Thread ownership: a Transaction lives in one connection coroutine on one shard thread.
// Every shard locked in step 1 must be run (Run or Finish) exactly once so its locks go.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "engine/lock_table.h"
#include "engine/shard_set.h"

namespace shoal {

class Transaction {
 public:
  // `locks_held`: the caller already holds every shard (a command inside EXEC); nothing is
  // locked or waited for, the parts just run.
  Transaction(ShardSet* shards, int db, bool locks_held)
      : shards_(shards), db_(db), requests_(shards->size()), locks_held_(locks_held) {}

  // Declare the keys before Lock(). Returns the shard that owns `key`. The key's bytes must
  // outlive the transaction (they are the command's arguments).
  uint32_t AddKey(std::string_view key, LockMode mode) {
    uint32_t s = ShardOfKey(key, shards_->size());
    requests_[s].keys.push_back(LockKey{db_, key, mode});
    return s;
  }
  // Lock every shard entirely (FLUSHALL, SWAPDB): nothing else runs until each shard's part.
  void AddAllShards() {
    for (auto& r : requests_) r.whole_shard = true;
  }

  // Shards involved, ascending.
  std::vector<uint32_t> shards() const {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < requests_.size(); i++) {
      if (involved(i)) out.push_back(i);
    }
    return out;
  }
  bool multi_shard() const { return shards().size() > 1; }

  // `single_shard_too`: lock even when every key is on one shard. Needed by commands that run
  // more than one part on that shard (check, then write), which would otherwise let other
  // clients in between.
  boost::asio::awaitable<void> Lock(bool single_shard_too = false) {
    std::vector<uint32_t> involved_shards = shards();
    if (involved_shards.empty() || locks_held_) co_return;
    if (involved_shards.size() == 1 && !single_shard_too) co_return;
    locked_ = true;
    auto nothing = [](Shard&) {};
    for (uint32_t s : involved_shards) {
      co_await shards_->Execute(s, &requests_[s], /*acquire=*/true, nothing);
    }
  }

  // Runs `body(Shard&)` on `shard`. With `release`, that shard's locks are dropped right after;
  // pass false to read first and write in a second Run (e.g. MSETNX).
  template <typename Body>
  boost::asio::awaitable<void> Run(uint32_t shard, Body& body, bool release = true) {
    if (!locked_) {
      co_await shards_->Execute(shard, gate(shard), /*acquire=*/false, body);
      co_return;
    }
    LockRequest* request = &requests_[shard];
    auto wrapped = [&body, request, release](Shard& s) {
      body(s);
      if (release) {
        s.locks().Release(*request);
        request->keys.clear();
        request->whole_shard = false;
      }
    };
    co_await shards_->Execute(shard, nullptr, false, wrapped);
  }

  // After Lock(): runs `body(Shard&)` on every involved shard at once and releases each
  // shard's locks right after its part; resumes when all have run. (Unlocked, i.e. one
  // shard: its part waits until the keys are free, as Run.)
  template <typename Body>
  boost::asio::awaitable<void> RunAll(Body& body) {
    std::vector<uint32_t> targets = shards();
    auto gate_of = [this, &targets](size_t i) {
      if (locked_ || locks_held_) return std::optional<LockRequest>();  // the locks are ours
      return std::optional<LockRequest>(requests_[targets[i]]);
    };
    auto part = [this, &body](Shard& s, size_t) {
      body(s);
      ReleaseOn(s);
    };
    co_await shards_->ExecuteParallel(std::span<const uint32_t>(targets), gate_of, part);
  }

  // Lock() and RunAll() with one round trip less: once every lower shard is locked, the
  // highest shard runs its part in the hop that finds its keys free, without taking their
  // locks (nothing interleaves with a task on its thread). That is still two-phase locking:
  // at that moment every key of the transaction is held, none released before. So the run
  // is atomic: a reader of the highest shard's keys who then reads another shard's keys
  // waits for their locks and sees those parts done too.
  template <typename Body>
  boost::asio::awaitable<void> LockAndRunAll(Body& body) {
    std::vector<uint32_t> involved = shards();
    if (involved.size() > 1 && !locks_held_) {
      locked_ = true;
      auto nothing = [](Shard&) {};
      for (size_t i = 0; i + 1 < involved.size(); i++) {
        co_await shards_->Execute(involved[i], &requests_[involved[i]], /*acquire=*/true, nothing);
      }
      const uint32_t last = involved.back();
      auto last_part = [this, &body](Shard& s) {
        body(s);
        requests_[s.id()] = LockRequest();  // done; its locks were never taken
      };
      co_await shards_->Execute(last, &requests_[last], /*acquire=*/false, last_part);
    }
    co_await RunAll(body);
  }

  // Releases the locks of shards that were not run with release (an early exit).
  boost::asio::awaitable<void> Finish() {
    if (!locked_) co_return;
    auto nothing = [](Shard&) {};
    for (uint32_t s = 0; s < requests_.size(); s++) {
      if (involved(s)) co_await Run(s, nothing, true);
    }
  }

 private:
  // On shard `s`'s thread, after its part: drops its locks (if taken); it is no longer involved.
  void ReleaseOn(Shard& s) {
    LockRequest& request = requests_[s.id()];
    if (locked_) s.locks().Release(request);
    request.keys.clear();
    request.whole_shard = false;
  }

  bool involved(uint32_t s) const { return requests_[s].whole_shard || !requests_[s].keys.empty(); }
  // What an unlocked part waits for: its keys, unless the caller holds every shard.
  const LockRequest* gate(uint32_t s) const { return locks_held_ ? nullptr : &requests_[s]; }

  ShardSet* shards_;
  int db_;
  std::vector<LockRequest> requests_;
  bool locked_ = false;
  bool locks_held_;
};

}  // namespace shoal

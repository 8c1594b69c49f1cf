// LockTable: the key locks one shard holds for multi-shard operations (see
// docs/multi-key-atomicity.md). A cross-shard command first locks its keys on every shard it
// touches, in ascending shard order, then runs on each shard and releases that shard's locks.
// Single-shard commands take no locks: they run only when none of their keys is locked
// (they are atomic anyway, running on the owning thread), else they wait here in FIFO order.
//
// Thread ownership: owned by one shard thread; not thread-safe.
// Invariants: a key is held either by any number of shared holders or by one exclusive holder;
// a whole-shard lock conflicts with every key; waiters run in arrival order (a waiter that
// cannot run blocks every waiter behind it), so no request is overtaken forever.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "io/task.h"

namespace shoal {

enum class LockMode : uint8_t { kShared, kExclusive };

// A key a request wants. `key` is a view: it must stay valid while the request is held or
// waiting (it points into the requesting command's arguments, which live until it finishes).
struct LockKey {
  int db = 0;
  std::string_view key;
  LockMode mode = LockMode::kExclusive;
};

// What a request wants: some keys, or the whole shard.
struct LockRequest {
  std::vector<LockKey> keys;
  bool whole_shard = false;
};

class LockTable {
 public:
  // True when nothing is locked and nobody waits: the fast path for single-shard commands.
  bool idle() const { return held_.empty() && whole_shard_holders_ == 0 && waiters_.empty(); }

  // True when `request` could run now: no conflict with held locks and no earlier waiter.
  bool CanRun(const LockRequest& request) const;
  // CanRun for a single-key request, without building one.
  bool CanRunKey(const LockKey& key) const;

  void Acquire(const LockRequest& request);
  void Release(const LockRequest& request);

  // Queue `task` to run once `request` no longer conflicts. With `acquire`, the locks are
  // taken just before the task runs (a lock request); otherwise the task only needs the keys
  // free at that moment (a single-shard command).
  void Wait(LockRequest request, bool acquire, TaskPtr task);

  size_t waiting() const { return waiters_.size(); }
  size_t held_keys() const { return held_.size(); }

 private:
  struct Holders {
    uint32_t shared = 0;
    bool exclusive = false;
  };
  struct Waiter {
    LockRequest request;
    bool acquire;
    TaskPtr task;
  };

  // held_ is keyed by Id(db, key): the 4 db bytes, then the key. Lookups go by IdView
  // (heterogeneous), so only taking a new lock allocates.
  struct IdView {
    int db;
    std::string_view key;
  };
  struct IdHash {
    using is_transparent = void;
    size_t operator()(const IdView& v) const;
    size_t operator()(const std::string& id) const;
  };
  struct IdEqual {
    using is_transparent = void;
    static IdView View(const std::string& id);
    bool operator()(const IdView& a, const std::string& b) const;
    bool operator()(const std::string& a, const IdView& b) const { return (*this)(b, a); }
    bool operator()(const std::string& a, const std::string& b) const { return a == b; }
  };
  static std::string Id(int db, std::string_view key);
  bool KeyConflicts(const LockKey& key) const;
  bool Conflicts(const LockRequest& request) const;
  void RunReadyWaiters();

  boost::unordered_flat_map<std::string, Holders, IdHash, IdEqual> held_;
  uint32_t whole_shard_holders_ = 0;
  std::deque<Waiter> waiters_;
  bool running_waiters_ = false;
};

}  // namespace shoal

// BlockingTable: the clients of one shard blocked on its keys (BLPOP & co,
// docs/blocking.md): (db, key) → the waiters in blocking order, and the keys that were
// created while somebody waits for them ("ready"), to be served after the current work.
//
// Thread ownership: a BlockingTable belongs to its shard thread. A BlockedClient is shared
// (shared_ptr) by the client's coroutine (on the client's shard thread) and by every shard
// it is registered on; its claim is the only state they race on, hence atomic.
// Invariants: a waiter appears at most once per (db, key); ready keys are served only when
// no lock is held on them (a transaction that created them has finished).
#pragma once

#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/value_type.h"

namespace shoal {

class Shard;
class Db;

class BlockedClient {
 public:
  // `type`: the value type that can serve it (a key holding another type is left alone).
  explicit BlockedClient(ValueType type) : type_(type) {}
  virtual ~BlockedClient() = default;
  BlockedClient(const BlockedClient&) = delete;
  BlockedClient& operator=(const BlockedClient&) = delete;

  ValueType type() const { return type_; }

  // Any thread: true for exactly one caller over the waiter's life, the one that decides
  // its outcome (a shard serving it, or the client timing out or going away).
  bool TryClaim() {
    bool expected = false;
    return claimed_.compare_exchange_strong(expected, true, std::memory_order_acq_rel);
  }

  // On the thread of the shard owning `key`, after this shard won TryClaim: `key` exists in
  // `db` and holds type(). Takes what the client waits for and wakes it.
  virtual void Serve(Shard& shard, Db& db, std::string_view key) = 0;

 private:
  const ValueType type_;
  std::atomic<bool> claimed_{false};
};

class BlockingTable {
 public:
  bool empty() const { return by_key_.empty(); }
  size_t size() const { return by_key_.size(); }  // keys with waiters

  void Add(int db, std::string_view key, std::shared_ptr<BlockedClient> waiter);
  void Remove(int db, std::string_view key, const BlockedClient* waiter);

  // Db::Insert: `key` was created in `db`; when somebody waits for it, it becomes ready.
  void KeyCreated(int db, std::string_view key);
  // SWAPDB: every waited key of `db` may now exist.
  void DbReplaced(int db);

  bool has_ready() const { return !ready_.empty(); }
  // Serves the ready keys (see BlockedClient::Serve): per key, in FIFO order the waiters for
  // the type it holds, as long as it holds one (others keep their place). A locked key is
  // served once its locks go.
  void ServeReady(Shard& shard);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  using Waiters = std::deque<std::shared_ptr<BlockedClient>>;

  // The map key: the 4 bytes of the db number, then the key.
  static std::string Id(int db, std::string_view key);
  // ServeKey defers to the lock queue while the key is locked; ServeWaiters serves.
  void ServeKey(Shard& shard, const std::string& id);
  void ServeWaiters(Shard& shard, const std::string& id);

  boost::unordered_flat_map<std::string, Waiters, Hash, Equal> by_key_;
  std::vector<std::string> ready_;  // Ids
  bool serving_ = false;
};

}  // namespace shoal

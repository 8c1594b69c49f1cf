// WatchTable: the WATCHed keys of one Db (one shard's slice of one database), for
// optimistic transactions (MULTI/EXEC/WATCH, docs/transactions.md).
//
// A client's WATCH registers its WatchFlag under each key on the key's shard. Every change to
// a watched key (write, delete, expiry, eviction, FLUSHDB/FLUSHALL/SWAPDB) sets the flag;
// EXEC refuses to run when it is set. Entries are removed by UNWATCH, EXEC, DISCARD, RESET and
// disconnection (commands/multi_family.cc).
//
// Thread ownership: a WatchTable belongs to its shard thread. A WatchFlag is shared between the
// client's connection thread (which reads it at EXEC) and every shard holding one of its keys
// (which set it): hence shared_ptr and an atomic flag.
#pragma once

#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shoal {

struct WatchFlag {
  std::atomic<bool> dirty{false};
};

class WatchTable {
 public:
  bool empty() const { return by_key_.empty(); }
  size_t size() const { return by_key_.size(); }  // watched keys

  void Add(std::string_view key, std::shared_ptr<WatchFlag> flag);
  void Remove(std::string_view key, const WatchFlag* flag);
  // Sets the flag of every client watching `key`.
  void Touch(std::string_view key);
  // Sets the flags of the watched keys for which exists(key) is true (FLUSHDB, FLUSHALL and
  // SWAPDB change only the keys that exist, as Redis).
  template <typename Pred>
  void TouchIf(Pred&& exists) {
    for (auto& [key, flags] : by_key_) {
      if (!exists(std::string_view(key))) continue;
      for (const auto& flag : flags) flag->dirty.store(true, std::memory_order_relaxed);
    }
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };
  boost::unordered_flat_map<std::string, std::vector<std::shared_ptr<WatchFlag>>, Hash, Equal>
      by_key_;
};

}  // namespace shoal

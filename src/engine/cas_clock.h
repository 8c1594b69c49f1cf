// CasClock: the source of memcached CAS uniques for one shard's entries that carry an item
// block (docs/memcache.md, "CAS uniques").
//
// A unique is (counter << kShardBits) | shard id, so two shards never hand out the same one.
// Next(previous) is above both this clock's last value and `previous` (a Lamport clock): a
// key's unique only ever grows, even after RENAME or MOVE brought it from a shard whose
// counter was ahead, so a client's stale unique can never match the key again.
//
// Thread ownership: one per Shard, used only by that shard's thread.
#pragma once

#include <algorithm>
#include <cstdint>

namespace shoal {

class CasClock {
 public:
  static constexpr int kShardBits = 10;  // room for 1024 shards (--shards allows 256)

  explicit CasClock(uint32_t shard_id) : shard_id_(shard_id) {}

  uint64_t Next(uint64_t previous) {
    counter_ = std::max(counter_, previous >> kShardBits) + 1;
    return counter_ << kShardBits | shard_id_;
  }

 private:
  uint64_t shard_id_;
  uint64_t counter_ = 0;
};

}  // namespace shoal

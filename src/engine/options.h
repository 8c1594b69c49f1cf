// EngineOptions: the knobs of the data engine, shared read-only by all shards. Values that
// CONFIG SET may change at run time are atomics, read with relaxed ordering by the shards.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/hash_object.h"
#include "core/list_object.h"
#include "core/set_object.h"
#include "core/zset_object.h"

namespace shoal {

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

// Redis's names ("allkeys-lru", ...). ParseEvictionPolicy returns false for unknown names.
std::string_view EvictionPolicyName(EvictionPolicy p);
bool ParseEvictionPolicy(std::string_view name, EvictionPolicy* out);

struct EngineOptions {
  uint32_t num_shards = 1;
  int num_databases = 16;
  // 0 = unlimited. Each shard enforces maxmemory / num_shards on its own slice (shared nothing).
  std::atomic<uint64_t> maxmemory{0};
  std::atomic<EvictionPolicy> maxmemory_policy{EvictionPolicy::kNoEviction};
  std::atomic<int> maxmemory_samples{5};
  std::atomic<int> lfu_log_factor{10};
  std::atomic<int> lfu_decay_time{1};
  // Active expiry: cycles per second and effort 1..10 as Redis's active-expire-effort.
  std::atomic<int> hz{10};
  std::atomic<int> active_expire_effort{1};
  uint32_t mailbox_capacity = 4096;
  // Small collections stay packed up to these sizes (Redis's *-max-listpack-*).
  std::atomic<int64_t> hash_max_listpack_entries{512};
  std::atomic<int64_t> hash_max_listpack_value{64};

  std::atomic<int64_t> set_max_intset_entries{512};
  std::atomic<int64_t> set_max_listpack_entries{128};
  std::atomic<int64_t> set_max_listpack_value{64};

  std::atomic<int64_t> list_max_listpack_size{-2};

  ListLimits list_limits() const {
    return {list_max_listpack_size.load(std::memory_order_relaxed)};
  }
  std::atomic<int64_t> zset_max_listpack_entries{128};
  std::atomic<int64_t> zset_max_listpack_value{64};

  ZSetLimits zset_limits() const {
    return {static_cast<size_t>(zset_max_listpack_entries.load(std::memory_order_relaxed)),
            static_cast<size_t>(zset_max_listpack_value.load(std::memory_order_relaxed))};
  }
  SetLimits set_limits() const {
    return {static_cast<size_t>(set_max_intset_entries.load(std::memory_order_relaxed)),
            static_cast<size_t>(set_max_listpack_entries.load(std::memory_order_relaxed)),
            static_cast<size_t>(set_max_listpack_value.load(std::memory_order_relaxed))};
  }
  HashLimits hash_limits() const {
    return {static_cast<size_t>(hash_max_listpack_entries.load(std::memory_order_relaxed)),
            static_cast<size_t>(hash_max_listpack_value.load(std::memory_order_relaxed))};
  }
};

}  // namespace shoal

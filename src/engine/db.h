// Db: one shard's slice of one logical database (SELECT index): the key table, the index of
// keys with a deadline, lazy and active expiry, access tracking for LRU/LFU, and memory
// accounting.
//
// Thread ownership: a Db belongs to its shard thread; nothing here is thread-safe.
// Invariants:
//  - every Entry in dict_ with has_expiry_block() is in volatile_ at volatile_index();
//    volatile_ holds nothing else;
//  - stats_->used_bytes includes MemoryBytes() of every entry and dict_.BucketBytes();
//  - an Entry pointer returned by a lookup is valid until the next mutation of this Db;
//  - every mutation of a key goes through a method below, which touches its watchers;
//  - an entry with an item block gets a new CAS unique from the shard's CasClock whenever it
//    is inserted or its value is updated (Insert, Updated); a deadline change keeps it, as
//    memcached's touch does.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "core/dict.h"
#include "core/entry.h"
#include "engine/blocking_table.h"
#include "engine/cas_clock.h"
#include "engine/options.h"
#include "engine/watch_table.h"

namespace shoal {

// Counters of one shard, summed over shards by INFO.
struct ShardStats {
  int64_t used_bytes = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t lazyfreed_keys = 0;  // freed in steps after FLUSHDB/FLUSHALL ASYNC
  int64_t blocked_clients = 0;  // connections of this shard waiting in a blocking command

  // CONFIG RESETSTAT: zeroes the event counters; used_bytes is state, not a counter, and stays.
  void ResetCounters() {
    expired_keys = 0;
    evicted_keys = 0;
    keyspace_hits = 0;
    keyspace_misses = 0;
    lazyfreed_keys = 0;
  }
};

class Db {
 public:
  Db(ShardStats* stats, const EngineOptions* options, CasClock* cas_clock);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Lookup with lazy expiry. FindForRead counts keyspace hits/misses; both update the access
  // bits used by LRU/LFU eviction. Peek does neither (TTL, TYPE, EXISTS-style checks).
  Entry* FindForRead(std::string_view key, int64_t now_ms);
  Entry* FindForWrite(std::string_view key, int64_t now_ms);
  Entry* Peek(std::string_view key, int64_t now_ms);
  // Pipelines: prefetching the keys of a batch before running it overlaps their cache misses.
  // PrefetchBucket(KeyHash(k)) for all keys first, then PrefetchChain for all (Dict's hints).
  static uint64_t KeyHash(std::string_view key);
  void PrefetchBucket(uint64_t key_hash) const { dict_.PrefetchBucket(key_hash); }
  void PrefetchChain(uint64_t key_hash) const { dict_.PrefetchChain(key_hash); }

  // Adds a new key (must be absent) and takes ownership. `expire_at_ms` > 0 sets a deadline.
  Entry* Insert(Entry* e, int64_t now_ms, int64_t expire_at_ms = 0);
  void Delete(Entry* e);
  // Removes the key from this Db without freeing it (RENAME, MOVE); its deadline is returned
  // in *expire_at_ms (0 = none) and the expiry block stays, so it can be re-inserted.
  Entry* Detach(std::string_view key, int64_t* expire_at_ms);
  // Bookkeeping after Entry::SetValue/Append/SetRange returned `updated` for `old_entry`
  // (possibly the same pointer): fixes tables and memory. `old_bytes` is old MemoryBytes().
  Entry* Updated(Entry* old_entry, Entry* updated, size_t old_bytes);
  // Memory bookkeeping only, for a change that is not a modification of the key's value
  // (a read that compacted an object): watchers are not touched.
  void Reaccount(const Entry* e, size_t old_bytes) {
    stats_->used_bytes += static_cast<int64_t>(e->MemoryBytes()) - static_cast<int64_t>(old_bytes);
  }

  // Sets or clears a key's deadline. Returns the (possibly moved) entry.
  Entry* SetExpire(Entry* e, int64_t expire_at_ms);
  Entry* Persist(Entry* e);

  // Active expiry: samples keys with deadlines and deletes the expired ones until less than
  // a quarter of a sample was expired or `budget_us` of monotonic time is used.
  // Returns the number of keys deleted.
  size_t ActiveExpire(int64_t now_ms, int64_t deadline_us, const Clock& clock,
                      std::mt19937_64& rng);

  // Eviction candidates: up to `count` entries, from all keys or only keys with deadlines.
  size_t Sample(std::mt19937_64& rng, bool volatile_only, Entry** out, size_t count) const;
  Entry* RandomKey(std::mt19937_64& rng, int64_t now_ms);

  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const {
    return dict_.Scan(cursor, std::forward<Fn>(fn));
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    dict_.ForEach(std::forward<Fn>(fn));
  }

  size_t size() const { return dict_.size(); }
  size_t volatile_size() const { return volatile_.size(); }
  int64_t avg_ttl_ms(int64_t now_ms) const;
  void Clear();
  // FLUSHDB ASYNC: empties the Db at once and returns its former contents, still counted in
  // used memory until the caller frees them (Shard's lazy free).
  Dict TakeContents();
  void RehashStep(size_t buckets);
  void swap(Db& other) noexcept;

  // The WATCHed keys of this Db; every change to one of them (above) sets its watchers' flags.
  WatchTable& watches() { return watches_; }
  // Blocking pops: Insert reports new keys to the shard's table, under this Db's number.
  void AttachBlocking(BlockingTable* table, int index) {
    blocking_ = table;
    index_ = index;
  }

  // Access bits (24 bits in Entry::access): LRU = seconds clock; LFU = minutes << 8 | counter.
  void Touch(Entry* e, int64_t now_ms) const;
  static uint32_t LruClock(int64_t now_ms) {
    return static_cast<uint32_t>(now_ms / 1000) & 0xFFFFFF;
  }
  // Seconds since last access under LRU tracking.
  static int64_t IdleSeconds(const Entry* e, int64_t now_ms);
  // The decayed LFU counter (Redis's LFUDecrAndReturn).
  uint32_t LfuCounter(const Entry* e, int64_t now_ms) const;
  bool tracks_lfu() const;

 private:
  void AddVolatile(Entry* e);
  void RemoveVolatile(Entry* e);
  bool ExpireIfNeeded(Entry* e, int64_t now_ms);
  void AccountBuckets(size_t before);
  // Before FLUSH/SWAPDB replaces this Db's keys with `contents`' (itself for a flush):
  // touches the watched keys that exist in either.
  void TouchExisting(const Db& contents);
  void Changed(const Entry* e) {
    if (!watches_.empty()) watches_.Touch(e->key());  // key() decodes: only when watched
  }
  void StampCas(Entry* e) {
    if (e->has_item_block()) e->set_cas(cas_clock_->Next(e->cas()));
  }

  Dict dict_;
  std::vector<Entry*> volatile_;
  WatchTable watches_;
  BlockingTable* blocking_ = nullptr;
  int index_ = 0;
  ShardStats* stats_;
  const EngineOptions* options_;
  CasClock* cas_clock_;
};

}  // namespace shoal

// Dict: the keyspace hash table of a shard. An intrusive chained table of Entry* (the chain link
// is Entry::next) with power-of-two bucket arrays and Redis-style incremental rehashing: while
// resizing, two tables exist and entries move from the old one to the new one a bucket at a time.
//
// Thread ownership: a Dict and its entries are owned by one shard thread. Not thread-safe.
//
// Invariants:
//  - bucket counts are powers of two (at least kMinBuckets once anything was inserted); an entry
//    with hash h lives in bucket h & mask of exactly one table;
//  - not rehashing: only table 0 is in use. Rehashing: table 0 is the old table, table 1 the new
//    one; every bucket of table 0 below rehash_idx_ is empty; inserts go to table 1;
//  - growth starts when an insert finds size >= buckets (load factor 1.0), to the next power of
//    two >= size + 1; shrinking starts when an unlink (or the end of a rehash) leaves
//    size < buckets / 8, to the next power of two >= 2 * size (at least kMinBuckets), so the
//    load after a shrink is at most 1/2 and growth and shrinking do not alternate;
//  - a new resize never starts while one is in progress;
//  - Insert, Unlink and FindLink move one bucket (RehashStep(1)); const functions never rehash;
//  - the Dict owns its entries: the destructor and Clear() call Entry::Destroy on each.
//
// Memory: one pointer per bucket: 8 to 16 bytes per key in a growing table, up to 64 before a
// shrink starts; both arrays while a resize is in progress.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <utility>

#include "core/entry.h"

namespace shoal {

class Dict {
 public:
  static constexpr size_t kMinBuckets = 4;

  Dict() = default;
  ~Dict();  // destroys all entries
  Dict(Dict&& other) noexcept;
  Dict& operator=(Dict&& other) noexcept;  // destroys this Dict's entries first
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  void swap(Dict& other) noexcept;

  size_t size() const { return t_[0].used + t_[1].used; }
  bool empty() const { return size() == 0; }
  // Buckets in both tables (the new table's too while rehashing).
  size_t bucket_count() const { return t_[0].size() + t_[1].size(); }

  // The entry with `key`, or nullptr. One hash computation; no rehash work.
  Entry* Find(std::string_view key) const;
  // Prefetching for a batch of lookups (memory-level parallelism): call PrefetchBucket for
  // every key of the batch, then PrefetchChain for every key, then look them up. Hints only:
  // no effect on the contents, safe on an empty Dict.
  void PrefetchBucket(uint64_t hash) const;
  // Needs the bucket in cache to be useful: prefetches the first entry of hash's chain.
  void PrefetchChain(uint64_t hash) const;

  // Find for write: does one rehash step, then returns the address of the link that points at the
  // entry with `key` (a bucket slot or the previous entry's `next`), or nullptr. `*link` may be
  // overwritten with a reallocated entry for the same key (Entry's reallocating functions keep
  // `next`). Valid until the next call that modifies the Dict.
  Entry** FindLink(std::string_view key);
  // Adds `e` (its key must be absent; e->next is overwritten). Does one rehash step and may start
  // a growth.
  void Insert(Entry* e);
  // Removes the entry with `key` and returns it (not freed; next reset to nullptr), or nullptr.
  // Does one rehash step and may start a shrink.
  Entry* Unlink(std::string_view key);
  // Puts `new_entry` where `old_entry` is. Both have the same key and new_entry->next must equal
  // old_entry's next (true for the results of Entry::SetValue & co). `old_entry` is never
  // dereferenced, so it may already have been freed. It must be present.
  void Replace(Entry* old_entry, Entry* new_entry);

  // Redis's reverse-binary cursor SCAN: start with cursor 0 and pass back the returned cursor
  // until it is 0. Every entry present for the whole scan is passed to fn(Entry*) at least once,
  // even if the table grows, shrinks or rehashes between calls; entries may be repeated. One call
  // visits one bucket (and, while rehashing, the buckets of the larger table that it expands
  // into). fn must not modify the Dict.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;

  // A random entry (Redis dictGetRandomKey: a random non-empty bucket, then a random element of
  // its chain), or nullptr when empty. Not uniform over entries when chains differ in length.
  Entry* Random(std::mt19937_64& rng) const;
  // Up to `count` entries from consecutive buckets starting at a random place (Redis
  // dictGetSomeKeys), written to out[0..n); returns n <= min(count, size()). For eviction
  // sampling, as in Redis: after a run of empty buckets it jumps to another random place, so n
  // may be less than asked, and in a sparse table a jump can land on buckets already visited
  // and repeat entries.
  size_t Sample(std::mt19937_64& rng, Entry** out, size_t count) const;

  // Bounded incremental rehash: moves up to `buckets` non-empty buckets, visiting at most
  // 10 * buckets empty ones. No-op when not rehashing. The shard cron calls it.
  void RehashStep(size_t buckets);
  bool rehashing() const { return rehash_idx_ != kNotRehashing; }

  size_t BucketBytes() const { return bucket_count() * sizeof(Entry*); }  // bucket arrays
  void Clear();  // destroys all entries, frees the tables
  // Clear in steps, for a Dict nobody else uses any more (FLUSHALL ASYNC): destroys up to
  // `max_entries` entries, continuing from `*cursor` (start at 0), and frees the tables once
  // it is empty. Returns the bytes released (entries' blocks, then the bucket arrays).
  size_t DestroySome(size_t max_entries, size_t* cursor);

  // Calls fn(Entry*) for every entry. fn must not modify the Dict.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // Checks every invariant above in O(size + buckets); for tests.
  bool CheckInvariants() const;

 private:
  static constexpr size_t kNotRehashing = ~size_t{0};

  struct Table {
    Entry** buckets = nullptr;
    size_t mask = 0;  // size() - 1
    size_t used = 0;
    size_t size() const { return buckets == nullptr ? 0 : mask + 1; }
  };

  static uint64_t ReverseBits(uint64_t v);
  template <typename Fn>
  static void VisitChain(Entry* e, Fn& fn);

  void StartResize(size_t buckets);
  void MoveBucket(size_t idx);
  void FinishRehash();
  void MaybeShrink();
  Entry** LinkOf(std::string_view key, uint64_t hash);
  Entry* const* FirstSlot(uint64_t hash) const;
  void FreeTables();

  Table t_[2];
  size_t rehash_idx_ = kNotRehashing;  // next bucket of t_[0] to move
};

inline void swap(Dict& a, Dict& b) noexcept { a.swap(b); }

inline uint64_t Dict::ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

template <typename Fn>
void Dict::VisitChain(Entry* e, Fn& fn) {
  while (e != nullptr) {
    Entry* next = e->next;
    fn(e);
    e = next;
  }
}

template <typename Fn>
uint64_t Dict::Scan(uint64_t cursor, Fn&& fn) const {
  if (size() == 0) return 0;
  uint64_t v = cursor;
  if (!rehashing()) {
    const Table& t = t_[0];
    VisitChain(t.buckets[v & t.mask], fn);
    // Set the bits above the mask so the reversed increment carries through the masked bits.
    v |= ~uint64_t{t.mask};
    return ReverseBits(ReverseBits(v) + 1);
  }
  const Table* small = &t_[0];
  const Table* large = &t_[1];
  if (small->size() > large->size()) std::swap(small, large);
  const uint64_t m0 = small->mask;
  const uint64_t m1 = large->mask;
  VisitChain(small->buckets[v & m0], fn);
  // Then every bucket of the larger table that expands from the smaller table's bucket.
  do {
    VisitChain(large->buckets[v & m1], fn);
    v |= ~m1;
    v = ReverseBits(ReverseBits(v) + 1);
  } while ((v & (m0 ^ m1)) != 0);
  return v;
}

template <typename Fn>
void Dict::ForEach(Fn&& fn) const {
  for (const Table& t : t_) {
    for (size_t i = 0; i < t.size(); i++) VisitChain(t.buckets[i], fn);
  }
}

}  // namespace shoal

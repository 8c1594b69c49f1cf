#include "core/dict.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "base/hash.h"

namespace shoal {

namespace {

Entry** AllocateBuckets(size_t n) {
  // calloc: large arrays come from fresh zeroed pages without a memset pass.
  void* p = std::calloc(n, sizeof(Entry*));
  if (p == nullptr) {
    std::fprintf(stderr, "shoal: out of memory allocating %zu buckets\n", n);
    std::abort();
  }
  return static_cast<Entry**>(p);
}

size_t RandomBelow(std::mt19937_64& rng, size_t n) { return static_cast<size_t>(rng() % n); }

}  // namespace

Dict::~Dict() { Clear(); }

Dict::Dict(Dict&& other) noexcept : t_{other.t_[0], other.t_[1]}, rehash_idx_(other.rehash_idx_) {
  other.t_[0] = Table();
  other.t_[1] = Table();
  other.rehash_idx_ = kNotRehashing;
}

Dict& Dict::operator=(Dict&& other) noexcept {
  if (this != &other) {
    Clear();
    swap(other);
  }
  return *this;
}

void Dict::swap(Dict& other) noexcept {
  std::swap(t_[0], other.t_[0]);
  std::swap(t_[1], other.t_[1]);
  std::swap(rehash_idx_, other.rehash_idx_);
}

Entry* Dict::Find(std::string_view key) const {
  if (size() == 0) return nullptr;
  const uint64_t h = TableHash(key);
  for (int i = 0; i < 2; i++) {
    const Table& t = t_[i];
    const size_t idx = h & t.mask;
    // Buckets of the old table below rehash_idx_ are empty; skipping them saves a cache miss.
    if (i == 0 && rehashing() && idx < rehash_idx_) continue;
    for (Entry* e = t.buckets[idx]; e != nullptr; e = e->next) {
      if (e->key() == key) return e;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

// The bucket slot a lookup of `hash` reads first (nullptr when there are no buckets).
Entry* const* Dict::FirstSlot(uint64_t hash) const {
  const Table& t = rehashing() && (hash & t_[0].mask) < rehash_idx_ ? t_[1] : t_[0];
  return t.buckets == nullptr ? nullptr : &t.buckets[hash & t.mask];
}

void Dict::PrefetchBucket(uint64_t hash) const {
  if (Entry* const* slot = FirstSlot(hash)) __builtin_prefetch(slot);
}

void Dict::PrefetchChain(uint64_t hash) const {
  Entry* const* slot = FirstSlot(hash);
  if (slot != nullptr && *slot != nullptr) __builtin_prefetch(*slot);
}

Entry** Dict::LinkOf(std::string_view key, uint64_t h) {
  for (int i = 0; i < 2; i++) {
    Table& t = t_[i];
    const size_t idx = h & t.mask;
    if (i == 0 && rehashing() && idx < rehash_idx_) continue;
    for (Entry** link = &t.buckets[idx]; *link != nullptr; link = &(*link)->next) {
      if ((*link)->key() == key) return link;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

Entry** Dict::FindLink(std::string_view key) {
  if (size() == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  return LinkOf(key, TableHash(key));
}

void Dict::Insert(Entry* e) {
  assert(Find(e->key()) == nullptr);
  if (rehashing()) RehashStep(1);
  if (t_[0].buckets == nullptr) {
    t_[0].buckets = AllocateBuckets(kMinBuckets);
    t_[0].mask = kMinBuckets - 1;
  } else if (!rehashing() && t_[0].used >= t_[0].size()) {
    StartResize(std::bit_ceil(t_[0].used + 1));
  }
  Table& t = rehashing() ? t_[1] : t_[0];
  const size_t idx = TableHash(e->key()) & t.mask;
  e->next = t.buckets[idx];
  t.buckets[idx] = e;
  t.used++;
}

Entry* Dict::Unlink(std::string_view key) {
  if (size() == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  const uint64_t h = TableHash(key);
  for (int i = 0; i < 2; i++) {
    Table& t = t_[i];
    const size_t idx = h & t.mask;
    if (i == 0 && rehashing() && idx < rehash_idx_) continue;
    for (Entry** link = &t.buckets[idx]; *link != nullptr; link = &(*link)->next) {
      Entry* e = *link;
      if (e->key() != key) continue;
      *link = e->next;
      e->next = nullptr;
      t.used--;
      MaybeShrink();
      return e;
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

void Dict::Replace(Entry* old_entry, Entry* new_entry) {
  if (old_entry == new_entry) return;
  const uint64_t h = TableHash(new_entry->key());
  for (int i = 0; i < 2; i++) {
    Table& t = t_[i];
    if (t.buckets == nullptr) continue;
    for (Entry** link = &t.buckets[h & t.mask]; *link != nullptr; link = &(*link)->next) {
      if (*link == old_entry) {
        *link = new_entry;
        return;
      }
    }
  }
  assert(false && "Dict::Replace: old entry not present");
}

Entry* Dict::Random(std::mt19937_64& rng) const {
  if (size() == 0) return nullptr;
  Entry* head = nullptr;
  if (rehashing()) {
    // Buckets of table 0 below rehash_idx_ are empty: draw from [rehash_idx_, s0 + s1).
    const size_t s0 = t_[0].size();
    const size_t span = s0 + t_[1].size() - rehash_idx_;
    do {
      const size_t h = rehash_idx_ + RandomBelow(rng, span);
      head = h >= s0 ? t_[1].buckets[h - s0] : t_[0].buckets[h];
    } while (head == nullptr);
  } else {
    do {
      head = t_[0].buckets[rng() & t_[0].mask];
    } while (head == nullptr);
  }
  size_t len = 0;
  for (Entry* e = head; e != nullptr; e = e->next) len++;
  size_t pick = RandomBelow(rng, len);
  Entry* e = head;
  while (pick-- > 0) e = e->next;
  return e;
}

size_t Dict::Sample(std::mt19937_64& rng, Entry** out, size_t count) const {
  count = std::min(count, size());
  if (count == 0) return 0;
  const int tables = rehashing() ? 2 : 1;
  size_t max_mask = t_[0].mask;
  if (tables == 2) max_mask = std::max(max_mask, t_[1].mask);
  size_t max_steps = count * 10;
  size_t i = rng() & max_mask;
  size_t empty_run = 0;  // consecutive empty buckets
  size_t stored = 0;
  while (stored < count && max_steps-- > 0) {
    for (int j = 0; j < tables; j++) {
      if (tables == 2 && j == 0 && i < rehash_idx_) {
        // Table 0 is empty below rehash_idx_. When table 1 is the smaller one (shrinking) and
        // i is beyond it, both are empty here: jump to rehash_idx_.
        if (i >= t_[1].size()) {
          i = rehash_idx_;
        } else {
          continue;
        }
      }
      const Table& t = t_[j];
      if (i >= t.size()) continue;
      Entry* e = t.buckets[i];
      if (e == nullptr) {
        // A long empty run: jump elsewhere (Redis uses the same threshold).
        if (++empty_run >= 5 && empty_run > count) {
          i = rng() & max_mask;
          empty_run = 0;
        }
        continue;
      }
      empty_run = 0;
      for (; e != nullptr; e = e->next) {
        out[stored++] = e;
        if (stored == count) return stored;
      }
    }
    i = (i + 1) & max_mask;
  }
  return stored;
}

void Dict::StartResize(size_t buckets) {
  assert(!rehashing() && std::has_single_bit(buckets));
  t_[1].buckets = AllocateBuckets(buckets);
  t_[1].mask = buckets - 1;
  t_[1].used = 0;
  rehash_idx_ = 0;
  if (t_[0].used == 0) FinishRehash();
}

void Dict::MoveBucket(size_t idx) {
  Entry* e = t_[0].buckets[idx];
  t_[0].buckets[idx] = nullptr;
  // Shrinking: the new index is the old one masked (no need to hash the key again).
  const bool shrinking = t_[1].mask < t_[0].mask;
  while (e != nullptr) {
    Entry* next = e->next;
    const size_t to = shrinking ? (idx & t_[1].mask) : (TableHash(e->key()) & t_[1].mask);
    e->next = t_[1].buckets[to];
    t_[1].buckets[to] = e;
    t_[0].used--;
    t_[1].used++;
    e = next;
  }
}

void Dict::FinishRehash() {
  std::free(t_[0].buckets);
  t_[0] = t_[1];
  t_[1] = Table();
  rehash_idx_ = kNotRehashing;
  // Unlinks during a shrink may have left the new table too sparse as well (each further shrink
  // divides the bucket count by at least 4, so this recursion is shallow).
  MaybeShrink();
}

void Dict::RehashStep(size_t buckets) {
  if (!rehashing()) return;
  size_t empty_visits = buckets * 10;
  while (buckets-- > 0 && t_[0].used != 0) {
    // used != 0 guarantees a non-empty bucket at or after rehash_idx_.
    while (t_[0].buckets[rehash_idx_] == nullptr) {
      rehash_idx_++;
      if (--empty_visits == 0) return;
    }
    MoveBucket(rehash_idx_);
    rehash_idx_++;
  }
  if (t_[0].used == 0) FinishRehash();
}

void Dict::MaybeShrink() {
  if (rehashing()) return;
  const size_t buckets = t_[0].size();
  if (buckets <= kMinBuckets || t_[0].used >= buckets / 8) return;
  StartResize(std::max(kMinBuckets, std::bit_ceil(2 * t_[0].used)));
}

void Dict::FreeTables() {
  std::free(t_[0].buckets);
  std::free(t_[1].buckets);
  t_[0] = Table();
  t_[1] = Table();
  rehash_idx_ = kNotRehashing;
}

void Dict::Clear() {
  for (Table& t : t_) {
    for (size_t i = 0; i < t.size() && t.used != 0; i++) {
      Entry* e = t.buckets[i];
      while (e != nullptr) {
        Entry* next = e->next;
        Entry::Destroy(e);
        t.used--;
        e = next;
      }
    }
  }
  FreeTables();
}

size_t Dict::DestroySome(size_t max_entries, size_t* cursor) {
  size_t freed = 0;
  size_t destroyed = 0;
  // *cursor walks table 0's buckets, then table 1's.
  for (int i = 0; i < 2 && destroyed < max_entries; i++) {
    Table& t = t_[i];
    const size_t base = i == 0 ? 0 : t_[0].size();
    while (*cursor < base + t.size() && t.used != 0 && destroyed < max_entries) {
      Entry*& head = t.buckets[*cursor - base];
      while (head != nullptr && destroyed < max_entries) {
        Entry* e = head;
        head = e->next;
        freed += e->MemoryBytes();
        Entry::Destroy(e);
        t.used--;
        destroyed++;
      }
      if (head == nullptr) ++*cursor;
    }
    if (t.used == 0 && *cursor < base + t.size()) *cursor = base + t.size();
  }
  if (size() == 0) {
    freed += BucketBytes();
    FreeTables();
  }
  return freed;
}

bool Dict::CheckInvariants() const {
  auto fail = [](const char* what) {
    std::fprintf(stderr, "Dict invariant violated: %s\n", what);
    return false;
  };
  if (!rehashing() && t_[1].buckets != nullptr) return fail("table 1 in use while not rehashing");
  if (rehashing() && (t_[1].buckets == nullptr || rehash_idx_ > t_[0].size())) {
    return fail("bad rehash state");
  }
  for (int i = 0; i < 2; i++) {
    const Table& t = t_[i];
    if (t.buckets == nullptr) {
      if (t.used != 0 || t.mask != 0) return fail("empty table with entries");
      continue;
    }
    if (!std::has_single_bit(t.size()) || t.size() < kMinBuckets) return fail("bucket count");
    size_t count = 0;
    for (size_t b = 0; b < t.size(); b++) {
      if (i == 0 && rehashing() && b < rehash_idx_ && t.buckets[b] != nullptr) {
        return fail("non-empty bucket below rehash_idx");
      }
      for (Entry* e = t.buckets[b]; e != nullptr; e = e->next) {
        if ((TableHash(e->key()) & t.mask) != b) return fail("entry in the wrong bucket");
        if (++count > t.used) return fail("more entries than used (or a cycle)");
      }
    }
    if (count != t.used) return fail("used count");
  }
  return true;
}

}  // namespace shoal

// IntSet: a sorted set of distinct int64 in one malloc'd block, every value stored in the
// narrowest width (2, 4 or 8 bytes) that holds all of them: the "intset" encoding of small
// sets of integers (the role of Redis's intset; our own code). Lookups are binary searches;
// inserts and erases move the tail and resize the block to fit, so a change costs O(n), which
// is why owners convert to a hash table past set-max-intset-entries.
//
// Block layout (host byte order: the block is never written out, Serialize formats text):
//   off 0  u32  count
//   off 4  u8   width      2, 4 or 8; it only grows (as Redis's), an erase never narrows it
//   off 8       values     count × width bytes, ascending, read and written with memcpy
// An empty set owns no block. Sizes are exact (realloc on every change), as Redis's intset.
//
// Thread ownership: owned by one Object; nothing is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shoal {

class IntSet {
 public:
  // Most values an IntSet may hold (the count is a u32); owners convert before, whatever
  // set-max-intset-entries says (Redis caps it at the same 2^30).
  static constexpr size_t kMaxSize = size_t{1} << 30;

  IntSet() = default;
  ~IntSet();
  IntSet(IntSet&& other) noexcept : block_(other.block_) { other.block_ = nullptr; }
  IntSet& operator=(IntSet&& other) noexcept;
  IntSet(const IntSet&) = delete;
  IntSet& operator=(const IntSet&) = delete;
  IntSet Clone() const;

  size_t size() const;
  size_t AllocatedBytes() const;  // 0 when empty
  // The i-th smallest value, i < size().
  int64_t At(size_t i) const;
  bool Contains(int64_t v) const;
  // Returns false (and changes nothing) when `v` is already there.
  bool Insert(int64_t v);
  // Returns false when `v` is not there.
  bool Erase(int64_t v);
  void Clear();

 private:
  static constexpr size_t kHeaderBytes = 8;

  size_t width() const;
  // The position of the first value >= v.
  size_t LowerBound(int64_t v) const;

  unsigned char* block_ = nullptr;
};

}  // namespace shoal

// PackedList: a sequence of byte strings in one malloc'd block, for small collections (the
// role of Redis's listpack; our own format). Lookups are linear scans, which is what makes it
// compact and, for a few dozen elements, fast; owners convert to a full structure past a size
// threshold (hash-max-listpack-entries & co).
//
// Block layout (little-endian, unaligned):
//   off 0  u32  bytes_used   header included
//   off 4  u32  count        elements
//   off 8       elements:    LEB128 varint length | bytes
// An empty list owns no block. Positions are byte offsets: begin() is the first element,
// end() is one past the last; an offset is valid until the next modification.
//
// Thread ownership: owned by one Object; nothing is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shoal {

class PackedList {
 public:
  // Largest block; owners convert long before (their element thresholds are far smaller).
  static constexpr size_t kMaxBytes = uint32_t{0xFFFFFFFF};

  PackedList() = default;
  ~PackedList();
  PackedList(PackedList&& other) noexcept : block_(other.block_) { other.block_ = nullptr; }
  PackedList& operator=(PackedList&& other) noexcept;
  PackedList(const PackedList&) = delete;
  PackedList& operator=(const PackedList&) = delete;
  PackedList Clone() const;

  size_t size() const { return block_ == nullptr ? 0 : Read32(4); }
  bool empty() const { return size() == 0; }
  size_t AllocatedBytes() const;  // 0 when empty

  size_t begin() const { return kHeaderBytes; }
  size_t end() const { return block_ == nullptr ? kHeaderBytes : Read32(0); }
  std::string_view At(size_t pos) const;
  size_t Next(size_t pos) const;

  // Inserts `v` before the element at `pos` (end() appends); elements after it move.
  void Insert(size_t pos, std::string_view v);
  void PushBack(std::string_view v) { Insert(end(), v); }
  void Replace(size_t pos, std::string_view v);
  // Removes `count` elements starting at `pos`.
  void Erase(size_t pos, size_t count = 1);
  void Clear();
  // The first element equal to `v` among those at `start`, start + stride, ...; end() if none.
  // stride 2 searches the fields of field/value pairs.
  size_t Find(std::string_view v, size_t start, size_t stride = 1) const;
  size_t Find(std::string_view v) const { return Find(v, begin()); }

 private:
  static constexpr size_t kHeaderBytes = 8;

  uint32_t Read32(size_t off) const;
  void Write32(size_t off, uint32_t v);
  // Makes room for `delta` more bytes (negative: fewer) at `pos`, moving the tail; returns
  // the (possibly moved) block's write position.
  unsigned char* Resize(size_t pos, ptrdiff_t delta);

  unsigned char* block_ = nullptr;
};

}  // namespace shoal

#include "core/packed_list.h"

#include <malloc.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/varint.h"

namespace shoal {

PackedList::~PackedList() { std::free(block_); }

PackedList& PackedList::operator=(PackedList&& other) noexcept {
  if (this != &other) {
    std::free(block_);
    block_ = other.block_;
    other.block_ = nullptr;
  }
  return *this;
}

PackedList PackedList::Clone() const {
  PackedList copy;
  if (block_ != nullptr) {
    copy.block_ = static_cast<unsigned char*>(std::malloc(end()));
    if (copy.block_ == nullptr) std::abort();
    std::memcpy(copy.block_, block_, end());
  }
  return copy;
}

size_t PackedList::AllocatedBytes() const {
  return block_ == nullptr ? 0 : malloc_usable_size(block_);
}

uint32_t PackedList::Read32(size_t off) const {
  uint32_t v;
  std::memcpy(&v, block_ + off, 4);
  return v;
}

void PackedList::Write32(size_t off, uint32_t v) { std::memcpy(block_ + off, &v, 4); }

std::string_view PackedList::At(size_t pos) const {
  assert(pos < end());
  size_t off = pos;
  size_t len = ReadVarint(block_, &off);
  return {reinterpret_cast<const char*>(block_) + off, len};
}

size_t PackedList::Next(size_t pos) const {
  size_t off = pos;
  size_t len = ReadVarint(block_, &off);
  return off + len;
}

unsigned char* PackedList::Resize(size_t pos, ptrdiff_t delta) {
  const size_t used = end();
  const size_t new_used = static_cast<size_t>(static_cast<ptrdiff_t>(used) + delta);
  if (new_used > kMaxBytes) {
    std::fprintf(stderr, "shoal: packed list over %zu bytes\n", kMaxBytes);
    std::abort();
  }
  if (delta < 0) {
    const auto removed = static_cast<size_t>(-delta);
    std::memmove(block_ + pos, block_ + pos + removed, used - pos - removed);
  }
  // Exact sizes, as listpack: small collections are about memory, and realloc usually grows
  // in place into the chunk's slack.
  if (new_used > AllocatedBytes() || new_used + 64 < AllocatedBytes()) {
    auto* p = static_cast<unsigned char*>(std::realloc(block_, new_used));
    if (p == nullptr) std::abort();
    block_ = p;
  }
  if (delta > 0) {
    std::memmove(block_ + pos + static_cast<size_t>(delta), block_ + pos, used - pos);
  }
  Write32(0, static_cast<uint32_t>(new_used));
  return block_ + pos;
}

void PackedList::Insert(size_t pos, std::string_view v) {
  if (block_ != nullptr && v.data() >= reinterpret_cast<char*>(block_) &&
      v.data() < reinterpret_cast<char*>(block_) + end()) {
    std::string copy(v);  // `v` points into this block, which may move
    return Insert(pos, copy);
  }
  if (block_ == nullptr) {
    block_ = static_cast<unsigned char*>(std::malloc(kHeaderBytes));
    if (block_ == nullptr) std::abort();
    Write32(0, kHeaderBytes);
    Write32(4, 0);
    pos = kHeaderBytes;
  }
  const size_t n = VarintBytes(v.size()) + v.size();
  unsigned char* p = Resize(pos, static_cast<ptrdiff_t>(n));
  p += WriteVarint(p, v.size());
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  Write32(4, Read32(4) + 1);
}

void PackedList::Replace(size_t pos, std::string_view v) {
  std::string copy(v);  // `v` may point into this block, which may move
  const size_t old_n = Next(pos) - pos;
  const size_t n = VarintBytes(copy.size()) + copy.size();
  // Shifting the tail by n - old_n leaves [pos, pos + n) free to write over.
  unsigned char* p = Resize(pos, static_cast<ptrdiff_t>(n) - static_cast<ptrdiff_t>(old_n));
  p += WriteVarint(p, copy.size());
  if (!copy.empty()) std::memcpy(p, copy.data(), copy.size());
}

void PackedList::Erase(size_t pos, size_t count) {
  size_t stop = pos;
  for (size_t i = 0; i < count; ++i) stop = Next(stop);
  const uint32_t left = Read32(4) - static_cast<uint32_t>(count);
  if (left == 0) return Clear();
  Resize(pos, -static_cast<ptrdiff_t>(stop - pos));
  Write32(4, left);
}

void PackedList::Clear() {
  std::free(block_);
  block_ = nullptr;
}

size_t PackedList::Find(std::string_view v, size_t start, size_t stride) const {
  const size_t stop = end();
  size_t pos = start;
  while (pos < stop) {
    size_t off = pos;
    size_t len = ReadVarint(block_, &off);
    if (len == v.size() && (len == 0 || std::memcmp(block_ + off, v.data(), len) == 0)) {
      return pos;
    }
    pos = off + len;
    for (size_t i = 1; i < stride && pos < stop; ++i) pos = Next(pos);
  }
  return stop;
}

}  // namespace shoal

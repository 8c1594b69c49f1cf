#include "core/int_set.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace shoal {
namespace {

size_t WidthOf(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t Load(const unsigned char* p, size_t width) {
  if (width == 2) {
    int16_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  if (width == 4) {
    int32_t v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  int64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

void Store(unsigned char* p, size_t width, int64_t v) {
  if (width == 2) {
    const auto n = static_cast<int16_t>(v);
    std::memcpy(p, &n, sizeof(n));
  } else if (width == 4) {
    const auto n = static_cast<int32_t>(v);
    std::memcpy(p, &n, sizeof(n));
  } else {
    std::memcpy(p, &v, sizeof(v));
  }
}

unsigned char* Realloc(unsigned char* block, size_t bytes) {
  auto* p = static_cast<unsigned char*>(std::realloc(block, bytes));
  if (p == nullptr) std::abort();
  return p;
}

void SetHeader(unsigned char* block, size_t count, size_t width) {
  const auto n = static_cast<uint32_t>(count);
  std::memcpy(block, &n, sizeof(n));
  block[4] = static_cast<unsigned char>(width);
}

}  // namespace

IntSet::~IntSet() { Clear(); }

IntSet& IntSet::operator=(IntSet&& other) noexcept {
  if (this != &other) {
    Clear();
    block_ = other.block_;
    other.block_ = nullptr;
  }
  return *this;
}

IntSet IntSet::Clone() const {
  IntSet copy;
  if (block_ != nullptr) {
    const size_t bytes = kHeaderBytes + size() * width();
    copy.block_ = Realloc(nullptr, bytes);
    std::memcpy(copy.block_, block_, bytes);
  }
  return copy;
}

size_t IntSet::size() const {
  if (block_ == nullptr) return 0;
  uint32_t n;
  std::memcpy(&n, block_, sizeof(n));
  return n;
}

size_t IntSet::width() const { return block_ == nullptr ? 0 : block_[4]; }

size_t IntSet::AllocatedBytes() const { return block_ == nullptr ? 0 : malloc_usable_size(block_); }

int64_t IntSet::At(size_t i) const {
  const size_t w = width();
  return Load(block_ + kHeaderBytes + i * w, w);
}

size_t IntSet::LowerBound(int64_t v) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (At(mid) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

bool IntSet::Contains(int64_t v) const {
  // A value wider than the stored width cannot be there.
  if (WidthOf(v) > width()) return false;
  const size_t pos = LowerBound(v);
  return pos < size() && At(pos) == v;
}

bool IntSet::Insert(int64_t v) {
  const size_t n = size(), w = width(), need = WidthOf(v);
  if (need > w) {
    // Widening (or the first value): `v` does not fit the old width, so it is below or above
    // every stored value and goes first or last.
    auto* block = Realloc(nullptr, kHeaderBytes + (n + 1) * need);
    const size_t shift = v < 0 ? 1 : 0;
    for (size_t i = 0; i < n; i++) Store(block + kHeaderBytes + (i + shift) * need, need, At(i));
    Store(block + kHeaderBytes + (v < 0 ? 0 : n) * need, need, v);
    SetHeader(block, n + 1, need);
    std::free(block_);
    block_ = block;
    return true;
  }
  const size_t pos = LowerBound(v);
  if (pos < n && At(pos) == v) return false;
  block_ = Realloc(block_, kHeaderBytes + (n + 1) * w);
  unsigned char* at = block_ + kHeaderBytes + pos * w;
  std::memmove(at + w, at, (n - pos) * w);
  Store(at, w, v);
  SetHeader(block_, n + 1, w);
  return true;
}

bool IntSet::Erase(int64_t v) {
  if (!Contains(v)) return false;
  const size_t n = size(), w = width();
  if (n == 1) {
    Clear();
    return true;
  }
  unsigned char* at = block_ + kHeaderBytes + LowerBound(v) * w;
  std::memmove(at, at + w, static_cast<size_t>(block_ + kHeaderBytes + n * w - (at + w)));
  block_ = Realloc(block_, kHeaderBytes + (n - 1) * w);
  SetHeader(block_, n - 1, w);
  return true;
}

void IntSet::Clear() {
  std::free(block_);
  block_ = nullptr;
}

}  // namespace shoal

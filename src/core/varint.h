// LEB128 varints for lengths inside Entry blocks and PackedLists: 7 bits per byte, low bits
// first, high bit set on every byte but the last. Readers trust their block (it was written
// by WriteVarint); untrusted input is never decoded with these.
#pragma once

#include <cstddef>
#include <string>

namespace shoal {

inline size_t VarintBytes(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

inline size_t WriteVarint(unsigned char* p, size_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<unsigned char>(v);
  return n;
}

inline size_t ReadVarint(const unsigned char* p, size_t* off) {
  size_t v = 0;
  int shift = 0;
  while (true) {
    unsigned char b = p[(*off)++];
    v |= size_t{b & 0x7fu} << shift;
    if (b < 0x80) return v;
    shift += 7;
  }
}

inline void AppendVarint(std::string* out, size_t v) {
  unsigned char buf[10];
  out->append(reinterpret_cast<const char*>(buf), WriteVarint(buf, v));
}

}  // namespace shoal

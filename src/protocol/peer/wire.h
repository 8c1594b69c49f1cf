// Big-endian (network order) integers for the peer protocol's frame header and handshake
// transcript (docs/peer-protocol.md §2, §4). Bounds are the caller's: the readers read
// exactly sizeof(T) bytes at `p`.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace shoal::peer {

template <typename T>
void PutBigEndian(std::string* out, T v) {
  for (size_t i = sizeof(T); i-- > 0;) out->push_back(static_cast<char>(v >> (8 * i)));
}

template <typename T>
T GetBigEndian(const unsigned char* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); i++) v = static_cast<T>((v << 8) | p[i]);
  return v;
}

}  // namespace shoal::peer

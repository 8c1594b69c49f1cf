#include "core/hyperloglog.h"

#include <xxhash.h>

#include <cmath>
#include <cstring>

namespace shoal::hll {
namespace {

constexpr char kMagic[] = "SHLL";
constexpr size_t kHeader = 6;
constexpr int kIndexBits = 14;
constexpr int kQ = 64 - kIndexBits;  // 50 bits for the run of zeros

unsigned Get(std::string_view h, size_t i) {
  const size_t bit = i * 6, byte = kHeader + bit / 8, shift = bit % 8;
  unsigned v = static_cast<unsigned char>(h[byte]) >> shift;
  if (shift > 2) v |= static_cast<unsigned>(static_cast<unsigned char>(h[byte + 1])) << (8 - shift);
  return v & 63;
}

void Set(std::string& h, size_t i, unsigned v) {
  const size_t bit = i * 6, byte = kHeader + bit / 8, shift = bit % 8;
  auto lo = static_cast<unsigned char>(h[byte]);
  lo = static_cast<unsigned char>((lo & ~(63u << shift)) | (v << shift));
  h[byte] = static_cast<char>(lo);
  if (shift > 2) {
    auto hi = static_cast<unsigned char>(h[byte + 1]);
    hi = static_cast<unsigned char>((hi & ~(63u >> (8 - shift))) | (v >> (8 - shift)));
    h[byte + 1] = static_cast<char>(hi);
  }
}

double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0;
  double y = 1.0, z = 1 - x, prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (prev != z);
  return z / 3;
}

}  // namespace

std::string Create() {
  std::string h(kBytes, '\0');
  std::memcpy(h.data(), kMagic, 4);
  h[4] = 1;  // version
  h[5] = 0;  // dense
  return h;
}

bool IsValid(std::string_view v) {
  return v.size() == kBytes && v.substr(0, 4) == std::string_view(kMagic, 4) && v[4] == 1 &&
         v[5] == 0;
}

bool Add(std::string& hll, std::string_view element) {
  const uint64_t hash = XXH64(element.data(), element.size(), 0x5f3759df);
  const size_t index = hash & (kRegisters - 1);
  // Trailing zeros of the other bits, with a sentinel so the count stops at kQ.
  const uint64_t rest = (hash >> kIndexBits) | (uint64_t{1} << kQ);
  const auto rank = static_cast<unsigned>(__builtin_ctzll(rest) + 1);
  if (Get(hll, index) >= rank) return false;
  Set(hll, index, rank);
  return true;
}

void Merge(std::string& dst, std::string_view src) {
  for (size_t i = 0; i < kRegisters; i++) {
    const unsigned s = Get(src, i);
    if (s > Get(dst, i)) Set(dst, i, s);
  }
}

uint64_t Count(std::string_view hll) {
  int histogram[kQ + 2] = {};
  for (size_t i = 0; i < kRegisters; i++) histogram[Get(hll, i)]++;
  const double m = kRegisters;
  double z = m * Tau((m - histogram[kQ + 1]) / m);
  for (int k = kQ; k >= 1; --k) {
    z += histogram[k];
    z *= 0.5;
  }
  z += m * Sigma(histogram[0] / m);
  const double alpha_inf = 0.5 / std::log(2.0);
  return static_cast<uint64_t>(std::llround(alpha_inf * m * m / z));
}

}  // namespace shoal::hll

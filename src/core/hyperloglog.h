// HyperLogLog: cardinality estimation in a string value (PFADD, PFCOUNT, PFMERGE). Our own
// format, not Redis's (docs/dump-format.md has the general rule: Shoal's bytes are Shoal's):
//
//   off 0  4      magic "SHLL"
//   off 4  1      version (1)
//   off 5  1      encoding (0 = dense)
//   off 6  12288  16384 registers of 6 bits, little-endian bit order
//
// 2^14 registers, index = the low 14 bits of XXH64(element), value = 1 + the number of
// trailing zeros of the other 50 bits (at most 51). The estimate is Ertl's improved
// estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), the
// one Redis uses: standard error 0.81%.
//
// Pure functions over byte strings; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::hll {

constexpr size_t kRegisters = 16384;
constexpr size_t kBytes = 6 + kRegisters * 6 / 8;

// An empty HLL.
std::string Create();
// Whether `v` is a HLL of our format.
bool IsValid(std::string_view v);
// Adds an element; returns true when a register changed. `hll` must be valid.
bool Add(std::string& hll, std::string_view element);
// dst = max(dst, src) register by register; both valid.
void Merge(std::string& dst, std::string_view src);
uint64_t Count(std::string_view hll);

}  // namespace shoal::hll

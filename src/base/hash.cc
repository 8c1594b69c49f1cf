#include "base/hash.h"

#include <xxhash.h>

namespace shoal {

namespace {
constexpr uint64_t kShardSeed = 0x5348'4f41'4c00'0001ULL;  // "SHOAL" + 1
constexpr uint64_t kTableSeed = 0x5348'4f41'4c00'0002ULL;
}  // namespace

std::string_view HashTag(std::string_view key) {
  size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

uint32_t ShardOfKey(std::string_view key, uint32_t num_shards) {
  if (num_shards <= 1) return 0;
  std::string_view tag = HashTag(key);
  return static_cast<uint32_t>(XXH3_64bits_withSeed(tag.data(), tag.size(), kShardSeed) %
                               num_shards);
}

uint64_t TableHash(std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), kTableSeed);
}

}  // namespace shoal

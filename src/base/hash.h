// Key hashing: which shard owns a key, and the hash used inside a shard's tables.
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace shoal {

// The part of a key that decides its owner: the text between the first '{' and the next '}'
// when that is non-empty (Redis Cluster's hash tags), otherwise the whole key.
std::string_view HashTag(std::string_view key);

// Owner shard of a key among `num_shards` (hash of the hash tag).
uint32_t ShardOfKey(std::string_view key, uint32_t num_shards);

// Hash of the whole key for in-shard hash tables. Independent of ShardOfKey's hash, so the
// keys of one shard spread over all buckets.
uint64_t TableHash(std::string_view key);

}  // namespace shoal

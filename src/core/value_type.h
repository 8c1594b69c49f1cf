// The kinds of value a key can hold and how an Entry stores them. The numbers are stored in
// every Entry and in DUMP payloads (docs/dump-format.md): DO NOT renumber.
#pragma once

#include <cstdint>

namespace shoal {

// As Redis's OBJ_STRING .. OBJ_HASH, so the TYPE names line up.
enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

enum class Encoding : uint8_t {
  kRaw = 0,     // value bytes stored verbatim
  kInt = 1,     // canonical int64 stored in 8 bytes
  kObject = 2,  // an owning Object* stored in 8 bytes (core/object.h)
};

}  // namespace shoal

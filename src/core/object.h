// Object: the value of a key that is not a string (hash, list, set, sorted set). An Entry with
// Encoding::kObject stores an owning pointer to one; Entry::Destroy deletes it.
//
// Each type chooses its representation internally (a packed form for small values that
// converts to a full structure past a size threshold, as Redis's listpack → hashtable), and
// reports it by EncodingName() with Redis's name where one matches.
//
// Thread ownership: an Object belongs to the shard thread owning its key. It may be handed to
// another shard (RENAME, MOVE across shards) while no other thread can reach it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/value_type.h"

namespace shoal {

class Object {
 public:
  Object() = default;
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  // Virtual rather than a member: every byte of a small collection's object counts.
  virtual ValueType type() const = 0;
  // OBJECT ENCODING.
  virtual std::string_view EncodingName() const = 0;
  // Heap bytes this object owns, itself included: the memory accounting of its Db. O(1).
  virtual size_t MemoryBytes() const = 0;
  // Number of elements (HLEN, SCARD, LLEN, ZCARD). An object with no elements is deleted with
  // its key, as in Redis.
  virtual size_t Length() const = 0;
  virtual std::unique_ptr<Object> Clone() const = 0;
  // The elements in the type's DUMP layout (docs/dump-format.md).
  virtual void Serialize(std::string* out) const = 0;

 protected:
  // What a `bytes`-long allocation takes from glibc malloc: its usable size (chunks of 16
  // bytes with an 8-byte header, 24 at least). For an object's own size, which
  // malloc_usable_size cannot tell when the object is not on the heap (tests, stack copies).
  static constexpr size_t HeapBytes(size_t bytes) {
    return bytes <= 24 ? 24 : ((bytes + 8 + 15) & ~size_t{15}) - 8;
  }
};

}  // namespace shoal

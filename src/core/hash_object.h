// HashObject: the value of a hash key. Two representations, as Redis:
//  - "listpack": field/value pairs in a PackedList while the hash has at most
//    HashLimits::max_packed_entries fields and no field or value longer than
//    max_packed_value bytes, and no field has a deadline;
//  - "hashtable": a Dict of Entries, one per field (Entry key = field, raw value = value,
//    expiry block = the field's deadline for HEXPIRE & co).
// Conversion is one way (packed → table), as in Redis.
//
// Field deadlines are enforced lazily: a field past its deadline is deleted by the first call
// that touches it or by PurgeExpired (which callers run before whole-hash reads). Deleting
// may leave the hash empty; the caller then deletes the key.
//
// Thread ownership: see core/object.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/dict.h"
#include "core/object.h"
#include "core/packed_list.h"

namespace shoal {

struct HashLimits {
  size_t max_packed_entries = 512;  // hash-max-listpack-entries
  size_t max_packed_value = 64;     // hash-max-listpack-value
};

class HashObject final : public Object {
 public:
  HashObject() = default;
  ~HashObject() override;

  ValueType type() const override { return ValueType::kHash; }
  std::string_view EncodingName() const override;
  size_t MemoryBytes() const override;
  size_t Length() const override;
  std::unique_ptr<Object> Clone() const override;
  // count, then per field: field, value, deadline (0 = none); all lengths and numbers varints.
  void Serialize(std::string* out) const override;

  bool packed() const { return table_ == nullptr; }

  std::optional<std::string_view> Get(std::string_view field, int64_t now_ms);
  // Adds or overwrites a field (and drops its deadline, as HSET in Redis 7.4). Returns true if
  // the field is new.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  bool Delete(std::string_view field);

  // Deletes every field past its deadline. O(fields), and free when no field has one.
  void PurgeExpired(int64_t now_ms);
  // fn(field, value) for every field (call PurgeExpired first to skip expired ones). fn must
  // not modify the hash.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // HSCAN: visits some fields and returns the next cursor (0 = done). A packed hash is visited
  // in one call.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;

  // Field deadlines (Unix ms). FieldExpireAt: nullopt if the field is absent, 0 if it has none.
  std::optional<int64_t> FieldExpireAt(std::string_view field, int64_t now_ms);
  // Sets the deadline of an existing field; converts to the table. Returns false if absent.
  bool SetFieldExpire(std::string_view field, int64_t expire_at_ms);
  // Drops an existing field's deadline; returns false if it had none or is absent.
  bool PersistField(std::string_view field);
  size_t fields_with_deadline() const { return table_ == nullptr ? 0 : table_->volatile_fields; }

 private:
  void ConvertToTable();
  // The table entry of `field`, deleting it first if expired; nullptr if absent.
  Entry** LiveLink(std::string_view field, int64_t now_ms);
  void EraseEntry(std::string_view field);
  void AddEntry(Entry* e);

  // The full representation, allocated only at conversion so a small hash stays small.
  struct Table {
    Dict dict;
    size_t entry_bytes = 0;      // AllocatedBytes() of the dict's entries
    size_t volatile_fields = 0;  // fields with a deadline
  };

  PackedList packed_;             // field, value, field, value, ... while table_ == nullptr
  std::unique_ptr<Table> table_;  // after conversion
};

template <typename Fn>
void HashObject::ForEach(Fn&& fn) const {
  if (table_ == nullptr) {
    for (size_t pos = packed_.begin(); pos != packed_.end();) {
      size_t value_pos = packed_.Next(pos);
      fn(packed_.At(pos), packed_.At(value_pos));
      pos = packed_.Next(value_pos);
    }
    return;
  }
  table_->dict.ForEach([&fn](Entry* e) { fn(e->key(), e->raw_value()); });
}

template <typename Fn>
uint64_t HashObject::Scan(uint64_t cursor, Fn&& fn) const {
  if (table_ == nullptr) {
    ForEach(fn);
    return 0;
  }
  return table_->dict.Scan(cursor, [&fn](Entry* e) { fn(e->key(), e->raw_value()); });
}

}  // namespace shoal

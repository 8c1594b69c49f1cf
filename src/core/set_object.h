// SetObject: the value of a set key. Three representations, as Redis 7.2:
//  - "intset": every member is a canonical int64 (ParseInt64) and there are at most
//    SetLimits::max_intset_entries: an IntSet (sorted, 2, 4 or 8 bytes a value);
//  - "listpack": at most max_packed_entries members, none longer than max_packed_value
//    bytes: a PackedList in insertion order;
//  - "hashtable": a Dict of Entries with empty values, one per member.
// Conversions only go towards hashtable (intset → listpack → hashtable), as in Redis.
// Exactly one representation exists at a time (a variant), so a small set's object is 24
// bytes of heap.
//
// Thread ownership: see core/object.h.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <variant>

#include "base/strings.h"
#include "core/dict.h"
#include "core/int_set.h"
#include "core/object.h"
#include "core/packed_list.h"

namespace shoal {

struct SetLimits {
  size_t max_intset_entries = 512;  // set-max-intset-entries
  size_t max_packed_entries = 128;  // set-max-listpack-entries
  size_t max_packed_value = 64;     // set-max-listpack-value
};

class SetObject final : public Object {
 public:
  SetObject() = default;
  ~SetObject() override;

  ValueType type() const override { return ValueType::kSet; }

  std::string_view EncodingName() const override;
  size_t MemoryBytes() const override;
  size_t Length() const override;
  std::unique_ptr<Object> Clone() const override;
  // count, then each member (varint length and bytes).
  void Serialize(std::string* out) const override;

  // Returns true when `member` was not there.
  bool Add(std::string_view member, const SetLimits& limits);
  bool Remove(std::string_view member);
  bool Contains(std::string_view member) const;

  // fn(member) for every member; fn must not modify the set. Intset members are formatted
  // into a buffer that lives for the call only.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // SSCAN: visits some members and returns the next cursor (0 = done); the small encodings
  // are visited in one call.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;
  // A uniformly random member (the set must not be empty).
  std::string RandomMember(std::mt19937_64& rng) const;

 private:
  // The full representation, allocated only at conversion.
  struct Table {
    Dict dict;
    size_t entry_bytes = 0;  // AllocatedBytes() of the dict's entries
  };
  using TablePtr = std::unique_ptr<Table>;

  void ToPacked();
  void ToTable();
  void AddToTable(std::string_view member);

  // Alternatives in conversion order; the index is the encoding.
  std::variant<IntSet, PackedList, TablePtr> rep_;
};

template <typename Fn>
void SetObject::ForEach(Fn&& fn) const {
  if (const auto* ints = std::get_if<IntSet>(&rep_)) {
    for (size_t i = 0; i < ints->size(); i++) {
      std::string text = FormatInt64(ints->At(i));
      fn(std::string_view(text));
    }
  } else if (const auto* packed = std::get_if<PackedList>(&rep_)) {
    for (size_t pos = packed->begin(); pos != packed->end(); pos = packed->Next(pos)) {
      fn(packed->At(pos));
    }
  } else {
    std::get<TablePtr>(rep_)->dict.ForEach([&fn](Entry* e) { fn(e->key()); });
  }
}

template <typename Fn>
uint64_t SetObject::Scan(uint64_t cursor, Fn&& fn) const {
  if (const auto* table = std::get_if<TablePtr>(&rep_)) {
    return (*table)->dict.Scan(cursor, [&fn](Entry* e) { fn(e->key()); });
  }
  ForEach(fn);
  return 0;
}

}  // namespace shoal

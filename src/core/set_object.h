// SetObject: the value of a set key. Three representations, as Redis 7.2:
//  - "intset": every member is a canonical int64 (ParseInt64) and there are at most
//    SetLimits::max_intset_entries: a sorted vector of int64;
//  - "listpack": at most max_packed_entries members, none longer than max_packed_value
//    bytes: a PackedList in insertion order;
//  - "hashtable": a Dict of Entries with empty values, one per member.
// Conversions only go towards hashtable (intset → listpack → hashtable), as in Redis.
//
// Thread ownership: see core/object.h.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "core/dict.h"
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
  enum class Kind : uint8_t { kIntset, kPacked, kTable };
  void ToPacked();
  void ToTable();

  Kind kind_ = Kind::kIntset;
  std::vector<int64_t> ints_;    // kIntset, sorted
  PackedList packed_;            // kPacked
  std::unique_ptr<Dict> table_;  // kTable
  size_t table_entry_bytes_ = 0;
};

template <typename Fn>
void SetObject::ForEach(Fn&& fn) const {
  switch (kind_) {
    case Kind::kIntset:
      for (int64_t v : ints_) {
        std::string text = FormatInt64(v);
        fn(std::string_view(text));
      }
      return;
    case Kind::kPacked:
      for (size_t pos = packed_.begin(); pos != packed_.end(); pos = packed_.Next(pos)) {
        fn(packed_.At(pos));
      }
      return;
    case Kind::kTable:
      table_->ForEach([&fn](Entry* e) { fn(e->key()); });
      return;
  }
}

template <typename Fn>
uint64_t SetObject::Scan(uint64_t cursor, Fn&& fn) const {
  if (kind_ != Kind::kTable) {
    ForEach(fn);
    return 0;
  }
  return table_->Scan(cursor, [&fn](Entry* e) { fn(e->key()); });
}

}  // namespace shoal

#include "core/set_object.h"

#include <algorithm>

#include "core/varint.h"

namespace shoal {

SetObject::~SetObject() = default;

std::string_view SetObject::EncodingName() const {
  static constexpr std::string_view kNames[] = {"intset", "listpack", "hashtable"};
  return kNames[rep_.index()];
}

size_t SetObject::MemoryBytes() const {
  const size_t self = HeapBytes(sizeof(*this));
  if (const auto* ints = std::get_if<IntSet>(&rep_)) return self + ints->AllocatedBytes();
  if (const auto* packed = std::get_if<PackedList>(&rep_)) return self + packed->AllocatedBytes();
  const Table& t = *std::get<TablePtr>(rep_);
  return self + HeapBytes(sizeof(Table)) + t.dict.BucketBytes() + t.entry_bytes;
}

size_t SetObject::Length() const {
  if (const auto* ints = std::get_if<IntSet>(&rep_)) return ints->size();
  if (const auto* packed = std::get_if<PackedList>(&rep_)) return packed->size();
  return std::get<TablePtr>(rep_)->dict.size();
}

std::unique_ptr<Object> SetObject::Clone() const {
  auto copy = std::make_unique<SetObject>();
  if (const auto* ints = std::get_if<IntSet>(&rep_)) {
    copy->rep_ = ints->Clone();
  } else if (const auto* packed = std::get_if<PackedList>(&rep_)) {
    copy->rep_ = packed->Clone();
  } else {
    copy->rep_ = std::make_unique<Table>();
    ForEach([&copy](std::string_view m) { copy->AddToTable(m); });
  }
  return copy;
}

void SetObject::Serialize(std::string* out) const {
  AppendVarint(out, Length());
  ForEach([out](std::string_view m) {
    AppendVarint(out, m.size());
    out->append(m);
  });
}

void SetObject::ToPacked() {
  PackedList packed;
  ForEach([&packed](std::string_view m) { packed.PushBack(m); });
  rep_ = std::move(packed);
}

void SetObject::ToTable() {
  // The old representation moves to a temporary set, which ForEach can read.
  SetObject old;
  std::swap(old.rep_, rep_);
  rep_ = std::make_unique<Table>();
  old.ForEach([this](std::string_view m) { AddToTable(m); });
}

// `member` must not be there yet.
void SetObject::AddToTable(std::string_view member) {
  Table& t = *std::get<TablePtr>(rep_);
  Entry* e = Entry::Create(member, "", false, false);
  t.entry_bytes += e->AllocatedBytes();
  t.dict.Insert(e);
}

bool SetObject::Add(std::string_view member, const SetLimits& limits) {
  if (auto* ints = std::get_if<IntSet>(&rep_)) {
    if (std::optional<int64_t> v = ParseInt64(member)) {
      if (ints->Contains(*v)) return false;
      if (ints->size() < std::min(limits.max_intset_entries, IntSet::kMaxSize)) {
        return ints->Insert(*v);
      }
      ToTable();
    } else if (ints->size() < limits.max_packed_entries &&
               member.size() <= limits.max_packed_value) {
      ToPacked();
    } else {
      ToTable();
    }
  }
  if (auto* packed = std::get_if<PackedList>(&rep_)) {
    if (packed->Find(member) != packed->end()) return false;
    if (packed->size() < limits.max_packed_entries && member.size() <= limits.max_packed_value) {
      packed->PushBack(member);
      return true;
    }
    ToTable();
  }
  if (std::get<TablePtr>(rep_)->dict.Find(member) != nullptr) return false;
  AddToTable(member);
  return true;
}

bool SetObject::Remove(std::string_view member) {
  if (auto* ints = std::get_if<IntSet>(&rep_)) {
    std::optional<int64_t> v = ParseInt64(member);
    return v && ints->Erase(*v);
  }
  if (auto* packed = std::get_if<PackedList>(&rep_)) {
    const size_t pos = packed->Find(member);
    if (pos == packed->end()) return false;
    packed->Erase(pos);
    return true;
  }
  Table& t = *std::get<TablePtr>(rep_);
  Entry* e = t.dict.Unlink(member);
  if (e == nullptr) return false;
  t.entry_bytes -= e->AllocatedBytes();
  Entry::Destroy(e);
  return true;
}

bool SetObject::Contains(std::string_view member) const {
  if (const auto* ints = std::get_if<IntSet>(&rep_)) {
    std::optional<int64_t> v = ParseInt64(member);
    return v && ints->Contains(*v);
  }
  if (const auto* packed = std::get_if<PackedList>(&rep_)) {
    return packed->Find(member) != packed->end();
  }
  return std::get<TablePtr>(rep_)->dict.Find(member) != nullptr;
}

std::string SetObject::RandomMember(std::mt19937_64& rng) const {
  if (const auto* ints = std::get_if<IntSet>(&rep_)) {
    return FormatInt64(ints->At(rng() % ints->size()));
  }
  if (const auto* packed = std::get_if<PackedList>(&rep_)) {
    size_t pos = packed->begin();
    for (size_t skip = rng() % packed->size(); skip > 0; --skip) pos = packed->Next(pos);
    return std::string(packed->At(pos));
  }
  return std::string(std::get<TablePtr>(rep_)->dict.Random(rng)->key());
}

}  // namespace shoal

#include "core/set_object.h"

#include <malloc.h>

#include <algorithm>

#include "core/varint.h"

namespace shoal {

SetObject::~SetObject() = default;

std::string_view SetObject::EncodingName() const {
  switch (kind_) {
    case Kind::kIntset:
      return "intset";
    case Kind::kPacked:
      return "listpack";
    case Kind::kTable:
      return "hashtable";
  }
  return "";
}

size_t SetObject::MemoryBytes() const {
  size_t n = HeapBytes(sizeof(*this)) + packed_.AllocatedBytes();
  if (ints_.capacity() != 0) n += malloc_usable_size(const_cast<int64_t*>(ints_.data()));
  if (table_ != nullptr) n += sizeof(Dict) + table_->BucketBytes() + table_entry_bytes_;
  return n;
}

size_t SetObject::Length() const {
  switch (kind_) {
    case Kind::kIntset:
      return ints_.size();
    case Kind::kPacked:
      return packed_.size();
    case Kind::kTable:
      return table_->size();
  }
  return 0;
}

std::unique_ptr<Object> SetObject::Clone() const {
  auto copy = std::make_unique<SetObject>();
  copy->kind_ = kind_;
  copy->ints_ = ints_;
  copy->packed_ = packed_.Clone();
  if (table_ != nullptr) {
    copy->table_ = std::make_unique<Dict>();
    table_->ForEach([&copy](Entry* e) {
      Entry* m = Entry::Create(e->key(), "", false, false);
      copy->table_entry_bytes_ += m->AllocatedBytes();
      copy->table_->Insert(m);
    });
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
  for (int64_t v : ints_) packed_.PushBack(FormatInt64(v));
  ints_ = std::vector<int64_t>();
  kind_ = Kind::kPacked;
}

void SetObject::ToTable() {
  auto table = std::make_unique<Dict>();
  ForEach([&](std::string_view m) {
    Entry* e = Entry::Create(m, "", false, false);
    table_entry_bytes_ += e->AllocatedBytes();
    table->Insert(e);
  });
  ints_ = std::vector<int64_t>();
  packed_.Clear();
  table_ = std::move(table);
  kind_ = Kind::kTable;
}

bool SetObject::Add(std::string_view member, const SetLimits& limits) {
  if (kind_ == Kind::kIntset) {
    if (std::optional<int64_t> v = ParseInt64(member)) {
      auto it = std::lower_bound(ints_.begin(), ints_.end(), *v);
      if (it != ints_.end() && *it == *v) return false;
      if (ints_.size() < limits.max_intset_entries) {
        ints_.insert(it, *v);
        return true;
      }
      ToTable();
    } else if (ints_.size() < limits.max_packed_entries &&
               member.size() <= limits.max_packed_value) {
      ToPacked();
    } else {
      ToTable();
    }
  }
  if (kind_ == Kind::kPacked) {
    if (packed_.Find(member) != packed_.end()) return false;
    if (packed_.size() < limits.max_packed_entries && member.size() <= limits.max_packed_value) {
      packed_.PushBack(member);
      return true;
    }
    ToTable();
  }
  if (table_->Find(member) != nullptr) return false;
  Entry* e = Entry::Create(member, "", false, false);
  table_entry_bytes_ += e->AllocatedBytes();
  table_->Insert(e);
  return true;
}

bool SetObject::Remove(std::string_view member) {
  switch (kind_) {
    case Kind::kIntset: {
      std::optional<int64_t> v = ParseInt64(member);
      if (!v) return false;
      auto it = std::lower_bound(ints_.begin(), ints_.end(), *v);
      if (it == ints_.end() || *it != *v) return false;
      ints_.erase(it);
      return true;
    }
    case Kind::kPacked: {
      size_t pos = packed_.Find(member);
      if (pos == packed_.end()) return false;
      packed_.Erase(pos);
      return true;
    }
    case Kind::kTable: {
      Entry* e = table_->Unlink(member);
      if (e == nullptr) return false;
      table_entry_bytes_ -= e->AllocatedBytes();
      Entry::Destroy(e);
      return true;
    }
  }
  return false;
}

bool SetObject::Contains(std::string_view member) const {
  switch (kind_) {
    case Kind::kIntset: {
      std::optional<int64_t> v = ParseInt64(member);
      return v && std::binary_search(ints_.begin(), ints_.end(), *v);
    }
    case Kind::kPacked:
      return packed_.Find(member) != packed_.end();
    case Kind::kTable:
      return table_->Find(member) != nullptr;
  }
  return false;
}

std::string SetObject::RandomMember(std::mt19937_64& rng) const {
  switch (kind_) {
    case Kind::kIntset:
      return FormatInt64(ints_[rng() % ints_.size()]);
    case Kind::kPacked: {
      size_t pos = packed_.begin();
      for (size_t skip = rng() % packed_.size(); skip > 0; --skip) pos = packed_.Next(pos);
      return std::string(packed_.At(pos));
    }
    case Kind::kTable:
      return std::string(table_->Random(rng)->key());
  }
  return {};
}

}  // namespace shoal

#include "core/hash_object.h"

#include "core/varint.h"

namespace shoal {

HashObject::~HashObject() = default;

std::string_view HashObject::EncodingName() const {
  return table_ == nullptr ? "listpack" : "hashtable";
}

size_t HashObject::MemoryBytes() const {
  size_t n = HeapBytes(sizeof(*this)) + packed_.AllocatedBytes();
  if (table_ != nullptr) n += sizeof(Table) + table_->dict.BucketBytes() + table_->entry_bytes;
  return n;
}

size_t HashObject::Length() const {
  return table_ == nullptr ? packed_.size() / 2 : table_->dict.size();
}

std::unique_ptr<Object> HashObject::Clone() const {
  auto copy = std::make_unique<HashObject>();
  if (table_ == nullptr) {
    copy->packed_ = packed_.Clone();
    return copy;
  }
  copy->table_ = std::make_unique<Table>();
  table_->dict.ForEach([&copy](Entry* e) {
    Entry* field = Entry::Create(e->key(), e->raw_value(), e->has_expiry_block(), false);
    if (e->has_expiry_block()) {
      field->set_expire_at_ms(e->expire_at_ms());
      copy->table_->volatile_fields++;
    }
    copy->AddEntry(field);
  });
  return copy;
}

void HashObject::Serialize(std::string* out) const {
  AppendVarint(out, Length());
  auto put = [out](std::string_view s) {
    AppendVarint(out, s.size());
    out->append(s);
  };
  if (table_ == nullptr) {
    ForEach([&](std::string_view field, std::string_view value) {
      put(field);
      put(value);
      AppendVarint(out, 0);
    });
    return;
  }
  table_->dict.ForEach([&](Entry* e) {
    put(e->key());
    put(e->raw_value());
    AppendVarint(out, e->has_expiry_block() ? static_cast<uint64_t>(e->expire_at_ms()) : 0);
  });
}

void HashObject::AddEntry(Entry* e) {
  table_->entry_bytes += e->AllocatedBytes();
  table_->dict.Insert(e);
}

void HashObject::EraseEntry(std::string_view field) {
  Entry* e = table_->dict.Unlink(field);
  table_->entry_bytes -= e->AllocatedBytes();
  if (e->has_expiry_block()) table_->volatile_fields--;
  Entry::Destroy(e);
}

void HashObject::ConvertToTable() {
  table_ = std::make_unique<Table>();
  for (size_t pos = packed_.begin(); pos != packed_.end();) {
    size_t value_pos = packed_.Next(pos);
    AddEntry(Entry::Create(packed_.At(pos), packed_.At(value_pos), false, false));
    pos = packed_.Next(value_pos);
  }
  packed_.Clear();
}

Entry** HashObject::LiveLink(std::string_view field, int64_t now_ms) {
  Entry** link = table_->dict.FindLink(field);
  if (link == nullptr) return nullptr;
  Entry* e = *link;
  if (e->has_expiry_block() && e->expire_at_ms() <= now_ms) {
    EraseEntry(field);
    return nullptr;
  }
  return link;
}

std::optional<std::string_view> HashObject::Get(std::string_view field, int64_t now_ms) {
  if (table_ == nullptr) {
    size_t pos = packed_.Find(field, packed_.begin(), 2);
    if (pos == packed_.end()) return std::nullopt;
    return packed_.At(packed_.Next(pos));
  }
  Entry** link = LiveLink(field, now_ms);
  if (link == nullptr) return std::nullopt;
  return (*link)->raw_value();
}

bool HashObject::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (table_ == nullptr) {
    size_t pos = packed_.Find(field, packed_.begin(), 2);
    const bool fits =
        field.size() <= limits.max_packed_value && value.size() <= limits.max_packed_value;
    if (pos != packed_.end() && fits) {
      packed_.Replace(packed_.Next(pos), value);
      return false;
    }
    if (pos == packed_.end() && fits && Length() < limits.max_packed_entries) {
      packed_.PushBack(field);
      packed_.PushBack(value);
      return true;
    }
    ConvertToTable();
  }
  Entry** link = table_->dict.FindLink(field);
  if (link == nullptr) {
    AddEntry(Entry::Create(field, value, false, false));
    return true;
  }
  Entry* old = *link;
  const size_t old_bytes = old->AllocatedBytes();
  if (old->has_expiry_block()) {
    table_->volatile_fields--;
    old = Entry::WithExpiryBlock(old, false);
  }
  Entry* updated = Entry::SetValue(old, value, false);
  *link = updated;
  table_->entry_bytes += updated->AllocatedBytes();
  table_->entry_bytes -= old_bytes;
  return false;
}

bool HashObject::Delete(std::string_view field) {
  if (table_ == nullptr) {
    size_t pos = packed_.Find(field, packed_.begin(), 2);
    if (pos == packed_.end()) return false;
    packed_.Erase(pos, 2);
    return true;
  }
  if (table_->dict.Find(field) == nullptr) return false;
  EraseEntry(field);
  return true;
}

void HashObject::PurgeExpired(int64_t now_ms) {
  if (fields_with_deadline() == 0) return;
  std::vector<std::string> expired;
  table_->dict.ForEach([&](Entry* e) {
    if (e->has_expiry_block() && e->expire_at_ms() <= now_ms) expired.emplace_back(e->key());
  });
  for (const std::string& field : expired) EraseEntry(field);
}

std::optional<int64_t> HashObject::FieldExpireAt(std::string_view field, int64_t now_ms) {
  if (table_ == nullptr) {
    if (packed_.Find(field, packed_.begin(), 2) == packed_.end()) return std::nullopt;
    return 0;
  }
  Entry** link = LiveLink(field, now_ms);
  if (link == nullptr) return std::nullopt;
  return (*link)->has_expiry_block() ? (*link)->expire_at_ms() : 0;
}

bool HashObject::SetFieldExpire(std::string_view field, int64_t expire_at_ms) {
  if (table_ == nullptr) {
    if (packed_.Find(field, packed_.begin(), 2) == packed_.end()) return false;
    ConvertToTable();
  }
  Entry** link = table_->dict.FindLink(field);
  if (link == nullptr) return false;
  Entry* e = *link;
  if (!e->has_expiry_block()) {
    table_->entry_bytes -= e->AllocatedBytes();
    e = Entry::WithExpiryBlock(e, true);
    *link = e;
    table_->entry_bytes += e->AllocatedBytes();
    table_->volatile_fields++;
  }
  e->set_expire_at_ms(expire_at_ms);
  return true;
}

bool HashObject::PersistField(std::string_view field) {
  if (table_ == nullptr) return false;
  Entry** link = table_->dict.FindLink(field);
  if (link == nullptr || !(*link)->has_expiry_block()) return false;
  table_->entry_bytes -= (*link)->AllocatedBytes();
  *link = Entry::WithExpiryBlock(*link, false);
  table_->entry_bytes += (*link)->AllocatedBytes();
  table_->volatile_fields--;
  return true;
}

}  // namespace shoal

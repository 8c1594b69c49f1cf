#include "commands/value_helpers.h"

namespace shoal {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
  }
  return "none";
}

std::string_view EncodingName(const Entry* e) {
  if (e->encoding() == Encoding::kInt) return "int";
  // Redis stores strings up to 44 bytes together with their object header ("embstr").
  return e->StringLength() <= 44 ? "embstr" : "raw";
}

Entry* CloneWithKey(const Entry* e, std::string_view key) {
  if (e->encoding() == Encoding::kInt) return Entry::CreateInt(key, e->int_value());
  return Entry::Create(key, e->raw_value());
}

Entry* StoreString(Db& db, Entry* existing, std::string_view key, std::string_view value,
                   int64_t expire_at_ms, int64_t now_ms) {
  if (existing != nullptr && existing->type() != ValueType::kString) {
    db.Delete(existing);
    existing = nullptr;
  }
  if (existing == nullptr) {
    return db.Insert(Entry::Create(key, value), now_ms, expire_at_ms > 0 ? expire_at_ms : 0);
  }
  size_t old_bytes = existing->AllocatedBytes();
  Entry* e = db.Updated(existing, Entry::SetValue(existing, value), old_bytes);
  if (expire_at_ms > 0) e = db.SetExpire(e, expire_at_ms);
  else if (expire_at_ms == 0) e = db.Persist(e);
  return e;
}

}  // namespace shoal

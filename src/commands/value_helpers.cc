#include "commands/value_helpers.h"

#include "base/strings.h"

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
  // Redis stores strings up to 44 bytes together with their object header ("embstr"); a
  // string grown or patched in place (APPEND, SETRANGE) is always "raw".
  return e->StringLength() <= 44 && !e->modified_in_place() ? "embstr" : "raw";
}

Entry* CloneWithKey(const Entry* e, std::string_view key) {
  if (e->encoding() == Encoding::kInt) return Entry::CreateInt(key, e->int_value());
  return Entry::Create(key, e->raw_value());
}

Entry* StoreString(Db& db, Entry* existing, std::string_view key, std::string_view value,
                   int64_t expire_at_ms, int64_t now_ms, bool allow_int) {
  if (existing != nullptr && existing->type() != ValueType::kString) {
    db.Delete(existing);
    existing = nullptr;
  }
  if (existing == nullptr) {
    return db.Insert(Entry::Create(key, value, false, allow_int), now_ms,
                     expire_at_ms > 0 ? expire_at_ms : 0);
  }
  size_t old_bytes = existing->AllocatedBytes();
  Entry* e = db.Updated(existing, Entry::SetValue(existing, value, allow_int), old_bytes);
  if (expire_at_ms > 0)
    e = db.SetExpire(e, expire_at_ms);
  else if (expire_at_ms == 0)
    e = db.Persist(e);
  return e;
}

std::optional<int> ParseIntArg(std::string_view arg, ReplySink& out) {
  std::optional<int64_t> v = ParseInt64(arg);
  if (!v) {
    out.Error("ERR value is not an integer or out of range");
    return std::nullopt;
  }
  if (*v < INT32_MIN || *v > INT32_MAX) {
    out.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

}  // namespace shoal

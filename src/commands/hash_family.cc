// The hash commands (Redis "hash" group), including per-field expiry (HEXPIRE & co, as Redis
// 7.4). Every command has one key, so all run as ShardHandlers on the key's shard. Field
// deadlines are enforced lazily (core/hash_object.h): commands that read the whole hash purge
// expired fields first.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "core/hash_object.h"

namespace shoal {
namespace {

constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
constexpr uint32_t kR = kCmdReadOnly;

HashObject& HashOf(Entry* e) { return *static_cast<HashObject*>(e->object()); }

// The hash at args[1]: nullptr when missing or (with the error written) of another type.
Entry* FindHash(ShardCall& c, bool* bad, bool for_write = false) {
  return FindTyped(c.db, c.args[1], c.now_ms, ValueType::kHash, c.out, bad, for_write);
}

// The hash at args[1] for a write, created empty when missing; nullptr after WRONGTYPE.
Entry* FindOrCreateHash(ShardCall& c) {
  bool bad;
  Entry* e = FindHash(c, &bad, true);
  if (bad) return nullptr;
  if (e == nullptr) e = c.db.Insert(Entry::CreateObject(c.args[1], new HashObject()), c.now_ms);
  return e;
}

std::string WrongArity(const ShardCall& c) {
  return "ERR wrong number of arguments for '" + ToLower(c.args[0]) + "' command";
}

// HSET key field value [field value ...]; HMSET replies OK instead of the count.
void SetFields(ShardCall& c, bool reply_count) {
  if (c.args.size() % 2 != 0) return c.out.Error(WrongArity(c));
  Entry* e = FindOrCreateHash(c);
  if (e == nullptr) return;
  int64_t added = 0;
  {
    ObjectChange change(c.db, e);
    const HashLimits limits = c.shard.options().hash_limits();
    for (size_t i = 2; i < c.args.size(); i += 2) {
      if (HashOf(e).Set(c.args[i], c.args[i + 1], limits)) added++;
    }
  }
  if (reply_count) return c.out.Integer(added);
  c.out.Ok();
}
void HSet(ShardCall& c) { SetFields(c, true); }
void HMSet(ShardCall& c) { SetFields(c, false); }

void HSetNx(ShardCall& c) {
  Entry* e = FindOrCreateHash(c);
  if (e == nullptr) return;
  bool added = false;
  {
    ObjectChange change(c.db, e);
    HashObject& h = HashOf(e);
    if (!h.Get(c.args[2], c.now_ms)) {
      added = h.Set(c.args[2], c.args[3], c.shard.options().hash_limits());
    }
  }
  c.out.Integer(added ? 1 : 0);
}

void HGet(ShardCall& c) {
  bool bad;
  Entry* e = FindHash(c, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Null();
  ObjectChange change(c.db, e, /*write=*/false);
  std::optional<std::string_view> v = HashOf(e).Get(c.args[2], c.now_ms);
  if (!v) return c.out.Null();
  c.out.Bulk(*v);
}

void HMGet(ShardCall& c) {
  bool bad;
  Entry* e = FindHash(c, &bad);
  if (bad) return;
  c.out.ArrayHeader(c.args.size() - 2);
  if (e == nullptr) {
    for (size_t i = 2; i < c.args.size(); i++) c.out.Null();
    return;
  }
  ObjectChange change(c.db, e, /*write=*/false);
  for (size_t i = 2; i < c.args.size(); i++) {
    std::optional<std::string_view> v = HashOf(e).Get(c.args[i], c.now_ms);
    if (v)
      c.out.Bulk(*v);
    else
      c.out.Null();
  }
}

void HDel(ShardCall& c) {
  bool bad;
  Entry* e = FindHash(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  int64_t deleted = 0;
  {
    ObjectChange change(c.db, e);
    for (size_t i = 2; i < c.args.size(); i++) {
      if (HashOf(e).Delete(c.args[i])) deleted++;
    }
  }
  c.out.Integer(deleted);
}

// Runs fn(HashObject&) on the hash at args[1] with its expired fields purged; writes
// `missing` (an integer) when there is no such key.
template <typename Fn>
void WithLiveHash(ShardCall& c, int64_t missing, Fn&& fn) {
  bool bad;
  Entry* e = FindHash(c, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(missing);
  ObjectChange change(c.db, e, /*write=*/false);
  HashOf(e).PurgeExpired(c.now_ms);
  fn(HashOf(e));
}

void HLen(ShardCall& c) {
  WithLiveHash(c, 0, [&](HashObject& h) { c.out.Integer(static_cast<int64_t>(h.Length())); });
}

void HStrLen(ShardCall& c) {
  WithLiveHash(c, 0, [&](HashObject& h) {
    std::optional<std::string_view> v = h.Get(c.args[2], c.now_ms);
    c.out.Integer(v ? static_cast<int64_t>(v->size()) : 0);
  });
}

void HExists(ShardCall& c) {
  WithLiveHash(c, 0, [&](HashObject& h) { c.out.Integer(h.Get(c.args[2], c.now_ms) ? 1 : 0); });
}

enum class Parts { kKeys, kValues, kBoth };

void ReplyAll(ShardCall& c, Parts parts) {
  bool bad;
  Entry* e = FindHash(c, &bad);
  if (bad) return;
  if (e == nullptr) return parts == Parts::kBoth ? c.out.MapHeader(0) : c.out.ArrayHeader(0);
  ObjectChange change(c.db, e, /*write=*/false);
  HashObject& h = HashOf(e);
  h.PurgeExpired(c.now_ms);
  if (parts == Parts::kBoth)
    c.out.MapHeader(h.Length());
  else
    c.out.ArrayHeader(h.Length());
  h.ForEach([&](std::string_view field, std::string_view value) {
    if (parts != Parts::kValues) c.out.Bulk(field);
    if (parts != Parts::kKeys) c.out.Bulk(value);
  });
}
void HKeys(ShardCall& c) { ReplyAll(c, Parts::kKeys); }
void HVals(ShardCall& c) { ReplyAll(c, Parts::kValues); }
void HGetAll(ShardCall& c) { ReplyAll(c, Parts::kBoth); }

void HIncrBy(ShardCall& c) {
  std::optional<int64_t> incr = ParseInt64(c.args[3]);
  if (!incr) return c.out.Error(errors::kNotInteger);
  Entry* e = FindOrCreateHash(c);
  if (e == nullptr) return;
  ObjectChange change(c.db, e);
  HashObject& h = HashOf(e);
  int64_t current = 0;
  if (std::optional<std::string_view> v = h.Get(c.args[2], c.now_ms)) {
    std::optional<int64_t> parsed = ParseInt64(*v);
    if (!parsed) return c.out.Error("ERR hash value is not an integer");
    current = *parsed;
  }
  if ((*incr > 0 && current > INT64_MAX - *incr) || (*incr < 0 && current < INT64_MIN - *incr)) {
    return c.out.Error(errors::kOverflow);
  }
  const int64_t result = current + *incr;
  h.Set(c.args[2], FormatInt64(result), c.shard.options().hash_limits());
  c.out.Integer(result);
}

void HIncrByFloat(ShardCall& c) {
  std::optional<long double> incr = ParseLongDouble(c.args[3]);
  if (!incr) return c.out.Error(errors::kNotFloat);
  if (std::isnan(*incr) || std::isinf(*incr)) return c.out.Error("ERR value is NaN or Infinity");
  Entry* e = FindOrCreateHash(c);
  if (e == nullptr) return;
  ObjectChange change(c.db, e);
  HashObject& h = HashOf(e);
  long double current = 0;
  if (std::optional<std::string_view> v = h.Get(c.args[2], c.now_ms)) {
    std::optional<long double> parsed = ParseLongDouble(*v);
    if (!parsed) return c.out.Error("ERR hash value is not a float");
    current = *parsed;
  }
  const long double result = current + *incr;
  if (std::isnan(result) || std::isinf(result)) {
    return c.out.Error("ERR increment would produce NaN or Infinity");
  }
  std::string text = FormatLongDoubleHuman(result);
  h.Set(c.args[2], text, c.shard.options().hash_limits());
  c.out.Bulk(text);
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandField(ShardCall& c) {
  std::optional<RandomCountArgs> a = ParseRandomCountArgs(c.args, "withvalues", c.out);
  if (!a) return;
  const std::optional<int64_t> count = a->count;
  const bool with_values = a->with;
  bool bad;
  Entry* e = FindHash(c, &bad);
  if (bad) return;
  if (e == nullptr) return count ? c.out.ArrayHeader(0) : c.out.Null();
  ObjectChange change(c.db, e, /*write=*/false);
  HashObject& h = HashOf(e);
  h.PurgeExpired(c.now_ms);
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  pairs.reserve(h.Length());
  h.ForEach([&](std::string_view f, std::string_view v) { pairs.emplace_back(f, v); });
  auto& rng = c.shard.rng();
  if (!count) {
    if (pairs.empty()) return c.out.Null();
    return c.out.Bulk(pairs[rng() % pairs.size()].first);
  }
  std::vector<size_t> picks;
  if (*count >= 0) {
    // Distinct fields: the first n of a partial Fisher-Yates shuffle.
    const size_t n = std::min(static_cast<size_t>(*count), pairs.size());
    for (size_t i = 0; i < n; i++) std::swap(pairs[i], pairs[i + rng() % (pairs.size() - i)]);
    for (size_t i = 0; i < n; i++) picks.push_back(i);
  } else if (!pairs.empty()) {
    for (int64_t i = 0; i < -*count; i++) picks.push_back(rng() % pairs.size());
  }
  const bool nested = with_values && c.out.protocol_version() >= 3;
  c.out.ArrayHeader(with_values && !nested ? picks.size() * 2 : picks.size());
  for (size_t i : picks) {
    if (nested) c.out.ArrayHeader(2);
    c.out.Bulk(pairs[i].first);
    if (with_values) c.out.Bulk(pairs[i].second);
  }
}

// HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]
void HScan(ShardCall& c) {
  std::optional<ScanArgs> a = ParseScanArgs(c.args, 2, ScanKind::kHash, c.out);
  if (!a) return;
  bool bad;
  Entry* e = FindHash(c, &bad);
  if (bad) return;
  std::vector<std::pair<std::string, std::string>> found;
  uint64_t cursor = 0;
  if (e != nullptr) {
    ObjectChange change(c.db, e, /*write=*/false);
    HashObject& h = HashOf(e);
    h.PurgeExpired(c.now_ms);
    cursor = a->cursor;
    int64_t budget = a->count > INT64_MAX / 10 ? INT64_MAX : a->count * 10;
    do {
      cursor = h.Scan(cursor, [&](std::string_view f, std::string_view v) {
        if (!a->pattern.empty() && !GlobMatch(a->pattern, f)) return;
        found.emplace_back(f, a->novalues ? std::string_view() : v);
      });
    } while (cursor != 0 && --budget > 0 && static_cast<int64_t>(found.size()) < a->count);
  }
  c.out.ArrayHeader(2);
  c.out.Bulk(std::to_string(cursor));
  c.out.ArrayHeader(a->novalues ? found.size() : found.size() * 2);
  for (const auto& [field, value] : found) {
    c.out.Bulk(field);
    if (!a->novalues) c.out.Bulk(value);
  }
}

// ---- Field expiry (Redis 7.4) ----

// Largest field deadline Redis accepts (EB_EXPIRE_TIME_MAX): 2^48 - 1 ms.
constexpr int64_t kMaxFieldDeadlineMs = (int64_t{1} << 48) - 1;

// Parses "FIELDS numfields field..." at args[pos..] (it must end the command). Writes the
// error and returns false when malformed.
bool ParseFields(ShardCall& c, size_t pos, std::span<const std::string_view>* fields) {
  if (pos >= c.args.size() || !EqualsIgnoreCase(c.args[pos], "fields")) {
    c.out.Error("ERR Mandatory argument FIELDS is missing or not at the right position");
    return false;
  }
  std::optional<int64_t> n = pos + 1 < c.args.size() ? ParseInt64(c.args[pos + 1]) : 0;
  if (!n || *n <= 0) {
    c.out.Error("ERR Parameter `numFields` should be greater than 0");
    return false;
  }
  if (static_cast<uint64_t>(*n) != c.args.size() - pos - 2) {
    c.out.Error("ERR The `numfields` parameter must match the number of arguments");
    return false;
  }
  *fields = c.args.subspan(pos + 2);
  return true;
}

// For each field: -2 when the key or the field is missing, else fn(HashObject&, field).
template <typename Fn>
void ForEachField(ShardCall& c, std::span<const std::string_view> fields, bool for_write, Fn&& fn) {
  bool bad;
  Entry* e = FindHash(c, &bad, for_write);
  if (bad) return;
  c.out.ArrayHeader(fields.size());
  if (e == nullptr) {
    for (size_t i = 0; i < fields.size(); i++) c.out.Integer(-2);
    return;
  }
  ObjectChange change(c.db, e, for_write);
  for (std::string_view field : fields) {
    std::optional<int64_t> deadline = HashOf(e).FieldExpireAt(field, c.now_ms);
    c.out.Integer(deadline ? fn(HashOf(e), field, *deadline) : -2);
  }
}

enum class Condition { kAlways, kNx, kXx, kGt, kLt };

// HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT key time [NX|XX|GT|LT] FIELDS n field...
void FieldExpireGeneric(ShardCall& c, bool millis, bool absolute) {
  std::optional<int64_t> when = ParseInt64(c.args[2]);
  if (!when) return c.out.Error(errors::kNotInteger);
  const int64_t unit = millis ? 1 : 1000;
  if (*when < 0 || *when > kMaxFieldDeadlineMs / unit) {
    return c.out.Error("ERR invalid expire time, must be >= 0 and <= 2^48 - 1");
  }
  int64_t deadline = *when * unit + (absolute ? 0 : c.now_ms);
  if (deadline > kMaxFieldDeadlineMs) {
    return c.out.Error("ERR invalid expire time, must be >= 0 and <= 2^48 - 1");
  }
  Condition cond = Condition::kAlways;
  size_t pos = 3;
  if (pos < c.args.size()) {
    std::string_view a = c.args[pos];
    if (EqualsIgnoreCase(a, "nx")) cond = Condition::kNx;
    if (EqualsIgnoreCase(a, "xx")) cond = Condition::kXx;
    if (EqualsIgnoreCase(a, "gt")) cond = Condition::kGt;
    if (EqualsIgnoreCase(a, "lt")) cond = Condition::kLt;
    if (cond != Condition::kAlways) pos++;
  }
  std::span<const std::string_view> fields;
  if (!ParseFields(c, pos, &fields)) return;
  ForEachField(c, fields, true, [&](HashObject& h, std::string_view field, int64_t current) {
    // A field without a deadline counts as infinitely far away for GT and LT.
    const bool has = current != 0;
    if ((cond == Condition::kNx && has) || (cond == Condition::kXx && !has) ||
        (cond == Condition::kGt && (!has || deadline <= current)) ||
        (cond == Condition::kLt && has && deadline >= current)) {
      return 0;
    }
    if (deadline <= c.now_ms) {
      h.Delete(field);
      return 2;
    }
    h.SetFieldExpire(field, deadline);
    return 1;
  });
}
void HExpire(ShardCall& c) { FieldExpireGeneric(c, false, false); }
void HPExpire(ShardCall& c) { FieldExpireGeneric(c, true, false); }
void HExpireAt(ShardCall& c) { FieldExpireGeneric(c, false, true); }
void HPExpireAt(ShardCall& c) { FieldExpireGeneric(c, true, true); }

// HTTL / HPTTL / HEXPIRETIME / HPEXPIRETIME key FIELDS n field...: -1 for no deadline.
void FieldTtlGeneric(ShardCall& c, bool millis, bool absolute) {
  std::span<const std::string_view> fields;
  if (!ParseFields(c, 2, &fields)) return;
  ForEachField(c, fields, false, [&](HashObject&, std::string_view, int64_t deadline) {
    if (deadline == 0) return int64_t{-1};
    int64_t v = absolute ? deadline : deadline - c.now_ms;
    return millis ? v : (v + 999) / 1000;
  });
}
void HTtl(ShardCall& c) { FieldTtlGeneric(c, false, false); }
void HPTtl(ShardCall& c) { FieldTtlGeneric(c, true, false); }
void HExpireTime(ShardCall& c) { FieldTtlGeneric(c, false, true); }
void HPExpireTime(ShardCall& c) { FieldTtlGeneric(c, true, true); }

// HPERSIST key FIELDS n field...: 1 removed, -1 had no deadline, -2 missing.
void HPersist(ShardCall& c) {
  std::span<const std::string_view> fields;
  if (!ParseFields(c, 2, &fields)) return;
  ForEachField(c, fields, true, [](HashObject& h, std::string_view field, int64_t deadline) {
    if (deadline == 0) return -1;
    h.PersistField(field);
    return 1;
  });
}

constexpr std::string_view kHashFast = "@write @hash @fast";
constexpr std::string_view kHashReadFast = "@read @hash @fast";
constexpr std::string_view kHashReadSlow = "@read @hash @slow";

const CommandSpec kHashCommands[] = {
    {"hset", -4, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "2.0.0",
     "Creates or modifies the value of a field in a hash.", HSet, nullptr},
    {"hmset", -4, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "2.0.0",
     "Sets the values of multiple fields.", HMSet, nullptr},
    {"hsetnx", 4, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "2.0.0",
     "Sets the value of a field in a hash only when the field doesn't exist.", HSetNx, nullptr},
    {"hget", 3, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "2.0.0",
     "Returns the value of a field in a hash.", HGet, nullptr},
    {"hmget", -3, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "2.0.0",
     "Returns the values of all fields in a hash.", HMGet, nullptr},
    {"hdel", -3, kCmdWrite | kCmdFast, 1, 1, 1, kHashFast, "hash", "2.0.0",
     "Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
     "remain.",
     HDel, nullptr},
    {"hlen", 2, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "2.0.0",
     "Returns the number of fields in a hash.", HLen, nullptr},
    {"hstrlen", 3, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "3.2.0",
     "Returns the length of the value of a field.", HStrLen, nullptr},
    {"hexists", 3, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "2.0.0",
     "Determines whether a field exists in a hash.", HExists, nullptr},
    {"hkeys", 2, kR, 1, 1, 1, kHashReadSlow, "hash", "2.0.0", "Returns all fields in a hash.",
     HKeys, nullptr},
    {"hvals", 2, kR, 1, 1, 1, kHashReadSlow, "hash", "2.0.0", "Returns all values in a hash.",
     HVals, nullptr},
    {"hgetall", 2, kR, 1, 1, 1, kHashReadSlow, "hash", "2.0.0",
     "Returns all fields and values in a hash.", HGetAll, nullptr},
    {"hincrby", 4, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "2.0.0",
     "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if "
     "the field doesn't exist.",
     HIncrBy, nullptr},
    {"hincrbyfloat", 4, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "2.6.0",
     "Increments the floating point value of a field by a number. Uses 0 as initial value if "
     "the field doesn't exist.",
     HIncrByFloat, nullptr},
    {"hrandfield", -2, kR, 1, 1, 1, kHashReadSlow, "hash", "6.2.0",
     "Returns one or more random fields from a hash.", HRandField, nullptr},
    {"hscan", -3, kR, 1, 1, 1, kHashReadSlow, "hash", "2.8.0",
     "Iterates over fields and values of a hash.", HScan, nullptr},
    {"hexpire", -6, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "7.4.0",
     "Set expiry for hash field using relative time to expire (seconds)", HExpire, nullptr},
    {"hpexpire", -6, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "7.4.0",
     "Set expiry for hash field using relative time to expire (milliseconds)", HPExpire, nullptr},
    {"hexpireat", -6, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "7.4.0",
     "Set expiry for hash field using an absolute Unix timestamp (seconds)", HExpireAt, nullptr},
    {"hpexpireat", -6, kW | kCmdFast, 1, 1, 1, kHashFast, "hash", "7.4.0",
     "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", HPExpireAt,
     nullptr},
    {"httl", -5, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "7.4.0",
     "Returns the TTL in seconds of a hash field.", HTtl, nullptr},
    {"hpttl", -5, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "7.4.0",
     "Returns the TTL in milliseconds of a hash field.", HPTtl, nullptr},
    {"hexpiretime", -5, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "7.4.0",
     "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", HExpireTime,
     nullptr},
    {"hpexpiretime", -5, kR | kCmdFast, 1, 1, 1, kHashReadFast, "hash", "7.4.0",
     "Returns the expiration time of a hash field as a Unix timestamp, in msec.", HPExpireTime,
     nullptr},
    {"hpersist", -5, kCmdWrite | kCmdFast, 1, 1, 1, kHashFast, "hash", "7.4.0",
     "Removes the expiration time for each specified field", HPersist, nullptr},
};

}  // namespace

std::span<const CommandSpec> HashFamily() { return kHashCommands; }

}  // namespace shoal

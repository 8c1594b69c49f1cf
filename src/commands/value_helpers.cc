#include "commands/value_helpers.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "base/hash.h"
#include "base/strings.h"
#include "core/object.h"

namespace shoal {

Entry* FindTyped(Db& db, std::string_view key, int64_t now_ms, ValueType type, ReplySink& out,
                 bool* bad, bool for_write) {
  Entry* e = for_write ? db.FindForWrite(key, now_ms) : db.FindForRead(key, now_ms);
  *bad = e != nullptr && e->type() != type;
  if (*bad) {
    out.Error(errors::kWrongType);
    return nullptr;
  }
  return e;
}

ObjectChange::~ObjectChange() {
  if (write_ || e_->object()->Length() != length_)
    db_.Updated(e_, e_, before_);
  else
    db_.Reaccount(e_, before_);
  if (e_->object()->Length() == 0) db_.Delete(e_);
}

namespace {
// A cursor as Redis reads it (strtoul): "" is 0 and "-1" wraps around; leading spaces,
// trailing garbage and values past 2^64 are invalid.
std::optional<uint64_t> ParseScanCursor(std::string_view text) {
  std::string s(text);
  if (!s.empty() && std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  uint64_t v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return std::nullopt;
  return v;
}
}  // namespace

std::optional<ScanArgs> ParseScanArgs(CmdArgs args, size_t cursor_index, ScanKind kind,
                                      ReplySink& out) {
  ScanArgs a;
  std::optional<uint64_t> cursor = ParseScanCursor(args[cursor_index]);
  if (!cursor) {
    out.Error("ERR invalid cursor");
    return std::nullopt;
  }
  a.cursor = *cursor;
  for (size_t i = cursor_index + 1; i < args.size(); i++) {
    bool has_next = i + 1 < args.size();
    if (EqualsIgnoreCase(args[i], "match") && has_next) {
      a.pattern = args[++i];
      if (a.pattern == "*") a.pattern = {};
    } else if (EqualsIgnoreCase(args[i], "count") && has_next) {
      std::optional<int64_t> v = ParseInt64(args[++i]);
      if (!v) {
        out.Error(errors::kNotInteger);
        return std::nullopt;
      }
      if (*v < 1) {
        out.Error(errors::kSyntax);
        return std::nullopt;
      }
      a.count = *v;
    } else if (kind == ScanKind::kKeys && EqualsIgnoreCase(args[i], "type") && has_next) {
      a.type = args[++i];
    } else if (kind == ScanKind::kHash && EqualsIgnoreCase(args[i], "novalues")) {
      a.novalues = true;
    } else {
      out.Error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return a;
}

boost::asio::awaitable<void> CheckMoveKeys(CommandContext& ctx, Transaction& tx,
                                           std::string_view src, std::string_view dst,
                                           ValueType type,
                                           const std::function<void(Entry*)>& on_source,
                                           bool* src_exists, bool* wrong_type) {
  *src_exists = *wrong_type = false;
  for (uint32_t s : tx.shards()) {
    auto check = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      for (std::string_view k : {src, dst}) {
        if (ShardOfKey(k, ctx.shards->size()) != s) continue;
        Entry* e = db.FindForRead(k, shard.NowMs());
        if (e == nullptr) continue;
        if (e->type() != type) {
          *wrong_type = true;
        } else if (k == src) {
          on_source(e);
        }
        if (k == src) *src_exists = true;
      }
    };
    co_await tx.Run(s, check, /*release=*/false);
  }
}

boost::asio::awaitable<void> VisitKeys(CommandContext& ctx, Transaction& tx,
                                       std::span<const std::string_view> keys,
                                       const std::function<void(size_t, Entry*)>& visit) {
  for (uint32_t s : tx.shards()) {
    auto read = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      for (size_t i = 0; i < keys.size(); i++) {
        if (ShardOfKey(keys[i], ctx.shards->size()) != s) continue;
        if (Entry* e = db.FindForRead(keys[i], shard.NowMs())) visit(i, e);
      }
    };
    co_await tx.Run(s, read, /*release=*/false);
  }
}

std::optional<MPopArgs> ParseMPopArgs(CmdArgs args, std::string_view first, std::string_view second,
                                      ReplySink& out) {
  std::optional<int64_t> numkeys = ParseInt64(args[1]);
  if (!numkeys || *numkeys <= 0) {
    out.Error("ERR numkeys should be greater than 0");
    return std::nullopt;
  }
  // As Redis: too few arguments for numkeys is a syntax error (WHERE is missing).
  if (static_cast<uint64_t>(*numkeys) >= args.size() - 2) {
    out.Error(errors::kSyntax);
    return std::nullopt;
  }
  MPopArgs a;
  a.keys = args.subspan(2, static_cast<size_t>(*numkeys));
  size_t i = 2 + a.keys.size();
  a.second = EqualsIgnoreCase(args[i], second);
  bool syntax = !a.second && !EqualsIgnoreCase(args[i], first), has_count = false;
  for (i++; !syntax && i < args.size(); i++) {
    if (EqualsIgnoreCase(args[i], "count") && i + 1 < args.size() && !has_count) {
      has_count = true;
      std::optional<int64_t> v = ParseInt64(args[++i]);
      if (!v || *v <= 0) {
        out.Error("ERR count should be greater than 0");
        return std::nullopt;
      }
      a.count = static_cast<size_t>(*v);
    } else {
      syntax = true;
    }
  }
  if (syntax) {
    out.Error(errors::kSyntax);
    return std::nullopt;
  }
  return a;
}

std::optional<size_t> ParseInterCardLimit(CmdArgs args, size_t from, ReplySink& out) {
  size_t limit = 0;
  for (size_t i = from; i < args.size(); i++) {
    if (!EqualsIgnoreCase(args[i], "limit") || i + 1 == args.size()) {
      out.Error(errors::kSyntax);
      return std::nullopt;
    }
    // Redis parses it with getPositiveLongFromObjectOrReply and one message: a non-integer
    // "can't be negative" too.
    std::optional<int64_t> v = ParseInt64(args[++i]);
    if (!v || *v < 0) {
      out.Error("ERR LIMIT can't be negative");
      return std::nullopt;
    }
    limit = static_cast<size_t>(*v);
  }
  return limit;
}

boost::asio::awaitable<std::optional<std::string_view>> PopFromFirst(
    CommandContext& ctx, std::span<const std::string_view> keys, ValueType type,
    const std::function<void(Db&, Entry*)>& pop, bool* wrong_type) {
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  std::optional<std::string_view> found =
      co_await PopFromFirstLocked(ctx, tx, keys, type, pop, wrong_type);
  co_await tx.Finish();
  co_return found;
}

boost::asio::awaitable<std::optional<std::string_view>> PopFromFirstLocked(
    CommandContext& ctx, Transaction& tx, std::span<const std::string_view> keys, ValueType type,
    const std::function<void(Db&, Entry*)>& pop, bool* wrong_type) {
  *wrong_type = false;
  std::optional<std::string_view> found;
  for (std::string_view key : keys) {
    auto visit = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      Entry* e = db.FindForWrite(key, shard.NowMs());
      if (e == nullptr) return;
      found = key;
      if (e->type() != type) {
        *wrong_type = true;
        return;
      }
      pop(db, e);
    };
    co_await tx.Run(ShardOfKey(key, ctx.shards->size()), visit, /*release=*/false);
    if (found) break;
  }
  co_return found;
}

RankSpan IndexSpan(int64_t start, int64_t stop, size_t length) {
  const auto n = static_cast<int64_t>(length);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return {};
  if (stop >= n) stop = n - 1;
  return {static_cast<size_t>(start), static_cast<size_t>(stop - start + 1)};
}

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kList:
      return "list";
    case ValueType::kSet:
      return "set";
    case ValueType::kZSet:
      return "zset";
    case ValueType::kHash:
      return "hash";
  }
  return "none";
}

std::string_view EncodingName(const Entry* e) {
  if (e->encoding() == Encoding::kObject) return e->object()->EncodingName();
  if (e->encoding() == Encoding::kInt) return "int";
  // Redis stores strings up to 44 bytes together with their object header ("embstr"); a
  // string grown or patched in place (APPEND, SETRANGE) is always "raw".
  return e->StringLength() <= 44 && !e->modified_in_place() ? "embstr" : "raw";
}

namespace {

Entry* CloneValueWithKey(const Entry* e, std::string_view key) {
  if (e->encoding() == Encoding::kObject) {
    return Entry::CreateObject(key, e->object()->Clone().release());
  }
  if (e->encoding() == Encoding::kInt) return Entry::CreateInt(key, e->int_value());
  return Entry::Create(key, e->raw_value());
}

}  // namespace

Entry* CloneWithKey(const Entry* e, std::string_view key) {
  Entry* clone = CloneValueWithKey(e, key);
  if (e->has_item_block()) {  // memcached flags travel with the value; Insert stamps a CAS
    clone = Entry::WithItemBlock(clone, true);
    clone->set_client_flags(e->client_flags());
  }
  return clone;
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
  size_t old_bytes = existing->MemoryBytes();
  Entry* e = db.Updated(existing, Entry::SetValue(existing, value, allow_int), old_bytes);
  if (e->has_item_block()) e->set_client_flags(0);  // a new value, so no memcached flags
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

std::optional<RandomCountArgs> ParseRandomCountArgs(CmdArgs args, std::string_view with,
                                                    ReplySink& out) {
  RandomCountArgs a;
  if (args.size() < 3) return a;
  a.count = ParseInt64(args[2]);
  if (!a.count) {
    out.Error(errors::kNotInteger);
    return std::nullopt;
  }
  if (*a.count == INT64_MIN) {
    out.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return std::nullopt;
  }
  if (args.size() == 4 && EqualsIgnoreCase(args[3], with)) {
    a.with = true;
  } else if (args.size() > 3) {
    out.Error(errors::kSyntax);
    return std::nullopt;
  }
  // Redis refuses counts whose reply size (two elements per pick) would overflow.
  if (a.with && (*a.count < -INT64_MAX / 2 || *a.count > INT64_MAX / 2)) {
    out.Error("ERR value is out of range");
    return std::nullopt;
  }
  return a;
}

}  // namespace shoal

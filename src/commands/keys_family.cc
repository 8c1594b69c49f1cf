// The keyspace commands (Redis "generic" group): existence, deletion, expiry, renaming,
// iteration. Multi-key and cross-shard commands coordinate through a Transaction; fan-outs
// (KEYS, SCAN, DBSIZE, RANDOMKEY) visit shards one after another and are not atomic across
// shards (documented in docs/multi-key-atomicity.md).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "commands/command_table.h"
#include "commands/dispatcher.h"
#include "commands/dump_format.h"
#include "commands/value_helpers.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

bool IsExpired(const Entry* e, int64_t now) {
  return e->has_expiry_block() && e->expire_at_ms() <= now;
}

// DEL, UNLINK, EXISTS, TOUCH: apply `fn(db, key, now) -> bool` to every key argument on its
// shard, under locks, and reply with how many returned true.
template <typename Fn>
boost::asio::awaitable<void> CountOverKeys(CommandContext& ctx, LockMode mode, Fn fn) {
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  size_t n = ctx.args.size() - 1;
  std::vector<uint32_t> owner(n);
  for (size_t i = 0; i < n; i++) owner[i] = tx.AddKey(ctx.args[i + 1], mode);
  int64_t count = 0;
  co_await tx.Lock();
  for (uint32_t s : tx.shards()) {
    auto body = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      int64_t now = shard.NowMs();
      for (size_t i = 0; i < n; i++) {
        if (owner[i] == s && fn(db, ctx.args[i + 1], now)) count++;
      }
    };
    co_await tx.Run(s, body);
  }
  ctx.out->Integer(count);
}

boost::asio::awaitable<void> Del(CommandContext& ctx) {
  return CountOverKeys(ctx, LockMode::kExclusive, [](Db& db, std::string_view key, int64_t now) {
    Entry* e = db.Peek(key, now);
    if (e == nullptr) return false;
    db.Delete(e);
    return true;
  });
}

boost::asio::awaitable<void> Exists(CommandContext& ctx) {
  return CountOverKeys(ctx, LockMode::kShared, [](Db& db, std::string_view key, int64_t now) {
    return db.Peek(key, now) != nullptr;
  });
}

boost::asio::awaitable<void> Touch(CommandContext& ctx) {
  return CountOverKeys(ctx, LockMode::kShared, [](Db& db, std::string_view key, int64_t now) {
    return db.FindForWrite(key, now) != nullptr;
  });
}

void Type(ShardCall& c) {
  Entry* e = c.db.Peek(c.args[1], c.now_ms);
  c.out.SimpleString(e == nullptr ? "none" : TypeName(e->type()));
}

// ---- expiry ----

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT]
void ExpireGeneric(ShardCall& c, bool millis, bool absolute) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < c.args.size(); i++) {
    std::string_view a = c.args[i];
    if (EqualsIgnoreCase(a, "nx"))
      nx = true;
    else if (EqualsIgnoreCase(a, "xx"))
      xx = true;
    else if (EqualsIgnoreCase(a, "gt"))
      gt = true;
    else if (EqualsIgnoreCase(a, "lt"))
      lt = true;
    else
      return c.out.Error("ERR Unsupported option " + std::string(a));
  }
  if (nx && (xx || gt || lt)) {
    return c.out.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return c.out.Error("ERR GT and LT options at the same time are not compatible");
  std::optional<int64_t> v = ParseInt64(c.args[2]);
  if (!v) return c.out.Error(errors::kNotInteger);
  std::string name = ToLower(c.args[0]);
  int64_t when = *v;
  if (!millis) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      return c.out.Error("ERR invalid expire time in '" + name + "' command");
    }
    when *= 1000;
  }
  if (!absolute) {
    if ((when > 0 && c.now_ms > INT64_MAX - when) || (when < 0 && c.now_ms < INT64_MIN - when)) {
      return c.out.Error("ERR invalid expire time in '" + name + "' command");
    }
    when += c.now_ms;
  }
  Entry* e = c.db.FindForWrite(c.args[1], c.now_ms);
  if (e == nullptr) return c.out.Integer(0);
  bool has = e->has_expiry_block();
  int64_t current = has ? e->expire_at_ms() : 0;
  if ((nx && has) || (xx && !has)) return c.out.Integer(0);
  // A key without a deadline counts as infinitely far in the future for GT/LT.
  if (gt && (!has || when <= current)) return c.out.Integer(0);
  if (lt && has && when >= current) return c.out.Integer(0);
  if (when <= c.now_ms) {
    c.db.Delete(e);
  } else {
    c.db.SetExpire(e, when);
  }
  c.out.Integer(1);
}
void Expire(ShardCall& c) { ExpireGeneric(c, false, false); }
void PExpire(ShardCall& c) { ExpireGeneric(c, true, false); }
void ExpireAt(ShardCall& c) { ExpireGeneric(c, false, true); }
void PExpireAt(ShardCall& c) { ExpireGeneric(c, true, true); }

// TTL / PTTL / EXPIRETIME / PEXPIRETIME
void TtlGeneric(ShardCall& c, bool millis, bool absolute) {
  Entry* e = c.db.Peek(c.args[1], c.now_ms);
  if (e == nullptr) return c.out.Integer(-2);
  if (!e->has_expiry_block()) return c.out.Integer(-1);
  int64_t at = e->expire_at_ms();
  if (absolute) return c.out.Integer(millis ? at : (at + 500) / 1000);
  int64_t ttl = std::max<int64_t>(0, at - c.now_ms);
  c.out.Integer(millis ? ttl : (ttl + 500) / 1000);
}
void Ttl(ShardCall& c) { TtlGeneric(c, false, false); }
void PTtl(ShardCall& c) { TtlGeneric(c, true, false); }
void ExpireTime(ShardCall& c) { TtlGeneric(c, false, true); }
void PExpireTime(ShardCall& c) { TtlGeneric(c, true, true); }

void Persist(ShardCall& c) {
  Entry* e = c.db.FindForWrite(c.args[1], c.now_ms);
  if (e == nullptr || !e->has_expiry_block()) return c.out.Integer(0);
  c.db.Persist(e);
  c.out.Integer(1);
}

// ---- renaming and copying ----

// RENAME / RENAMENX. The key moves between shards when the names hash apart.
boost::asio::awaitable<void> RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  int dbi = ctx.client->db;
  Transaction tx(ctx.shards, dbi, ctx.client->exec_holds_shards);
  uint32_t src_shard = tx.AddKey(src, LockMode::kExclusive);
  uint32_t dst_shard = tx.AddKey(dst, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  // Step 1 on the destination's shard order does not matter: both are locked.
  bool missing = false, exists = false;
  auto check = [&](Shard& shard) {
    int64_t now = shard.NowMs();
    if (shard.id() == src_shard && shard.db(dbi).Peek(src, now) == nullptr) missing = true;
    if (shard.id() == dst_shard && src != dst && shard.db(dbi).Peek(dst, now) != nullptr) {
      exists = true;
    }
  };
  for (uint32_t s : tx.shards()) co_await tx.Run(s, check, /*release=*/false);
  if (missing || (nx && exists) || src == dst) {
    co_await tx.Finish();
    if (missing)
      ctx.out->Error(errors::kNoSuchKey);
    else if (nx)
      ctx.out->Integer(0);
    else
      ctx.out->Ok();
    co_return;
  }
  Entry* moved = nullptr;
  int64_t expire_at = 0;
  auto take = [&](Shard& shard) {
    Entry* e = shard.db(dbi).Detach(src, &expire_at);
    moved = CloneWithKey(e, dst);
    Entry::Destroy(e);
  };
  auto put = [&](Shard& shard) {
    Db& db = shard.db(dbi);
    int64_t now = shard.NowMs();
    if (Entry* old = db.Peek(dst, now)) db.Delete(old);
    db.Insert(moved, now, expire_at);
  };
  if (src_shard == dst_shard) {
    auto both = [&](Shard& shard) {
      take(shard);
      put(shard);
    };
    co_await tx.Run(src_shard, both);
  } else {
    co_await tx.Run(src_shard, take);
    co_await tx.Run(dst_shard, put);
  }
  if (nx)
    ctx.out->Integer(1);
  else
    ctx.out->Ok();
}
boost::asio::awaitable<void> Rename(CommandContext& ctx) { return RenameGeneric(ctx, false); }
boost::asio::awaitable<void> RenameNx(CommandContext& ctx) { return RenameGeneric(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE]
boost::asio::awaitable<void> Copy(CommandContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  int src_db = ctx.client->db, dst_db = ctx.client->db;
  bool replace = false;
  for (size_t i = 3; i < ctx.args.size(); i++) {
    if (EqualsIgnoreCase(ctx.args[i], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.args[i], "db") && i + 1 < ctx.args.size()) {
      std::optional<int64_t> v = ParseInt64(ctx.args[++i]);
      if (!v) {
        ctx.out->Error(errors::kNotInteger);
        co_return;
      }
      if (*v < 0 || *v >= ctx.shards->options().num_databases) {
        ctx.out->Error(errors::kDbIndex);
        co_return;
      }
      dst_db = static_cast<int>(*v);
    } else {
      ctx.out->Error(errors::kSyntax);
      co_return;
    }
  }
  if (src == dst && src_db == dst_db) {
    ctx.out->Error("ERR source and destination objects are the same");
    co_return;
  }
  Transaction tx(ctx.shards, src_db, ctx.client->exec_holds_shards);
  uint32_t src_shard = tx.AddKey(src, LockMode::kShared);
  uint32_t dst_shard = ShardOfKey(dst, ctx.shards->size());
  if (dst_db != src_db || dst_shard != src_shard) tx.AddKey(dst, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  Entry* copy = nullptr;
  int64_t expire_at = 0;
  auto read = [&](Shard& shard) {
    Entry* e = shard.db(src_db).Peek(src, shard.NowMs());
    if (e == nullptr) return;
    copy = CloneWithKey(e, dst);
    expire_at = e->has_expiry_block() ? e->expire_at_ms() : 0;
  };
  bool copied = false;
  auto write = [&](Shard& shard) {
    if (copy == nullptr) return;
    Db& db = shard.db(dst_db);
    int64_t now = shard.NowMs();
    Entry* existing = db.Peek(dst, now);
    if (existing != nullptr && !replace) {
      Entry::Destroy(copy);
      return;
    }
    if (existing != nullptr) db.Delete(existing);
    db.Insert(copy, now, expire_at);
    copied = true;
  };
  if (src_shard == dst_shard) {
    auto both = [&](Shard& shard) {
      read(shard);
      write(shard);
    };
    co_await tx.Run(src_shard, both);
  } else {
    co_await tx.Run(src_shard, read);
    co_await tx.Run(dst_shard, write);
  }
  ctx.out->Integer(copied ? 1 : 0);
}

// MOVE key db: same key, so the same shard; a single-shard handler.
void Move(ShardCall& c) {
  std::optional<int> v = ParseIntArg(c.args[2], c.out);
  if (!v) return;
  if (*v < 0 || *v >= c.shard.num_dbs()) return c.out.Error(errors::kDbIndex);
  int target = *v;
  if (target == c.client.db) {
    return c.out.Error("ERR source and destination objects are the same");
  }
  Entry* e = c.db.FindForWrite(c.args[1], c.now_ms);
  if (e == nullptr) return c.out.Integer(0);
  Db& to = c.shard.db(target);
  if (to.Peek(c.args[1], c.now_ms) != nullptr) return c.out.Integer(0);
  int64_t expire_at = 0;
  Entry* detached = c.db.Detach(c.args[1], &expire_at);
  to.Insert(detached, c.now_ms, expire_at);
  c.out.Integer(1);
}

// ---- iteration ----

boost::asio::awaitable<void> Keys(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  bool all = pattern == "*";
  std::vector<std::string> found;
  auto body = [&](Shard& shard) {
    int64_t now = shard.NowMs();
    shard.db(ctx.client->db).ForEach([&](Entry* e) {
      if (IsExpired(e, now)) return;
      if (all || GlobMatch(pattern, e->key())) found.emplace_back(e->key());
    });
  };
  co_await ctx.shards->ForEachShard(body);
  ctx.out->ArrayHeader(found.size());
  for (const std::string& k : found) ctx.out->Bulk(k);
}

// The SCAN cursor is (dict cursor * shards + shard): a shard's keys are scanned with Redis's
// reverse-binary cursor (every key present for the whole scan is returned at least once),
// then the next shard's. Cursor 0 starts and ends the iteration.
boost::asio::awaitable<void> Scan(CommandContext& ctx) {
  std::optional<ScanArgs> parsed = ParseScanArgs(ctx.args, 1, ScanKind::kKeys, *ctx.out);
  if (!parsed) co_return;
  uint64_t cursor = parsed->cursor;
  std::string_view pattern = parsed->pattern;
  std::string_view type = parsed->type;
  int64_t count = parsed->count;
  uint32_t shards = ctx.shards->size();
  uint32_t shard = static_cast<uint32_t>(cursor % shards);
  uint64_t dict_cursor = cursor / shards;
  std::vector<std::string> found;
  bool finished = false;
  while (static_cast<int64_t>(found.size()) < count) {
    auto body = [&](Shard& s) {
      Db& db = s.db(ctx.client->db);
      int64_t now = s.NowMs();
      // Bucket visits, as Redis's maxiterations (count * 10), without overflowing.
      int64_t budget = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
      do {
        dict_cursor = db.Scan(dict_cursor, [&](Entry* e) {
          if (IsExpired(e, now)) return;
          if (!pattern.empty() && !GlobMatch(pattern, e->key())) return;
          if (!type.empty() && !EqualsIgnoreCase(type, TypeName(e->type()))) return;
          found.emplace_back(e->key());
        });
      } while (dict_cursor != 0 && --budget > 0 && static_cast<int64_t>(found.size()) < count);
    };
    co_await ctx.shards->Execute(shard, nullptr, false, body);
    if (dict_cursor != 0) break;
    if (++shard == shards) {
      finished = true;
      break;
    }
  }
  uint64_t next = finished ? 0 : dict_cursor * shards + shard;
  ctx.out->ArrayHeader(2);
  ctx.out->Bulk(std::to_string(next));
  ctx.out->ArrayHeader(found.size());
  for (const std::string& k : found) ctx.out->Bulk(k);
}

boost::asio::awaitable<void> RandomKey(CommandContext& ctx) {
  uint32_t shards = ctx.shards->size();
  uint32_t start = static_cast<uint32_t>(
      ctx.shards->shard(static_cast<uint32_t>(ShardSet::CurrentShard())).rng()() % shards);
  std::optional<std::string> key;
  for (uint32_t i = 0; i < shards && !key; i++) {
    auto body = [&](Shard& s) {
      Entry* e = s.db(ctx.client->db).RandomKey(s.rng(), s.NowMs());
      if (e != nullptr) key = std::string(e->key());
    };
    co_await ctx.shards->Execute((start + i) % shards, nullptr, false, body);
  }
  if (key)
    ctx.out->Bulk(*key);
  else
    ctx.out->Null();
}

boost::asio::awaitable<void> DbSize(CommandContext& ctx) {
  int64_t total = 0;
  auto body = [&](Shard& s) { total += static_cast<int64_t>(s.db(ctx.client->db).size()); };
  co_await ctx.shards->ForEachShard(body);
  ctx.out->Integer(total);
}

// ---- OBJECT, DUMP, RESTORE ----

constexpr std::string_view kLfuNotSelected =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";
constexpr std::string_view kLruNotSelected =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";

// Redis shares one object among all keys holding an integer in [0, 10000) (unless an LRU/LFU
// policy needs per-key access data) and reports that object's refcount as INT_MAX. Shoal
// stores every value per key; it reports what Redis would, so tools comparing see the same.
constexpr int64_t kSharedRefcount = 2147483647;
bool SharedIntegerRefcount(const Entry* e, const EngineOptions& options) {
  if (e->encoding() != Encoding::kInt || e->int_value() < 0 || e->int_value() >= 10000) {
    return false;
  }
  EvictionPolicy p = options.maxmemory_policy.load(std::memory_order_relaxed);
  bool tracks_access = p == EvictionPolicy::kAllKeysLru || p == EvictionPolicy::kAllKeysLfu ||
                       p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu;
  return options.maxmemory.load(std::memory_order_relaxed) == 0 || !tracks_access;
}

void ObjectHelp(ReplySink& out) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  out.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) out.SimpleString(line);
}

boost::asio::awaitable<void> Object(CommandContext& ctx) {
  std::string sub = ToLower(ctx.args[1]);
  if (sub == "help" && ctx.args.size() == 2) {
    ObjectHelp(*ctx.out);
    co_return;
  }
  bool known = sub == "encoding" || sub == "freq" || sub == "idletime" || sub == "refcount";
  if (!known || ctx.args.size() != 3) {
    if (known || sub == "help") {
      ctx.out->Error("ERR wrong number of arguments for 'object|" + sub + "' command");
    } else {
      ctx.out->Error("ERR unknown subcommand '" + std::string(ctx.args[1]) + "'. Try OBJECT HELP.");
    }
    co_return;
  }
  std::string_view key = ctx.args[2];
  auto body = [&](Shard& s) {
    Db& db = s.db(ctx.client->db);
    Entry* e = db.Peek(key, s.NowMs());
    if (e == nullptr) return ctx.out->Null();
    if (sub == "encoding") return ctx.out->Bulk(EncodingName(e));
    if (sub == "refcount")
      return ctx.out->Integer(SharedIntegerRefcount(e, s.options()) ? kSharedRefcount : 1);
    if (sub == "freq") {
      if (!db.tracks_lfu()) return ctx.out->Error(kLfuNotSelected);
      return ctx.out->Integer(db.LfuCounter(e, s.NowMs()));
    }
    if (db.tracks_lfu()) return ctx.out->Error(kLruNotSelected);
    ctx.out->Integer(Db::IdleSeconds(e, s.NowMs()));
  };
  co_await ctx.shards->Execute(ShardOfKey(key, ctx.shards->size()), nullptr, false, body);
}

void Dump(ShardCall& c) {
  Entry* e = c.db.FindForRead(c.args[1], c.now_ms);
  if (e == nullptr) return c.out.Null();
  c.out.Bulk(EncodeDump(e));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void Restore(ShardCall& c) {
  bool replace = false, absttl = false;
  std::optional<int64_t> idletime, freq;
  for (size_t i = 4; i < c.args.size(); i++) {
    std::string_view a = c.args[i];
    bool has_next = i + 1 < c.args.size();
    if (EqualsIgnoreCase(a, "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(a, "absttl")) {
      absttl = true;
    } else if (EqualsIgnoreCase(a, "idletime") && has_next && !freq) {
      idletime = ParseInt64(c.args[++i]);
      if (!idletime) return c.out.Error(errors::kNotInteger);
      if (*idletime < 0) return c.out.Error("ERR Invalid IDLETIME value, must be >= 0");
    } else if (EqualsIgnoreCase(a, "freq") && has_next && !idletime) {
      freq = ParseInt64(c.args[++i]);
      if (!freq) return c.out.Error(errors::kNotInteger);
      if (*freq < 0 || *freq > 255) {
        return c.out.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      }
    } else {
      return c.out.Error(errors::kSyntax);
    }
  }
  std::optional<int64_t> ttl = ParseInt64(c.args[2]);
  if (!ttl) return c.out.Error(errors::kNotInteger);
  if (*ttl < 0) return c.out.Error("ERR Invalid TTL value, must be >= 0");
  Entry* existing = c.db.FindForWrite(c.args[1], c.now_ms);
  if (existing != nullptr && !replace) {
    return c.out.Error("BUSYKEY Target key name already exists.");
  }
  Result<Entry*> decoded = DecodeDump(c.args[1], c.args[3], c.shard.options());
  if (!decoded.ok()) return c.out.Error(decoded.status().message());
  int64_t expire_at = 0;
  if (*ttl > 0) {
    expire_at = absttl ? *ttl : (*ttl > INT64_MAX - c.now_ms ? INT64_MAX : c.now_ms + *ttl);
  }
  if (existing != nullptr) c.db.Delete(existing);
  if (expire_at > 0 && expire_at <= c.now_ms) {  // already expired: as Redis, just drop it
    Entry::Destroy(*decoded);
    return c.out.Ok();
  }
  Entry* e = c.db.Insert(*decoded, c.now_ms, expire_at);
  if (idletime) {
    // Idle times beyond the 24-bit LRU clock's range all read as "very idle".
    int64_t idle_ms = std::min<int64_t>(*idletime, 0xFFFFFF) * 1000;
    e->set_access(Db::LruClock(c.now_ms - idle_ms));
  }
  if (freq)
    e->set_access((static_cast<uint32_t>(c.now_ms / 60000) & 0xFFFF) << 8 |
                  static_cast<uint32_t>(*freq));
  c.out.Ok();
}

constexpr uint32_t kW = kCmdWrite;
constexpr uint32_t kR = kCmdReadOnly;

const CommandSpec kKeysCommands[] = {
    {"del", -2, kW, 1, -1, 1, "@keyspace @write @slow", "generic", "1.0.0",
     "Deletes one or more keys.", nullptr, Del},
    {"unlink", -2, kW | kCmdFast, 1, -1, 1, "@keyspace @write @fast", "generic", "4.0.0",
     "Asynchronously deletes one or more keys.", nullptr, Del},
    {"exists", -2, kR | kCmdFast, 1, -1, 1, "@keyspace @read @fast", "generic", "1.0.0",
     "Determines whether one or more keys exist.", nullptr, Exists},
    {"touch", -2, kR | kCmdFast, 1, -1, 1, "@keyspace @read @fast", "generic", "3.2.1",
     "Returns the number of existing keys out of those specified after updating the time they "
     "were last accessed.",
     nullptr, Touch},
    {"type", 2, kR | kCmdFast, 1, 1, 1, "@keyspace @read @fast", "generic", "1.0.0",
     "Determines the type of value stored at a key.", Type, nullptr},
    {"expire", -3, kW | kCmdFast, 1, 1, 1, "@keyspace @write @fast", "generic", "1.0.0",
     "Sets the expiration time of a key in seconds.", Expire, nullptr},
    {"pexpire", -3, kW | kCmdFast, 1, 1, 1, "@keyspace @write @fast", "generic", "2.6.0",
     "Sets the expiration time of a key in milliseconds.", PExpire, nullptr},
    {"expireat", -3, kW | kCmdFast, 1, 1, 1, "@keyspace @write @fast", "generic", "1.2.0",
     "Sets the expiration time of a key to a Unix timestamp.", ExpireAt, nullptr},
    {"pexpireat", -3, kW | kCmdFast, 1, 1, 1, "@keyspace @write @fast", "generic", "2.6.0",
     "Sets the expiration time of a key to a Unix milliseconds timestamp.", PExpireAt, nullptr},
    {"ttl", 2, kR | kCmdFast, 1, 1, 1, "@keyspace @read @fast", "generic", "1.0.0",
     "Returns the expiration time in seconds of a key.", Ttl, nullptr},
    {"pttl", 2, kR | kCmdFast, 1, 1, 1, "@keyspace @read @fast", "generic", "2.6.0",
     "Returns the expiration time in milliseconds of a key.", PTtl, nullptr},
    {"expiretime", 2, kR | kCmdFast, 1, 1, 1, "@keyspace @read @fast", "generic", "7.0.0",
     "Returns the expiration time of a key as a Unix timestamp.", ExpireTime, nullptr},
    {"pexpiretime", 2, kR | kCmdFast, 1, 1, 1, "@keyspace @read @fast", "generic", "7.0.0",
     "Returns the expiration time of a key as a Unix milliseconds timestamp.", PExpireTime,
     nullptr},
    {"persist", 2, kW | kCmdFast, 1, 1, 1, "@keyspace @write @fast", "generic", "2.2.0",
     "Removes the expiration time of a key.", Persist, nullptr},
    {"rename", 3, kW, 1, 2, 1, "@keyspace @write @slow", "generic", "1.0.0",
     "Renames a key and overwrites the destination.", nullptr, Rename},
    {"renamenx", 3, kW | kCmdFast, 1, 2, 1, "@keyspace @write @fast", "generic", "1.0.0",
     "Renames a key only when the target key name doesn't exist.", nullptr, RenameNx},
    {"copy", -3, kW | kCmdDenyOom, 1, 2, 1, "@keyspace @write @slow", "generic", "6.2.0",
     "Copies the value of a key to a new key.", nullptr, Copy},
    {"move", 3, kW | kCmdFast, 1, 1, 1, "@keyspace @write @fast", "generic", "1.0.0",
     "Moves a key to another database.", Move, nullptr},
    {"keys", 2, kR, 0, 0, 0, "@keyspace @read @slow @dangerous", "generic", "1.0.0",
     "Returns all key names that match a pattern.", nullptr, Keys},
    {"scan", -2, kR, 0, 0, 0, "@keyspace @read @slow", "generic", "2.8.0",
     "Iterates over the key names in the database.", nullptr, Scan},
    {"randomkey", 1, kR, 0, 0, 0, "@keyspace @read @slow", "generic", "1.0.0",
     "Returns a random key name from the database.", nullptr, RandomKey},
    {"dbsize", 1, kR | kCmdFast, 0, 0, 0, "@keyspace @read @fast", "server", "1.0.0",
     "Returns the number of keys in the database.", nullptr, DbSize},
    {"object", -2, kR, 2, 2, 1, "@keyspace @read @slow", "generic", "2.2.3",
     "A container for object introspection commands.", nullptr, Object},
    {"dump", 2, kR, 1, 1, 1, "@keyspace @read @slow", "generic", "2.6.0",
     "Returns a serialized representation of the value stored at a key.", Dump, nullptr},
    {"restore", -4, kW | kCmdDenyOom, 1, 1, 1, "@keyspace @write @slow @dangerous", "generic",
     "2.6.0", "Creates a key from the serialized representation of a value.", Restore, nullptr},
};

}  // namespace

std::span<const CommandSpec> KeysFamily() { return kKeysCommands; }

}  // namespace shoal

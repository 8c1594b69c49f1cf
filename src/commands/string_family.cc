// The string commands (Redis "string" group). Single-key commands are ShardHandlers that run
// on the key's owner shard; MGET/MSET/MSETNX/LCS coordinate several shards through a
// Transaction so no client sees half of them.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "base/strings.h"
#include "commands/command_table.h"
#include "commands/dispatcher.h"
#include "commands/value_helpers.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

constexpr int64_t kMaxStringLength = 512LL * 1024 * 1024;

Entry* FindString(Db& db, std::string_view key, int64_t now, ReplySink& out, bool* bad,
                  bool for_write = false) {
  return FindTyped(db, key, now, ValueType::kString, out, bad, for_write);
}

void Get(ShardCall& c) {
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Null();
  std::string scratch;
  c.out.Bulk(e->StringView(scratch));
}

// Parsed options of SET and GETEX. As Redis 7.0, the syntax of all options is checked first
// (parse), the expire value only afterwards (ResolveExpire): "SET k v EX abc FOO" is a
// syntax error, and GETEX on a missing key replies nil before looking at the value.
struct SetOptions {
  enum Unit : uint8_t { kNone, kEx, kPx, kExAt, kPxAt };
  bool nx = false, xx = false, get = false, keepttl = false, persist = false;
  Unit unit = kNone;
  std::string_view expire_arg;
};

// Parses NX/XX/GET/KEEPTTL (SET) or PERSIST (GETEX) and EX/PX/EXAT/PXAT from args[first..].
// The same expire option may repeat (the last wins); two different ones may not.
bool ParseSetOptions(CmdArgs args, size_t first, bool getex, ReplySink& out, SetOptions* o) {
  using Unit = SetOptions::Unit;
  for (size_t i = first; i < args.size(); i++) {
    std::string_view a = args[i];
    bool has_next = i + 1 < args.size();
    Unit unit = EqualsIgnoreCase(a, "ex")     ? Unit::kEx
                : EqualsIgnoreCase(a, "px")   ? Unit::kPx
                : EqualsIgnoreCase(a, "exat") ? Unit::kExAt
                : EqualsIgnoreCase(a, "pxat") ? Unit::kPxAt
                                              : Unit::kNone;
    if (!getex && EqualsIgnoreCase(a, "nx") && !o->xx) {
      o->nx = true;
    } else if (!getex && EqualsIgnoreCase(a, "xx") && !o->nx) {
      o->xx = true;
    } else if (!getex && EqualsIgnoreCase(a, "get")) {
      o->get = true;
    } else if (!getex && EqualsIgnoreCase(a, "keepttl") && o->unit == Unit::kNone) {
      o->keepttl = true;
    } else if (getex && EqualsIgnoreCase(a, "persist") && o->unit == Unit::kNone) {
      o->persist = true;
    } else if (unit != Unit::kNone && !o->keepttl && !o->persist &&
               (o->unit == Unit::kNone || o->unit == unit) && has_next) {
      o->unit = unit;
      o->expire_arg = args[++i];
    } else {
      out.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// The absolute deadline of o's expire option, in Unix ms; writes the error and returns
// nullopt when the value is not a positive integer or overflows.
std::optional<int64_t> ResolveExpire(const SetOptions& o, std::string_view cmd, int64_t now,
                                     ReplySink& out) {
  using Unit = SetOptions::Unit;
  std::optional<int64_t> v = ParseInt64(o.expire_arg);
  if (!v) {
    out.Error(errors::kNotInteger);
    return std::nullopt;
  }
  bool seconds = o.unit == Unit::kEx || o.unit == Unit::kExAt;
  bool relative = o.unit == Unit::kEx || o.unit == Unit::kPx;
  int64_t when = *v;
  bool invalid = when <= 0 || (seconds && when > INT64_MAX / 1000);
  if (!invalid && seconds) when *= 1000;
  if (!invalid && relative) {
    if (when > INT64_MAX - now)
      invalid = true;
    else
      when += now;
  }
  if (invalid) {
    out.Error("ERR invalid expire time in '" + std::string(cmd) + "' command");
    return std::nullopt;
  }
  return when;
}

void Set(ShardCall& c) {
  SetOptions o;
  if (!ParseSetOptions(c.args, 3, false, c.out, &o)) return;
  int64_t expire = o.keepttl ? -1 : 0;
  if (o.unit != SetOptions::kNone) {
    std::optional<int64_t> when = ResolveExpire(o, "set", c.now_ms, c.out);
    if (!when) return;
    expire = *when;
  }
  Entry* e = c.db.FindForWrite(c.args[1], c.now_ms);
  std::string old_value;
  bool had_old = false;
  if (o.get && e != nullptr) {
    if (e->type() != ValueType::kString) return c.out.Error(errors::kWrongType);
    old_value = e->StringValue();
    had_old = true;
  }
  if ((o.nx && e != nullptr) || (o.xx && e == nullptr)) {
    if (o.get) return had_old ? c.out.Bulk(old_value) : c.out.Null();
    return c.out.Null();
  }
  StoreString(c.db, e, c.args[1], c.args[2], expire, c.now_ms);
  if (o.get) return had_old ? c.out.Bulk(old_value) : c.out.Null();
  c.out.Ok();
}

void SetNx(ShardCall& c) {
  if (c.db.FindForWrite(c.args[1], c.now_ms) != nullptr) return c.out.Integer(0);
  StoreString(c.db, nullptr, c.args[1], c.args[2], 0, c.now_ms);
  c.out.Integer(1);
}

// SETEX key seconds value / PSETEX key milliseconds value.
void SetExGeneric(ShardCall& c, bool millis) {
  std::optional<int64_t> v = ParseInt64(c.args[2]);
  if (!v) return c.out.Error(errors::kNotInteger);
  int64_t when = *v;
  if (when <= 0 || (!millis && when > INT64_MAX / 1000)) {
    return c.out.Error(std::string("ERR invalid expire time in '") + (millis ? "psetex" : "setex") +
                       "' command");
  }
  if (!millis) when *= 1000;
  if (when > INT64_MAX - c.now_ms) {
    return c.out.Error(std::string("ERR invalid expire time in '") + (millis ? "psetex" : "setex") +
                       "' command");
  }
  Entry* e = c.db.FindForWrite(c.args[1], c.now_ms);
  StoreString(c.db, e, c.args[1], c.args[3], c.now_ms + when, c.now_ms);
  c.out.Ok();
}
void SetEx(ShardCall& c) { SetExGeneric(c, false); }
void PSetEx(ShardCall& c) { SetExGeneric(c, true); }

void GetEx(ShardCall& c) {
  SetOptions o;
  if (!ParseSetOptions(c.args, 2, true, c.out, &o)) return;
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Null();
  std::optional<int64_t> when;
  if (o.unit != SetOptions::kNone) {
    when = ResolveExpire(o, "getex", c.now_ms, c.out);
    if (!when) return;
  }
  std::string value = e->StringValue();
  if (when) {
    if (*when <= c.now_ms)
      c.db.Delete(e);
    else
      c.db.SetExpire(e, *when);
  } else if (o.persist) {
    c.db.Persist(e);
  }
  c.out.Bulk(value);
}

void GetDel(ShardCall& c) {
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Null();
  std::string value = e->StringValue();
  c.db.Delete(e);
  c.out.Bulk(value);
}

void GetSet(ShardCall& c) {
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad, true);
  if (bad) return;
  if (e == nullptr) {
    StoreString(c.db, nullptr, c.args[1], c.args[2], 0, c.now_ms);
    return c.out.Null();
  }
  std::string old_value = e->StringValue();
  StoreString(c.db, e, c.args[1], c.args[2], 0, c.now_ms);
  c.out.Bulk(old_value);
}

void Append(ShardCall& c) {
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad, true);
  if (bad) return;
  if (e == nullptr) {
    e = StoreString(c.db, nullptr, c.args[1], c.args[2], 0, c.now_ms);
    return c.out.Integer(static_cast<int64_t>(e->StringLength()));
  }
  if (static_cast<int64_t>(e->StringLength() + c.args[2].size()) > kMaxStringLength) {
    return c.out.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  size_t old_bytes = e->MemoryBytes();
  e = c.db.Updated(e, Entry::Append(e, c.args[2]), old_bytes);
  c.out.Integer(static_cast<int64_t>(e->StringLength()));
}

void StrLen(ShardCall& c) {
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad);
  if (bad) return;
  c.out.Integer(e == nullptr ? 0 : static_cast<int64_t>(e->StringLength()));
}

void GetRange(ShardCall& c) {
  std::optional<int64_t> start = ParseInt64(c.args[2]);
  std::optional<int64_t> end = ParseInt64(c.args[3]);
  if (!start || !end) return c.out.Error(errors::kNotInteger);
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.Bulk("");
  std::string scratch;
  std::string_view v = e->StringView(scratch);
  int64_t len = static_cast<int64_t>(v.size());
  int64_t s = *start, t = *end;
  // As Redis: negative start and end both past the beginning means empty.
  if (s < 0 && t < 0 && s > t) return c.out.Bulk("");
  if (s < 0) s = len + s;
  if (t < 0) t = len + t;
  if (s < 0) s = 0;
  if (t < 0) t = 0;
  if (t >= len) t = len - 1;
  if (s > t || len == 0) return c.out.Bulk("");
  c.out.Bulk(v.substr(static_cast<size_t>(s), static_cast<size_t>(t - s + 1)));
}

void SetRange(ShardCall& c) {
  std::optional<int64_t> offset = ParseInt64(c.args[2]);
  if (!offset) return c.out.Error(errors::kNotInteger);
  if (*offset < 0) return c.out.Error("ERR offset is out of range");
  std::string_view value = c.args[3];
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad, true);
  if (bad) return;
  if (e == nullptr && value.empty()) return c.out.Integer(0);
  if (!value.empty() && *offset > kMaxStringLength - static_cast<int64_t>(value.size())) {
    return c.out.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
  if (e == nullptr) e = StoreString(c.db, nullptr, c.args[1], "", 0, c.now_ms);
  if (!value.empty()) {
    size_t old_bytes = e->MemoryBytes();
    e = c.db.Updated(e, Entry::SetRange(e, static_cast<size_t>(*offset), value), old_bytes);
  }
  c.out.Integer(static_cast<int64_t>(e->StringLength()));
}

void IncrByGeneric(ShardCall& c, int64_t delta) {
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad, true);
  if (bad) return;
  int64_t current = 0;
  if (e != nullptr) {
    if (e->encoding() == Encoding::kInt) {
      current = e->int_value();
    } else {
      std::optional<int64_t> v = ParseInt64(e->raw_value());
      if (!v) return c.out.Error(errors::kNotInteger);
      current = *v;
    }
  }
  if ((delta < 0 && current < 0 && delta < INT64_MIN - current) ||
      (delta > 0 && current > 0 && delta > INT64_MAX - current)) {
    return c.out.Error(errors::kOverflow);
  }
  int64_t result = current + delta;
  if (e == nullptr) {
    c.db.Insert(Entry::CreateInt(c.args[1], result), c.now_ms);
  } else {
    size_t old_bytes = e->MemoryBytes();
    c.db.Updated(e, Entry::SetIntValue(e, result), old_bytes);
  }
  c.out.Integer(result);
}

void Incr(ShardCall& c) { IncrByGeneric(c, 1); }
void Decr(ShardCall& c) { IncrByGeneric(c, -1); }
void IncrBy(ShardCall& c) {
  std::optional<int64_t> d = ParseInt64(c.args[2]);
  if (!d) return c.out.Error(errors::kNotInteger);
  IncrByGeneric(c, *d);
}
void DecrBy(ShardCall& c) {
  std::optional<int64_t> d = ParseInt64(c.args[2]);
  if (!d) return c.out.Error(errors::kNotInteger);
  if (*d == INT64_MIN) return c.out.Error("ERR decrement would overflow");
  IncrByGeneric(c, -*d);
}

void IncrByFloat(ShardCall& c) {
  std::optional<long double> incr = ParseLongDouble(c.args[2]);
  if (!incr) return c.out.Error(errors::kNotFloat);
  bool bad;
  Entry* e = FindString(c.db, c.args[1], c.now_ms, c.out, &bad, true);
  if (bad) return;
  long double current = 0;
  if (e != nullptr) {
    std::string scratch;
    std::optional<long double> v = ParseLongDouble(e->StringView(scratch));
    if (!v) return c.out.Error(errors::kNotFloat);
    current = *v;
  }
  long double result = current + *incr;
  if (std::isnan(result) || std::isinf(result)) {
    return c.out.Error("ERR increment would produce NaN or Infinity");
  }
  std::string text = FormatLongDoubleHuman(result);
  StoreString(c.db, e, c.args[1], text, -1, c.now_ms, /*allow_int=*/false);
  c.out.Bulk(text);
}

// ---- Multi-key commands: coordinated across shards ----

boost::asio::awaitable<void> MGet(CommandContext& ctx) {
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  size_t n = ctx.args.size() - 1;
  std::vector<uint32_t> owner(n);
  for (size_t i = 0; i < n; i++) owner[i] = tx.AddKey(ctx.args[i + 1], LockMode::kShared);
  std::vector<std::optional<std::string>> values(n);
  co_await tx.Lock();
  for (uint32_t s : tx.shards()) {
    auto body = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      int64_t now = shard.NowMs();
      for (size_t i = 0; i < n; i++) {
        if (owner[i] != s) continue;
        Entry* e = db.FindForRead(ctx.args[i + 1], now);
        if (e != nullptr && e->type() == ValueType::kString) values[i] = e->StringValue();
      }
    };
    co_await tx.Run(s, body);
  }
  ctx.out->ArrayHeader(n);
  for (auto& v : values) {
    if (v)
      ctx.out->Bulk(*v);
    else
      ctx.out->Null();
  }
}

// MSET and MSETNX. With `nx`, nothing is written when any key exists.
boost::asio::awaitable<void> MSetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.args.size() % 2 == 0) {
    ctx.out->Error(WrongArityError(ctx.args[0]));
    co_return;
  }
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  size_t pairs = (ctx.args.size() - 1) / 2;
  std::vector<uint32_t> owner(pairs);
  for (size_t i = 0; i < pairs; i++) {
    owner[i] = tx.AddKey(ctx.args[1 + 2 * i], LockMode::kExclusive);
  }
  co_await tx.Lock(/*single_shard_too=*/true);
  bool blocked = false;  // some key exists (NX) or out of memory
  bool oom = false;
  for (uint32_t s : tx.shards()) {
    auto check = [&](Shard& shard) {
      if (!shard.EnsureMemory()) oom = true;
      if (!nx) return;
      Db& db = shard.db(ctx.client->db);
      int64_t now = shard.NowMs();
      for (size_t i = 0; i < pairs; i++) {
        if (owner[i] == s && db.Peek(ctx.args[1 + 2 * i], now) != nullptr) blocked = true;
      }
    };
    co_await tx.Run(s, check, /*release=*/false);
  }
  if (oom || blocked) {
    co_await tx.Finish();
    if (oom)
      ctx.out->Error(errors::kOom);
    else
      ctx.out->Integer(0);
    co_return;
  }
  for (uint32_t s : tx.shards()) {
    auto write = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      int64_t now = shard.NowMs();
      for (size_t i = 0; i < pairs; i++) {
        if (owner[i] != s) continue;
        std::string_view key = ctx.args[1 + 2 * i];
        StoreString(db, db.FindForWrite(key, now), key, ctx.args[2 + 2 * i], 0, now);
      }
    };
    co_await tx.Run(s, write);
  }
  if (nx)
    ctx.out->Integer(1);
  else
    ctx.out->Ok();
}

boost::asio::awaitable<void> MSet(CommandContext& ctx) { return MSetGeneric(ctx, false); }
boost::asio::awaitable<void> MSetNx(CommandContext& ctx) { return MSetGeneric(ctx, true); }

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
boost::asio::awaitable<void> Lcs(CommandContext& ctx) {
  bool want_len = false, want_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t i = 3; i < ctx.args.size(); i++) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "idx"))
      want_idx = true;
    else if (EqualsIgnoreCase(a, "len"))
      want_len = true;
    else if (EqualsIgnoreCase(a, "withmatchlen"))
      with_match_len = true;
    else if (EqualsIgnoreCase(a, "minmatchlen") && i + 1 < ctx.args.size()) {
      std::optional<int64_t> v = ParseInt64(ctx.args[++i]);
      if (!v) {
        ctx.out->Error(errors::kNotInteger);
        co_return;
      }
      min_match_len = std::max<int64_t>(0, *v);
    } else {
      ctx.out->Error(errors::kSyntax);
      co_return;
    }
  }
  if (want_len && want_idx) {
    ctx.out->Error("ERR If you want both the length and indexes, please just use IDX.");
    co_return;
  }
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  std::array<uint32_t, 2> owner = {tx.AddKey(ctx.args[1], LockMode::kShared),
                                   tx.AddKey(ctx.args[2], LockMode::kShared)};
  std::array<std::string, 2> value;
  bool wrong_type = false;
  co_await tx.Lock();
  for (uint32_t s : tx.shards()) {
    auto body = [&](Shard& shard) {
      Db& db = shard.db(ctx.client->db);
      for (size_t k = 0; k < 2; k++) {
        if (owner[k] != s) continue;
        Entry* e = db.FindForRead(ctx.args[1 + k], shard.NowMs());
        if (e == nullptr) continue;
        if (e->type() != ValueType::kString)
          wrong_type = true;
        else
          value[k] = e->StringValue();
      }
    };
    co_await tx.Run(s, body);
  }
  if (wrong_type) {
    ctx.out->Error("WRONGTYPE The specified keys must contain string values");
    co_return;
  }
  const std::string& a = value[0];
  const std::string& b = value[1];
  // Dynamic programming table of (|a|+1) x (|b|+1) lengths, bounded like Redis.
  uint64_t cells = (static_cast<uint64_t>(a.size()) + 1) * (static_cast<uint64_t>(b.size()) + 1);
  if (cells > static_cast<uint64_t>(kMaxStringLength) / sizeof(uint32_t)) {
    ctx.out->Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    co_return;
  }
  size_t cols = b.size() + 1;
  std::vector<uint32_t> dp(static_cast<size_t>(cells), 0);
  for (size_t i = 1; i <= a.size(); i++) {
    for (size_t j = 1; j <= b.size(); j++) {
      dp[i * cols + j] = a[i - 1] == b[j - 1]
                             ? dp[(i - 1) * cols + j - 1] + 1
                             : std::max(dp[(i - 1) * cols + j], dp[i * cols + j - 1]);
    }
  }
  uint32_t lcs_len = dp[a.size() * cols + b.size()];
  if (want_len) {
    ctx.out->Integer(lcs_len);
    co_return;
  }
  // Walk back from the end collecting the string and the matching ranges.
  std::string lcs(lcs_len, '\0');
  struct Match {
    size_t a_start, a_end, b_start, b_end;
  };
  std::vector<Match> matches;
  size_t i = a.size(), j = b.size(), idx = lcs_len;
  bool in_range = false;
  Match current{};
  auto close_range = [&] {
    if (in_range && static_cast<int64_t>(current.a_end - current.a_start + 1) >= min_match_len) {
      matches.push_back(current);
    }
    in_range = false;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      lcs[--idx] = a[i - 1];
      size_t ai = i - 1, bj = j - 1;
      if (in_range && current.a_start == ai + 1 && current.b_start == bj + 1) {
        current.a_start = ai;
        current.b_start = bj;
      } else {
        close_range();
        current = Match{ai, ai, bj, bj};
        in_range = true;
      }
      i--;
      j--;
    } else if (dp[(i - 1) * cols + j] > dp[i * cols + j - 1]) {
      i--;
    } else {
      j--;
    }
  }
  close_range();
  if (!want_idx) {
    ctx.out->Bulk(lcs);
    co_return;
  }
  ctx.out->MapHeader(2);
  ctx.out->Bulk("matches");
  ctx.out->ArrayHeader(matches.size());
  for (const Match& m : matches) {
    ctx.out->ArrayHeader(with_match_len ? 3 : 2);
    ctx.out->ArrayHeader(2);
    ctx.out->Integer(static_cast<int64_t>(m.a_start));
    ctx.out->Integer(static_cast<int64_t>(m.a_end));
    ctx.out->ArrayHeader(2);
    ctx.out->Integer(static_cast<int64_t>(m.b_start));
    ctx.out->Integer(static_cast<int64_t>(m.b_end));
    if (with_match_len) ctx.out->Integer(static_cast<int64_t>(m.a_end - m.a_start + 1));
  }
  ctx.out->Bulk("len");
  ctx.out->Integer(lcs_len);
}

constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
constexpr uint32_t kR = kCmdReadOnly;

const CommandSpec kStringCommands[] = {
    {"get", 2, kR | kCmdFast, 1, 1, 1, "@read @string @fast", "string", "1.0.0",
     "Returns the string value of a key.", Get, nullptr},
    {"set", -3, kW, 1, 1, 1, "@write @string @slow", "string", "1.0.0",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
     Set, nullptr},
    {"setnx", 3, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "1.0.0",
     "Set the string value of a key only when the key doesn't exist.", SetNx, nullptr},
    {"setex", 4, kW, 1, 1, 1, "@write @string @slow", "string", "2.0.0",
     "Sets the string value and expiration time of a key.", SetEx, nullptr},
    {"psetex", 4, kW, 1, 1, 1, "@write @string @slow", "string", "2.6.0",
     "Sets both string value and expiration time in milliseconds of a key.", PSetEx, nullptr},
    {"getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "6.2.0",
     "Returns the string value of a key after setting its expiration time.", GetEx, nullptr},
    {"getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "6.2.0",
     "Returns the string value of a key after deleting the key.", GetDel, nullptr},
    {"getset", 3, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "1.0.0",
     "Returns the previous string value of a key after setting it to a new value.", GetSet,
     nullptr},
    {"mget", -2, kR | kCmdFast, 1, -1, 1, "@read @string @fast", "string", "1.0.0",
     "Atomically returns the string values of one or more keys.", nullptr, MGet},
    {"mset", -3, kW, 1, -1, 2, "@write @string @slow", "string", "1.0.1",
     "Atomically creates or modifies the string values of one or more keys.", nullptr, MSet},
    {"msetnx", -3, kW, 1, -1, 2, "@write @string @slow", "string", "1.0.1",
     "Atomically modifies the string values of one or more keys only when all keys don't exist.",
     nullptr, MSetNx},
    {"append", 3, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "2.0.0",
     "Appends a string to the value of a key. Creates the key if it doesn't exist.", Append,
     nullptr},
    {"strlen", 2, kR | kCmdFast, 1, 1, 1, "@read @string @fast", "string", "2.2.0",
     "Returns the length of a string value.", StrLen, nullptr},
    {"getrange", 4, kR, 1, 1, 1, "@read @string @slow", "string", "2.4.0",
     "Returns a substring of the string stored at a key.", GetRange, nullptr},
    {"substr", 4, kR, 1, 1, 1, "@read @string @slow", "string", "1.0.0",
     "Returns a substring from a string value.", GetRange, nullptr},
    {"setrange", 4, kW, 1, 1, 1, "@write @string @slow", "string", "2.2.0",
     "Overwrites a part of a string value with another by an offset. Creates the key if it "
     "doesn't exist.",
     SetRange, nullptr},
    {"incr", 2, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "1.0.0",
     "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't "
     "exist.",
     Incr, nullptr},
    {"decr", 2, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "1.0.0",
     "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't "
     "exist.",
     Decr, nullptr},
    {"incrby", 3, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "1.0.0",
     "Increments the integer value of a key by a number. Uses 0 as initial value if the key "
     "doesn't exist.",
     IncrBy, nullptr},
    {"decrby", 3, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "1.0.0",
     "Decrements a number from the integer value of a key. Uses 0 as initial value if the key "
     "doesn't exist.",
     DecrBy, nullptr},
    {"incrbyfloat", 3, kW | kCmdFast, 1, 1, 1, "@write @string @fast", "string", "2.6.0",
     "Increment the floating point value of a key by a number. Uses 0 as initial value if the "
     "key doesn't exist.",
     IncrByFloat, nullptr},
    {"lcs", -3, kR, 1, 2, 1, "@read @string @slow", "string", "7.0.0",
     "Finds the longest common substring.", nullptr, Lcs},
};

}  // namespace

std::span<const CommandSpec> StringFamily() { return kStringCommands; }

}  // namespace shoal

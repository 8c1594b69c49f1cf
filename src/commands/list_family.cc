// The list commands (Redis "list" group) and their table; the blocking ones live in
// list_blocking.cc. Single-key commands are ShardHandlers; LMOVE/RPOPLPUSH and LMPOP are
// coordinators under one Transaction, atomic across shards (docs/multi-key-atomicity.md).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/list_commands.h"
#include "commands/value_helpers.h"
#include "core/list_object.h"
#include "engine/transaction.h"

namespace shoal {

using End = ListObject::End;

namespace {
ListObject& ListOf(Entry* e) { return *static_cast<ListObject*>(e->object()); }
}  // namespace

std::optional<End> ParseEnd(std::string_view s) {
  if (EqualsIgnoreCase(s, "left")) return End::kHead;
  if (EqualsIgnoreCase(s, "right")) return End::kTail;
  return std::nullopt;
}

std::vector<std::string> PopElements(Db& db, Entry* e, End end, size_t n) {
  std::vector<std::string> popped;
  ObjectChange change(db, e);
  n = std::min(n, ListOf(e).Length());
  popped.reserve(n);
  for (size_t i = 0; i < n; i++) popped.push_back(ListOf(e).Pop(end));
  return popped;
}

void PushElement(Shard& shard, Db& db, std::string_view key, End end, std::string_view v) {
  const int64_t now = shard.NowMs();
  Entry* e = db.FindForWrite(key, now);
  if (e == nullptr) e = db.Insert(Entry::CreateObject(key, new ListObject()), now);
  ObjectChange change(db, e);
  ListOf(e).Push(end, v, shard.options().list_limits());
}

boost::asio::awaitable<bool> MoveUnderLock(CommandContext& ctx, Transaction& tx,
                                           std::string_view src, std::string_view dst, End from,
                                           End to) {
  const uint32_t src_shard = ShardOfKey(src, ctx.shards->size());
  const uint32_t dst_shard = ShardOfKey(dst, ctx.shards->size());
  // Phase 1, as Redis: a missing source answers nil before the destination's type is checked.
  bool src_exists, wrong_type;
  co_await CheckMoveKeys(
      ctx, tx, src, dst, ValueType::kList, [](Entry*) {}, &src_exists, &wrong_type);
  if (!src_exists) co_return false;
  if (wrong_type) {
    co_await tx.Finish();
    ctx.out->Error(errors::kWrongType);
    co_return true;
  }
  std::string element;
  auto pop = [&](Shard& shard) {
    Db& db = shard.db(ctx.client->db);
    element = std::move(PopElements(db, db.FindForWrite(src, shard.NowMs()), from, 1)[0]);
  };
  auto push = [&](Shard& shard) { PushElement(shard, shard.db(ctx.client->db), dst, to, element); };
  co_await tx.Run(src_shard, pop, /*release=*/src_shard != dst_shard);
  co_await tx.Run(dst_shard, push);
  ctx.out->Bulk(element);
  co_return true;
}

namespace {

constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
constexpr uint32_t kR = kCmdReadOnly;

Entry* FindList(ShardCall& c, bool* bad, bool for_write = false) {
  return FindTyped(c.db, c.args[1], c.now_ms, ValueType::kList, c.out, bad, for_write);
}

// LPUSH/RPUSH (create) and LPUSHX/RPUSHX (only existing lists).
void PushGeneric(ShardCall& c, End end, bool create) {
  bool bad;
  Entry* e = FindList(c, &bad, true);
  if (bad) return;
  if (e == nullptr) {
    if (!create) return c.out.Integer(0);
    e = c.db.Insert(Entry::CreateObject(c.args[1], new ListObject()), c.now_ms);
  }
  const ListLimits limits = c.shard.options().list_limits();
  int64_t length = 0;
  {
    ObjectChange change(c.db, e);
    for (size_t i = 2; i < c.args.size(); i++) ListOf(e).Push(end, c.args[i], limits);
    length = static_cast<int64_t>(ListOf(e).Length());
  }
  c.out.Integer(length);
}
void LPush(ShardCall& c) { PushGeneric(c, End::kHead, true); }
void RPush(ShardCall& c) { PushGeneric(c, End::kTail, true); }
void LPushX(ShardCall& c) { PushGeneric(c, End::kHead, false); }
void RPushX(ShardCall& c) { PushGeneric(c, End::kTail, false); }

// LPOP/RPOP key [count]
void PopGeneric(ShardCall& c, End end) {
  std::optional<int64_t> count;
  if (c.args.size() == 3) {
    count = ParseInt64(c.args[2]);
    if (!count || *count < 0) return c.out.Error("ERR value is out of range, must be positive");
  } else if (c.args.size() > 3) {
    return c.out.Error("ERR wrong number of arguments for '" + ToLower(c.args[0]) + "' command");
  }
  bool bad;
  Entry* e = FindList(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return count ? c.out.NullArray() : c.out.Null();
  std::vector<std::string> popped =
      PopElements(c.db, e, end, count ? static_cast<size_t>(*count) : 1);
  if (!count) return c.out.Bulk(popped[0]);
  c.out.ArrayHeader(popped.size());
  for (const std::string& v : popped) c.out.Bulk(v);
}
void LPop(ShardCall& c) { PopGeneric(c, End::kHead); }
void RPop(ShardCall& c) { PopGeneric(c, End::kTail); }

void LLen(ShardCall& c) {
  bool bad;
  Entry* e = FindList(c, &bad);
  if (bad) return;
  c.out.Integer(e == nullptr ? 0 : static_cast<int64_t>(ListOf(e).Length()));
}

void LRange(ShardCall& c) {
  std::optional<int64_t> start = ParseInt64(c.args[2]), stop = ParseInt64(c.args[3]);
  if (!start || !stop) return c.out.Error(errors::kNotInteger);
  bool bad;
  Entry* e = FindList(c, &bad);
  if (bad) return;
  const RankSpan span = e == nullptr ? RankSpan{} : IndexSpan(*start, *stop, ListOf(e).Length());
  c.out.ArrayHeader(span.count);
  if (span.count == 0) return;
  ListOf(e).ForRange(span.first, span.count, [&](size_t, std::string_view v) {
    c.out.Bulk(v);
    return true;
  });
}

// A list index (negative from the end) as a position, nullopt when out of range.
std::optional<size_t> Position(int64_t index, size_t len) {
  if (index < 0) index += static_cast<int64_t>(len);
  if (index < 0 || index >= static_cast<int64_t>(len)) return std::nullopt;
  return static_cast<size_t>(index);
}

void LIndex(ShardCall& c) {
  std::optional<int64_t> index = ParseInt64(c.args[2]);
  if (!index) return c.out.Error(errors::kNotInteger);
  bool bad;
  Entry* e = FindList(c, &bad);
  if (bad) return;
  std::optional<size_t> pos = e == nullptr ? std::nullopt : Position(*index, ListOf(e).Length());
  if (!pos) return c.out.Null();
  c.out.Bulk(*ListOf(e).At(*pos));
}

void LSet(ShardCall& c) {
  std::optional<int64_t> index = ParseInt64(c.args[2]);
  if (!index) return c.out.Error(errors::kNotInteger);
  bool bad;
  Entry* e = FindList(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Error(errors::kNoSuchKey);
  std::optional<size_t> pos = Position(*index, ListOf(e).Length());
  if (!pos) return c.out.Error("ERR index out of range");
  {
    ObjectChange change(c.db, e);
    ListOf(e).Set(*pos, c.args[3], c.shard.options().list_limits());
  }
  c.out.Ok();
}

// LINSERT key BEFORE|AFTER pivot element
void LInsert(ShardCall& c) {
  const bool after = EqualsIgnoreCase(c.args[2], "after");
  if (!after && !EqualsIgnoreCase(c.args[2], "before")) return c.out.Error(errors::kSyntax);
  bool bad;
  Entry* e = FindList(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  int64_t result = -1;
  {
    ObjectChange change(c.db, e);
    if (ListOf(e).InsertAt(c.args[3], after, c.args[4], c.shard.options().list_limits())) {
      result = static_cast<int64_t>(ListOf(e).Length());
    }
  }
  c.out.Integer(result);
}

void LRem(ShardCall& c) {
  std::optional<int64_t> count = ParseInt64(c.args[2]);
  if (!count) return c.out.Error(errors::kNotInteger);
  bool bad;
  Entry* e = FindList(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  size_t removed = 0;
  {
    ObjectChange change(c.db, e);
    removed = ListOf(e).Remove(*count, c.args[3]);
  }
  c.out.Integer(static_cast<int64_t>(removed));
}

void LTrim(ShardCall& c) {
  std::optional<int64_t> start = ParseInt64(c.args[2]), stop = ParseInt64(c.args[3]);
  if (!start || !stop) return c.out.Error(errors::kNotInteger);
  bool bad;
  Entry* e = FindList(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Ok();
  {
    ObjectChange change(c.db, e);
    const RankSpan span = IndexSpan(*start, *stop, ListOf(e).Length());
    ListOf(e).Keep(span.first, span.count);  // nothing selected: the key goes
  }
  c.out.Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void LPos(ShardCall& c) {
  int64_t rank = 1, maxlen = 0;
  std::optional<int64_t> count;
  for (size_t i = 3; i < c.args.size(); i++) {
    const bool has_next = i + 1 < c.args.size();
    std::string_view opt = c.args[i];
    if (!has_next) return c.out.Error(errors::kSyntax);
    std::optional<int64_t> v = ParseInt64(c.args[++i]);
    if (!v) return c.out.Error(errors::kNotInteger);
    if (EqualsIgnoreCase(opt, "rank")) {
      if (*v == 0) {
        return c.out.Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
      if (*v == INT64_MIN) {
        return c.out.Error(
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
      }
      rank = *v;
    } else if (EqualsIgnoreCase(opt, "count")) {
      if (*v < 0) return c.out.Error("ERR COUNT can't be negative");
      count = *v;
    } else if (EqualsIgnoreCase(opt, "maxlen")) {
      if (*v < 0) return c.out.Error("ERR MAXLEN can't be negative");
      maxlen = *v;
    } else {
      return c.out.Error(errors::kSyntax);
    }
  }
  bool bad;
  Entry* e = FindList(c, &bad);
  if (bad) return;
  std::vector<int64_t> found;
  if (e != nullptr) {
    const ListObject& l = ListOf(e);
    const size_t wanted = count ? (*count == 0 ? SIZE_MAX : static_cast<size_t>(*count)) : 1;
    int64_t skip = (rank > 0 ? rank : -rank) - 1;
    const size_t scan = maxlen == 0 ? l.Length() : std::min<size_t>(l.Length(), maxlen);
    auto visit = [&](size_t index, std::string_view v) {
      if (v == c.args[2] && skip-- <= 0) found.push_back(static_cast<int64_t>(index));
      return found.size() < wanted;
    };
    if (rank > 0)
      l.ForRange(0, scan, visit);
    else
      l.ForRangeReverse(0, scan, visit);
  }
  if (!count) return found.empty() ? c.out.Null() : c.out.Integer(found[0]);
  c.out.ArrayHeader(found.size());
  for (int64_t i : found) c.out.Integer(i);
}

// ---- Commands over several keys ----

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT, and RPOPLPUSH (RIGHT LEFT).
boost::asio::awaitable<void> MoveGeneric(CommandContext& ctx, End from, End to) {
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddKey(ctx.args[1], LockMode::kExclusive);
  tx.AddKey(ctx.args[2], LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  if (co_await MoveUnderLock(ctx, tx, ctx.args[1], ctx.args[2], from, to)) co_return;
  co_await tx.Finish();
  ctx.out->Null();
}

boost::asio::awaitable<void> LMove(CommandContext& ctx) {
  std::optional<End> from = ParseEnd(ctx.args[3]), to = ParseEnd(ctx.args[4]);
  if (!from || !to) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  co_await MoveGeneric(ctx, *from, *to);
}
boost::asio::awaitable<void> RPopLPush(CommandContext& ctx) {
  return MoveGeneric(ctx, End::kTail, End::kHead);
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the first non-empty list.
boost::asio::awaitable<void> LMPop(CommandContext& ctx) {
  std::optional<MPopArgs> a = ParseMPopArgs(ctx.args, "left", "right", *ctx.out);
  if (!a) co_return;
  std::vector<std::string> popped;
  auto pop = [&](Db& db, Entry* e) {
    popped = PopElements(db, e, a->second ? End::kTail : End::kHead, a->count);
  };
  bool wrong_type;
  std::optional<std::string_view> key =
      co_await PopFromFirst(ctx, a->keys, ValueType::kList, pop, &wrong_type);
  if (wrong_type) {
    ctx.out->Error(errors::kWrongType);
  } else if (!key) {
    ctx.out->NullArray();
  } else {
    ctx.out->ArrayHeader(2);
    ctx.out->Bulk(*key);
    ctx.out->ArrayHeader(popped.size());
    for (const std::string& v : popped) ctx.out->Bulk(v);
  }
}

constexpr std::string_view kListWriteFast = "@write @list @fast";
constexpr std::string_view kListWriteSlow = "@write @list @slow";
constexpr std::string_view kListReadSlow = "@read @list @slow";
constexpr std::string_view kListBlocking = "@write @list @slow @blocking";

const CommandSpec kListCommands[] = {
    {"lpush", -3, kW | kCmdFast, 1, 1, 1, kListWriteFast, "list", "1.0.0",
     "Prepends one or more elements to a list. Creates the key if it doesn't exist.", LPush,
     nullptr},
    {"rpush", -3, kW | kCmdFast, 1, 1, 1, kListWriteFast, "list", "1.0.0",
     "Appends one or more elements to a list. Creates the key if it doesn't exist.", RPush,
     nullptr},
    {"lpushx", -3, kW | kCmdFast, 1, 1, 1, kListWriteFast, "list", "2.2.0",
     "Prepends one or more elements to a list only when the list exists.", LPushX, nullptr},
    {"rpushx", -3, kW | kCmdFast, 1, 1, 1, kListWriteFast, "list", "2.2.0",
     "Appends an element to a list only when the list exists.", RPushX, nullptr},
    {"lpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, kListWriteFast, "list", "1.0.0",
     "Returns the first elements in a list after removing it. Deletes the list if the last "
     "element was popped.",
     LPop, nullptr},
    {"rpop", -2, kCmdWrite | kCmdFast, 1, 1, 1, kListWriteFast, "list", "1.0.0",
     "Returns and removes the last elements of a list. Deletes the list if the last element "
     "was popped.",
     RPop, nullptr},
    {"llen", 2, kR | kCmdFast, 1, 1, 1, "@read @list @fast", "list", "1.0.0",
     "Returns the length of a list.", LLen, nullptr},
    {"lrange", 4, kR, 1, 1, 1, kListReadSlow, "list", "1.0.0",
     "Returns a range of elements from a list.", LRange, nullptr},
    {"lindex", 3, kR, 1, 1, 1, kListReadSlow, "list", "1.0.0",
     "Returns an element from a list by its index.", LIndex, nullptr},
    {"lset", 4, kW, 1, 1, 1, kListWriteSlow, "list", "1.0.0",
     "Sets the value of an element in a list by its index.", LSet, nullptr},
    {"linsert", 5, kW, 1, 1, 1, kListWriteSlow, "list", "2.2.0",
     "Inserts an element before or after another element in a list.", LInsert, nullptr},
    {"lrem", 4, kCmdWrite, 1, 1, 1, kListWriteSlow, "list", "1.0.0",
     "Removes elements from a list. Deletes the list if the last element was removed.", LRem,
     nullptr},
    {"ltrim", 4, kCmdWrite, 1, 1, 1, kListWriteSlow, "list", "1.0.0",
     "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
     LTrim, nullptr},
    {"lpos", -3, kR, 1, 1, 1, kListReadSlow, "list", "6.0.6",
     "Returns the index of matching elements in a list.", LPos, nullptr},
    {"lmove", 5, kW, 1, 2, 1, kListWriteSlow, "list", "6.2.0",
     "Returns an element after popping it from one list and pushing it to another. Deletes the "
     "list if the last element was moved.",
     nullptr, LMove},
    {"rpoplpush", 3, kW, 1, 2, 1, kListWriteSlow, "list", "1.2.0",
     "Returns the last element of a list after removing and pushing it to another list. "
     "Deletes the list if the last element was popped.",
     nullptr, RPopLPush},
    {"lmpop", -4, kCmdWrite, 0, 0, 0, kListWriteSlow, "list", "7.0.0",
     "Returns multiple elements from a list after removing them. Deletes the list if the last "
     "element was popped.",
     nullptr, LMPop},
    {"blpop", -3, kCmdWrite | kCmdNoScript | kCmdBlocking, 1, -2, 1, kListBlocking, "list", "2.0.0",
     "Removes and returns the first element in a list. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped.",
     nullptr, BLPop},
    {"brpop", -3, kCmdWrite | kCmdNoScript | kCmdBlocking, 1, -2, 1, kListBlocking, "list", "2.0.0",
     "Removes and returns the last element in a list. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped.",
     nullptr, BRPop},
    {"blmpop", -5, kCmdWrite | kCmdBlocking, 0, 0, 0, kListBlocking, "list", "7.0.0",
     "Pops the first element from one of multiple lists. Blocks until an element is available "
     "otherwise. Deletes the list if the last element was popped.",
     nullptr, BLMPop},
    {"blmove", 6, kW | kCmdNoScript | kCmdBlocking, 1, 2, 1, kListBlocking, "list", "6.2.0",
     "Pops an element from a list, pushes it to another list and returns it. Blocks until an "
     "element is available otherwise. Deletes the list if the last element was moved.",
     nullptr, BLMove},
    {"brpoplpush", 4, kW | kCmdNoScript | kCmdBlocking, 1, 2, 1, kListBlocking, "list", "2.2.0",
     "Pops an element from a list, pushes it to another list and returns it. Block until an "
     "element is available otherwise. Deletes the list if the last element was popped.",
     nullptr, BRPopLPush},
};

}  // namespace

std::span<const CommandSpec> ListFamily() { return kListCommands; }

}  // namespace shoal

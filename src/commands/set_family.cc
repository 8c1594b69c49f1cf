// The set commands (Redis "set" group). Single-key commands are ShardHandlers; the commands
// over several keys (SMOVE, SINTER/SUNION/SDIFF and their STORE forms, SINTERCARD) are
// coordinators that read every set under one Transaction, so they are atomic across shards
// (docs/multi-key-atomicity.md), and write the destination before releasing its lock.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "core/set_object.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
constexpr uint32_t kR = kCmdReadOnly;

SetObject& SetOf(Entry* e) { return *static_cast<SetObject*>(e->object()); }

Entry* FindSet(ShardCall& c, bool* bad, bool for_write = false) {
  return FindTyped(c.db, c.args[1], c.now_ms, ValueType::kSet, c.out, bad, for_write);
}

void SAdd(ShardCall& c) {
  bool bad;
  Entry* e = FindSet(c, &bad, true);
  if (bad) return;
  if (e == nullptr) e = c.db.Insert(Entry::CreateObject(c.args[1], new SetObject()), c.now_ms);
  int64_t added = 0;
  {
    ObjectChange change(c.db, e);
    const SetLimits limits = c.shard.options().set_limits();
    for (size_t i = 2; i < c.args.size(); i++) added += SetOf(e).Add(c.args[i], limits) ? 1 : 0;
  }
  c.out.Integer(added);
}

void SRem(ShardCall& c) {
  bool bad;
  Entry* e = FindSet(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  int64_t removed = 0;
  {
    ObjectChange change(c.db, e);
    for (size_t i = 2; i < c.args.size(); i++) removed += SetOf(e).Remove(c.args[i]) ? 1 : 0;
  }
  c.out.Integer(removed);
}

void SMembers(ShardCall& c) {
  bool bad;
  Entry* e = FindSet(c, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.SetHeader(0);
  c.out.SetHeader(SetOf(e).Length());
  SetOf(e).ForEach([&](std::string_view m) { c.out.Bulk(m); });
}

void SIsMember(ShardCall& c) {
  bool bad;
  Entry* e = FindSet(c, &bad);
  if (bad) return;
  c.out.Integer(e != nullptr && SetOf(e).Contains(c.args[2]) ? 1 : 0);
}

void SMIsMember(ShardCall& c) {
  bool bad;
  Entry* e = FindSet(c, &bad);
  if (bad) return;
  c.out.ArrayHeader(c.args.size() - 2);
  for (size_t i = 2; i < c.args.size(); i++) {
    c.out.Integer(e != nullptr && SetOf(e).Contains(c.args[i]) ? 1 : 0);
  }
}

void SCard(ShardCall& c) {
  bool bad;
  Entry* e = FindSet(c, &bad);
  if (bad) return;
  c.out.Integer(e == nullptr ? 0 : static_cast<int64_t>(SetOf(e).Length()));
}

constexpr std::string_view kOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

// SPOP key [count]
void SPop(ShardCall& c) {
  std::optional<int64_t> count;
  if (c.args.size() == 3) {
    count = ParseInt64(c.args[2]);
    if (!count || *count < 0) return c.out.Error("ERR value is out of range, must be positive");
  } else if (c.args.size() > 3) {
    return c.out.Error(errors::kSyntax);
  }
  bool bad;
  Entry* e = FindSet(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return count ? c.out.SetHeader(0) : c.out.Null();
  std::vector<std::string> popped;
  {
    ObjectChange change(c.db, e);
    SetObject& s = SetOf(e);
    const size_t n = count ? std::min<size_t>(static_cast<size_t>(*count), s.Length()) : 1;
    for (size_t i = 0; i < n; i++) {
      popped.push_back(s.RandomMember(c.shard.rng()));
      s.Remove(popped.back());
    }
  }
  if (!count) return c.out.Bulk(popped[0]);
  c.out.SetHeader(popped.size());
  for (const std::string& m : popped) c.out.Bulk(m);
}

// SRANDMEMBER key [count]: count > 0 distinct members, < 0 with repeats.
void SRandMember(ShardCall& c) {
  std::optional<int64_t> count;
  if (c.args.size() == 3) {
    count = ParseInt64(c.args[2]);
    if (!count) return c.out.Error(errors::kNotInteger);
    if (*count == INT64_MIN) return c.out.Error(kOutOfRange);
  } else if (c.args.size() > 3) {
    return c.out.Error(errors::kSyntax);
  }
  bool bad;
  Entry* e = FindSet(c, &bad);
  if (bad) return;
  if (e == nullptr) return count ? c.out.ArrayHeader(0) : c.out.Null();
  SetObject& s = SetOf(e);
  if (!count) return c.out.Bulk(s.RandomMember(c.shard.rng()));
  auto& rng = c.shard.rng();
  if (*count < 0) {
    c.out.ArrayHeader(static_cast<size_t>(-*count));
    for (int64_t i = 0; i < -*count; i++) c.out.Bulk(s.RandomMember(rng));
    return;
  }
  const size_t n = std::min(static_cast<size_t>(*count), s.Length());
  c.out.ArrayHeader(n);
  if (n * 3 <= s.Length()) {
    // Few of many (Redis's rule too): draw until n distinct, not a copy of the whole set.
    std::unordered_set<std::string> picked;
    while (picked.size() < n) {
      std::string m = s.RandomMember(rng);
      if (picked.insert(m).second) c.out.Bulk(m);
    }
    return;
  }
  std::vector<std::string> all;
  all.reserve(s.Length());
  s.ForEach([&](std::string_view m) { all.emplace_back(m); });
  for (size_t i = 0; i < n; i++) {
    std::swap(all[i], all[i + rng() % (all.size() - i)]);
    c.out.Bulk(all[i]);
  }
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
void SScan(ShardCall& c) {
  std::optional<ScanArgs> a = ParseScanArgs(c.args, 2, ScanKind::kMembers, c.out);
  if (!a) return;
  bool bad;
  Entry* e = FindSet(c, &bad);
  if (bad) return;
  std::vector<std::string> found;
  uint64_t cursor = 0;
  if (e != nullptr) {
    cursor = a->cursor;
    int64_t budget = a->count > INT64_MAX / 10 ? INT64_MAX : a->count * 10;
    do {
      cursor = SetOf(e).Scan(cursor, [&](std::string_view m) {
        if (a->pattern.empty() || GlobMatch(a->pattern, m)) found.emplace_back(m);
      });
    } while (cursor != 0 && --budget > 0 && static_cast<int64_t>(found.size()) < a->count);
  }
  c.out.ArrayHeader(2);
  c.out.Bulk(std::to_string(cursor));
  c.out.ArrayHeader(found.size());
  for (const std::string& m : found) c.out.Bulk(m);
}

// ---- Commands over several keys ----

using Members = std::vector<std::string>;

// Reads the sets at `keys` (missing: empty) on their shards under `tx`, keeping the locks.
// Returns false (with WRONGTYPE written) when one holds another type.
boost::asio::awaitable<bool> ReadSets(CommandContext& ctx, Transaction& tx,
                                      std::span<const std::string_view> keys,
                                      std::vector<Members>* sets) {
  sets->assign(keys.size(), Members());
  bool wrong_type = false;
  co_await VisitKeys(ctx, tx, keys, [&](size_t i, Entry* e) {
    if (e->type() != ValueType::kSet) {
      wrong_type = true;
      return;
    }
    SetOf(e).ForEach([&](std::string_view m) { (*sets)[i].emplace_back(m); });
  });
  if (wrong_type) ctx.out->Error(errors::kWrongType);
  co_return !wrong_type;
}

// ReadSets under a Transaction of its own: the sets as of one moment.
boost::asio::awaitable<bool> ReadSetsAtomically(CommandContext& ctx,
                                                std::span<const std::string_view> keys,
                                                std::vector<Members>* sets) {
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kShared);
  co_await tx.Lock();
  const bool ok = co_await ReadSets(ctx, tx, keys, sets);
  co_await tx.Finish();
  co_return ok;
}

enum class SetOp { kInter, kUnion, kDiff };

// The result of `op` over `sets`, stopping an intersection at `limit` members (0 = none).
Members Combine(SetOp op, const std::vector<Members>& sets, size_t limit = 0) {
  if (sets.empty()) return {};
  if (op == SetOp::kUnion) {
    std::unordered_set<std::string_view> seen;
    Members out;
    for (const Members& s : sets) {
      for (const std::string& m : s) {
        if (seen.insert(m).second) out.push_back(m);
      }
    }
    return out;
  }
  // Intersection walks the smallest set; difference walks the first.
  size_t base = 0;
  if (op == SetOp::kInter) {
    for (size_t i = 1; i < sets.size(); i++) {
      if (sets[i].size() < sets[base].size()) base = i;
    }
  }
  std::vector<std::unordered_set<std::string_view>> lookup(sets.size());
  for (size_t i = 0; i < sets.size(); i++) {
    if (i != base) lookup[i].insert(sets[i].begin(), sets[i].end());
  }
  Members out;
  for (const std::string& m : sets[base]) {
    bool keep = true;
    for (size_t i = 0; i < sets.size() && keep; i++) {
      if (i == base) continue;
      const bool in = lookup[i].count(m) != 0;
      keep = op == SetOp::kInter ? in : !in;
    }
    if (keep) out.push_back(m);
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

// SINTER / SUNION / SDIFF key [key ...]
boost::asio::awaitable<void> SetOpGeneric(CommandContext& ctx, SetOp op) {
  std::vector<Members> sets;
  if (!co_await ReadSetsAtomically(ctx, ctx.args.subspan(1), &sets)) co_return;
  Members result = Combine(op, sets);
  ctx.out->SetHeader(result.size());
  for (const std::string& m : result) ctx.out->Bulk(m);
}
boost::asio::awaitable<void> SInter(CommandContext& ctx) {
  return SetOpGeneric(ctx, SetOp::kInter);
}
boost::asio::awaitable<void> SUnion(CommandContext& ctx) {
  return SetOpGeneric(ctx, SetOp::kUnion);
}
boost::asio::awaitable<void> SDiff(CommandContext& ctx) { return SetOpGeneric(ctx, SetOp::kDiff); }

// Replaces whatever `key` holds with a set of `members` (deletes it when empty).
void StoreSet(Shard& shard, Db& db, std::string_view key, const Members& members) {
  const int64_t now = shard.NowMs();
  if (Entry* old = db.FindForWrite(key, now)) db.Delete(old);
  if (members.empty()) return;
  auto* set = new SetObject();
  const SetLimits limits = shard.options().set_limits();
  for (const std::string& m : members) set->Add(m, limits);
  db.Insert(Entry::CreateObject(key, set), now);
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]
boost::asio::awaitable<void> SetOpStoreGeneric(CommandContext& ctx, SetOp op) {
  std::string_view dest = ctx.args[1];
  std::span<const std::string_view> keys = ctx.args.subspan(2);
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kShared);
  const uint32_t dest_shard = tx.AddKey(dest, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  std::vector<Members> sets;
  if (!co_await ReadSets(ctx, tx, keys, &sets)) {
    co_await tx.Finish();
    co_return;
  }
  Members result = Combine(op, sets);
  bool oom = false;
  auto write = [&](Shard& shard) {
    if (!shard.EnsureMemory()) {
      oom = true;
      return;
    }
    StoreSet(shard, shard.db(ctx.client->db), dest, result);
  };
  co_await tx.Run(dest_shard, write);
  co_await tx.Finish();
  if (oom)
    ctx.out->Error(errors::kOom);
  else
    ctx.out->Integer(static_cast<int64_t>(result.size()));
}
boost::asio::awaitable<void> SInterStore(CommandContext& ctx) {
  return SetOpStoreGeneric(ctx, SetOp::kInter);
}
boost::asio::awaitable<void> SUnionStore(CommandContext& ctx) {
  return SetOpStoreGeneric(ctx, SetOp::kUnion);
}
boost::asio::awaitable<void> SDiffStore(CommandContext& ctx) {
  return SetOpStoreGeneric(ctx, SetOp::kDiff);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
boost::asio::awaitable<void> SInterCard(CommandContext& ctx) {
  std::optional<int64_t> numkeys = ParseInt64(ctx.args[1]);
  if (!numkeys || *numkeys <= 0) {
    ctx.out->Error("ERR numkeys should be greater than 0");
    co_return;
  }
  if (static_cast<uint64_t>(*numkeys) > ctx.args.size() - 2) {
    ctx.out->Error("ERR Number of keys can't be greater than number of args");
    co_return;
  }
  const auto n = static_cast<size_t>(*numkeys);
  std::optional<size_t> limit = ParseInterCardLimit(ctx.args, 2 + n, *ctx.out);
  if (!limit) co_return;
  std::vector<Members> sets;
  if (!co_await ReadSetsAtomically(ctx, ctx.args.subspan(2, n), &sets)) co_return;
  ctx.out->Integer(static_cast<int64_t>(Combine(SetOp::kInter, sets, *limit).size()));
}

// SMOVE source destination member
boost::asio::awaitable<void> SMove(CommandContext& ctx) {
  std::string_view src = ctx.args[1], dst = ctx.args[2], member = ctx.args[3];
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  const uint32_t src_shard = tx.AddKey(src, LockMode::kExclusive);
  const uint32_t dst_shard = tx.AddKey(dst, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  // Phase 1: types and presence, on both shards. As Redis, a missing source answers 0 before
  // the destination's type is looked at.
  bool present = false, src_exists, wrong_type;
  co_await CheckMoveKeys(
      ctx, tx, src, dst, ValueType::kSet, [&](Entry* e) { present = SetOf(e).Contains(member); },
      &src_exists, &wrong_type);
  if (!src_exists || wrong_type || !present || src == dst) {
    co_await tx.Finish();
    if (src_exists && wrong_type)
      ctx.out->Error(errors::kWrongType);
    else
      ctx.out->Integer(present ? 1 : 0);
    co_return;
  }
  // Phase 2: remove from the source, add to the destination.
  auto remove = [&](Shard& shard) {
    Db& db = shard.db(ctx.client->db);
    Entry* e = db.FindForWrite(src, shard.NowMs());
    ObjectChange change(db, e);
    SetOf(e).Remove(member);
  };
  auto add = [&](Shard& shard) {
    Db& db = shard.db(ctx.client->db);
    const int64_t now = shard.NowMs();
    Entry* e = db.FindForWrite(dst, now);
    if (e == nullptr) e = db.Insert(Entry::CreateObject(dst, new SetObject()), now);
    ObjectChange change(db, e);
    SetOf(e).Add(member, shard.options().set_limits());
  };
  if (src_shard == dst_shard) {
    auto both = [&](Shard& shard) {
      remove(shard);
      add(shard);
    };
    co_await tx.Run(src_shard, both);
  } else {
    co_await tx.Run(src_shard, remove);
    co_await tx.Run(dst_shard, add);
  }
  co_await tx.Finish();
  ctx.out->Integer(1);
}

constexpr std::string_view kSetWriteFast = "@write @set @fast";
constexpr std::string_view kSetReadFast = "@read @set @fast";
constexpr std::string_view kSetReadSlow = "@read @set @slow";
constexpr std::string_view kSetWriteSlow = "@write @set @slow";

const CommandSpec kSetCommands[] = {
    {"sadd", -3, kW | kCmdFast, 1, 1, 1, kSetWriteFast, "set", "1.0.0",
     "Adds one or more members to a set. Creates the key if it doesn't exist.", SAdd, nullptr},
    {"srem", -3, kCmdWrite | kCmdFast, 1, 1, 1, kSetWriteFast, "set", "1.0.0",
     "Removes one or more members from a set. Deletes the set if the last member was removed.",
     SRem, nullptr},
    {"smembers", 2, kR, 1, 1, 1, kSetReadSlow, "set", "1.0.0", "Returns all members of a set.",
     SMembers, nullptr},
    {"sismember", 3, kR | kCmdFast, 1, 1, 1, kSetReadFast, "set", "1.0.0",
     "Determines whether a member belongs to a set.", SIsMember, nullptr},
    {"smismember", -3, kR | kCmdFast, 1, 1, 1, kSetReadFast, "set", "6.2.0",
     "Determines whether multiple members belong to a set.", SMIsMember, nullptr},
    {"scard", 2, kR | kCmdFast, 1, 1, 1, kSetReadFast, "set", "1.0.0",
     "Returns the number of members in a set.", SCard, nullptr},
    {"spop", -2, kCmdWrite | kCmdFast, 1, 1, 1, kSetWriteFast, "set", "1.0.0",
     "Returns one or more random members from a set after removing them. Deletes the set if "
     "the last member was popped.",
     SPop, nullptr},
    {"srandmember", -2, kR, 1, 1, 1, kSetReadSlow, "set", "1.0.0",
     "Get one or multiple random members from a set", SRandMember, nullptr},
    {"sscan", -3, kR, 1, 1, 1, kSetReadSlow, "set", "2.8.0", "Iterates over members of a set.",
     SScan, nullptr},
    {"smove", 4, kCmdWrite | kCmdFast, 1, 2, 1, kSetWriteFast, "set", "1.0.0",
     "Moves a member from one set to another.", nullptr, SMove},
    {"sinter", -2, kR, 1, -1, 1, kSetReadSlow, "set", "1.0.0",
     "Returns the intersect of multiple sets.", nullptr, SInter},
    {"sunion", -2, kR, 1, -1, 1, kSetReadSlow, "set", "1.0.0",
     "Returns the union of multiple sets.", nullptr, SUnion},
    {"sdiff", -2, kR, 1, -1, 1, kSetReadSlow, "set", "1.0.0",
     "Returns the difference of multiple sets.", nullptr, SDiff},
    {"sinterstore", -3, kW, 1, -1, 1, kSetWriteSlow, "set", "1.0.0",
     "Stores the intersect of multiple sets in a key.", nullptr, SInterStore},
    {"sunionstore", -3, kW, 1, -1, 1, kSetWriteSlow, "set", "1.0.0",
     "Stores the union of multiple sets in a key.", nullptr, SUnionStore},
    {"sdiffstore", -3, kW, 1, -1, 1, kSetWriteSlow, "set", "1.0.0",
     "Stores the difference of multiple sets in a key.", nullptr, SDiffStore},
    {"sintercard", -3, kR, 0, 0, 0, kSetReadSlow, "set", "7.0.0",
     "Returns the number of members of the intersect of multiple sets.", nullptr, SInterCard},
};

}  // namespace

std::span<const CommandSpec> SetFamily() { return kSetCommands; }

}  // namespace shoal

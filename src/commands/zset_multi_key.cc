// The sorted set commands over several keys: ZUNION/ZINTER/ZDIFF and their STORE forms (sets
// count as sorted sets with every score 1, as in Redis), ZINTERCARD, ZRANGESTORE and ZMPOP.
// Each reads its inputs under one Transaction, so it is atomic across shards
// (docs/multi-key-atomicity.md), and writes the destination before releasing its lock.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "commands/zset_commands.h"
#include "commands/zset_range.h"
#include "core/set_object.h"
#include "core/zset_object.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

ZSetObject& ZOf(Entry* e) { return *static_cast<ZSetObject*>(e->object()); }

// Reads sorted sets and sets (score 1) at `keys`; false with WRONGTYPE written otherwise.
boost::asio::awaitable<bool> ReadScored(CommandContext& ctx, Transaction& tx,
                                        std::span<const std::string_view> keys,
                                        std::vector<Scored>* out) {
  out->assign(keys.size(), Scored());
  bool wrong_type = false;
  co_await VisitKeys(ctx, tx, keys, [&](size_t i, Entry* e) {
    Scored& dst = (*out)[i];
    if (e->type() == ValueType::kZSet) {
      ZOf(e).ForRange(0, ZOf(e).Length(), false, [&](ZElement el) {
        dst.emplace_back(std::string(el.member), el.score);
        return true;
      });
    } else if (e->type() == ValueType::kSet) {
      static_cast<SetObject*>(e->object())->ForEach([&](std::string_view m) {
        dst.emplace_back(std::string(m), 1.0);
      });
    } else {
      wrong_type = true;
    }
  });
  if (wrong_type) ctx.out->Error(errors::kWrongType);
  co_return !wrong_type;
}

enum class Op { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

struct AlgebraArgs {
  std::span<const std::string_view> keys;
  std::vector<double> weights;
  Aggregate aggregate = Aggregate::kSum;
  bool with_scores = false;
};

// Parses "numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]" from
// args[at..] with Redis's errors; WEIGHTS/AGGREGATE only for union/inter, WITHSCORES only
// without a destination.
// The keys after "numkeys" at args[at]; writes Redis's error and returns nullopt when wrong.
std::optional<std::span<const std::string_view>> ParseKeys(CommandContext& ctx, size_t at) {
  std::optional<int64_t> n = ParseInt64(ctx.args[at]);
  if (!n) {
    ctx.out->Error(errors::kNotInteger);
    return std::nullopt;
  }
  if (*n < 1) {
    ctx.out->Error("ERR at least 1 input key is needed for '" + ToLower(ctx.args[0]) + "' command");
    return std::nullopt;
  }
  if (static_cast<uint64_t>(*n) > ctx.args.size() - at - 1) {
    ctx.out->Error(errors::kSyntax);
    return std::nullopt;
  }
  return ctx.args.subspan(at + 1, static_cast<size_t>(*n));
}

std::optional<AlgebraArgs> ParseAlgebra(CommandContext& ctx, size_t at, Op op, bool store) {
  ReplySink& out = *ctx.out;
  std::optional<std::span<const std::string_view>> keys = ParseKeys(ctx, at);
  if (!keys) return std::nullopt;
  AlgebraArgs a;
  a.keys = *keys;
  a.weights.assign(a.keys.size(), 1.0);
  for (size_t i = at + 1 + a.keys.size(); i < ctx.args.size(); i++) {
    std::string_view opt = ctx.args[i];
    const size_t left = ctx.args.size() - i - 1;
    if (op != Op::kDiff && EqualsIgnoreCase(opt, "weights") && left >= a.keys.size()) {
      for (size_t k = 0; k < a.keys.size(); k++) {
        std::optional<double> w = ParseDouble(ctx.args[++i]);
        if (!w) {
          out.Error("ERR weight value is not a float");
          return std::nullopt;
        }
        a.weights[k] = *w;
      }
    } else if (op != Op::kDiff && EqualsIgnoreCase(opt, "aggregate") && left >= 1) {
      std::string_view v = ctx.args[++i];
      if (EqualsIgnoreCase(v, "sum")) {
        a.aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(v, "min")) {
        a.aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(v, "max")) {
        a.aggregate = Aggregate::kMax;
      } else {
        out.Error(errors::kSyntax);
        return std::nullopt;
      }
    } else if (!store && EqualsIgnoreCase(opt, "withscores")) {
      a.with_scores = true;
    } else {
      out.Error(errors::kSyntax);
      return std::nullopt;
    }
  }
  return a;
}

// Redis's rules: a weighted or summed NaN (inf * 0, inf + -inf) counts as 0.
double Weighted(double score, double weight) {
  const double v = score * weight;
  return std::isnan(v) ? 0 : v;
}
double Combine(Aggregate agg, double a, double b) {
  switch (agg) {
    case Aggregate::kSum: {
      const double v = a + b;
      return std::isnan(v) ? 0 : v;
    }
    case Aggregate::kMin:
      return std::min(a, b);
    case Aggregate::kMax:
      return std::max(a, b);
  }
  return a;
}

// The result in (score, member) order.
Scored Compute(Op op, const AlgebraArgs& a, const std::vector<Scored>& inputs) {
  std::unordered_map<std::string_view, double> acc;
  std::unordered_map<std::string_view, size_t> seen_in;  // inter: inputs containing it
  if (op == Op::kDiff) {
    for (const auto& [m, s] : inputs[0]) acc[m] = s;
    for (size_t i = 1; i < inputs.size(); i++) {
      for (const auto& entry : inputs[i]) acc.erase(entry.first);
    }
  } else {
    for (size_t i = 0; i < inputs.size(); i++) {
      for (const auto& [m, s] : inputs[i]) {
        const double w = Weighted(s, a.weights[i]);
        auto [it, fresh] = acc.emplace(m, w);
        if (!fresh) it->second = Combine(a.aggregate, it->second, w);
        seen_in[m]++;
      }
    }
    if (op == Op::kInter) {
      std::erase_if(acc, [&](const auto& kv) { return seen_in[kv.first] != inputs.size(); });
    }
  }
  Scored out;
  out.reserve(acc.size());
  for (const auto& [m, s] : acc) out.emplace_back(std::string(m), s);
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.second < y.second || (x.second == y.second && x.first < y.first);
  });
  return out;
}

void ReplyScored(const Scored& result, bool with_scores, ReplySink& out) {
  const bool nested = with_scores && out.protocol_version() >= 3;
  out.ArrayHeader(with_scores && !nested ? result.size() * 2 : result.size());
  for (const auto& [m, s] : result) {
    if (nested) out.ArrayHeader(2);
    out.Bulk(m);
    if (with_scores) out.Double(s);
  }
}

// Writes `result` to `dest` under `tx` (its lock taken by the caller) and replies its size.
boost::asio::awaitable<void> StoreAndReply(CommandContext& ctx, Transaction& tx,
                                           std::string_view dest, const Scored& result) {
  bool oom = false;
  auto write = [&](Shard& shard) {
    if (!shard.EnsureMemory()) {
      oom = true;
      return;
    }
    StoreZSet(shard, shard.db(ctx.client->db), dest, result);
  };
  co_await tx.Run(ShardOfKey(dest, ctx.shards->size()), write);
  co_await tx.Finish();
  if (oom)
    ctx.out->Error(errors::kOom);
  else
    ctx.out->Integer(static_cast<int64_t>(result.size()));
}

// ZUNION / ZINTER / ZDIFF numkeys ..., and with `store` their STORE forms (destination first).
boost::asio::awaitable<void> AlgebraGeneric(CommandContext& ctx, Op op, bool store) {
  std::optional<AlgebraArgs> a = ParseAlgebra(ctx, store ? 2 : 1, op, store);
  if (!a) co_return;
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : a->keys) tx.AddKey(k, LockMode::kShared);
  if (store) tx.AddKey(ctx.args[1], LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/store);
  std::vector<Scored> inputs;
  if (!co_await ReadScored(ctx, tx, a->keys, &inputs)) {
    co_await tx.Finish();
    co_return;
  }
  Scored result = Compute(op, *a, inputs);
  if (store) {
    co_await StoreAndReply(ctx, tx, ctx.args[1], result);
    co_return;
  }
  co_await tx.Finish();
  ReplyScored(result, a->with_scores, *ctx.out);
}

boost::asio::awaitable<void> ZUnion(CommandContext& c) {
  return AlgebraGeneric(c, Op::kUnion, false);
}
boost::asio::awaitable<void> ZInter(CommandContext& c) {
  return AlgebraGeneric(c, Op::kInter, false);
}
boost::asio::awaitable<void> ZDiff(CommandContext& c) {
  return AlgebraGeneric(c, Op::kDiff, false);
}
boost::asio::awaitable<void> ZUnionStore(CommandContext& c) {
  return AlgebraGeneric(c, Op::kUnion, true);
}
boost::asio::awaitable<void> ZInterStore(CommandContext& c) {
  return AlgebraGeneric(c, Op::kInter, true);
}
boost::asio::awaitable<void> ZDiffStore(CommandContext& c) {
  return AlgebraGeneric(c, Op::kDiff, true);
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
boost::asio::awaitable<void> ZRangeStore(CommandContext& ctx) {
  RangeRequest r;
  r.min = ctx.args[3];
  r.max = ctx.args[4];
  if (!ParseRangeOptions(ctx.args, 5, /*fixed=*/false, /*store=*/true, &r, *ctx.out) ||
      !Select(nullptr, r, *ctx.out)) {
    co_return;
  }
  std::string_view dest = ctx.args[1], src = ctx.args[2];
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddKey(src, LockMode::kShared);
  tx.AddKey(dest, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  bool wrong_type = false;
  Scored result;
  std::string_view keys[] = {src};
  co_await VisitKeys(ctx, tx, keys, [&](size_t, Entry* e) {
    if (e->type() != ValueType::kZSet) {
      wrong_type = true;
      return;
    }
    std::optional<Selection> s = Select(&ZOf(e), r, *ctx.out);  // bounds checked above
    ZOf(e).ForRange(s->first, s->count, s->reverse, [&](ZElement el) {
      result.emplace_back(std::string(el.member), el.score);
      return true;
    });
  });
  if (wrong_type) {
    co_await tx.Finish();
    ctx.out->Error(errors::kWrongType);
    co_return;
  }
  co_await StoreAndReply(ctx, tx, dest, result);
}

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
boost::asio::awaitable<void> ZInterCard(CommandContext& ctx) {
  std::optional<std::span<const std::string_view>> keys = ParseKeys(ctx, 1);
  if (!keys) co_return;
  std::optional<size_t> limit = ParseInterCardLimit(ctx.args, 2 + keys->size(), *ctx.out);
  if (!limit) co_return;
  AlgebraArgs a;
  a.keys = *keys;
  a.weights.assign(a.keys.size(), 1.0);
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : a.keys) tx.AddKey(k, LockMode::kShared);
  co_await tx.Lock();
  std::vector<Scored> inputs;
  const bool ok = co_await ReadScored(ctx, tx, a.keys, &inputs);
  co_await tx.Finish();
  if (!ok) co_return;
  const size_t count = Compute(Op::kInter, a, inputs).size();
  ctx.out->Integer(static_cast<int64_t>(*limit == 0 ? count : std::min(count, *limit)));
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: pops from the first non-empty sorted set.
boost::asio::awaitable<void> ZMPop(CommandContext& ctx) {
  std::optional<MPopArgs> a = ParseMPopArgs(ctx.args, "min", "max", *ctx.out);
  if (!a) co_return;
  Scored popped;
  auto pop = [&](Db& db, Entry* e) { popped = PopScored(db, e, a->second, a->count); };
  bool wrong_type;
  std::optional<std::string_view> key =
      co_await PopFromFirst(ctx, a->keys, ValueType::kZSet, pop, &wrong_type);
  if (wrong_type) {
    ctx.out->Error(errors::kWrongType);
  } else if (!key) {
    ctx.out->NullArray();
  } else {
    ReplyMPopped(*ctx.out, *key, popped);
  }
}

constexpr std::string_view kZWriteSlow = "@write @sortedset @slow";
constexpr std::string_view kZReadSlow = "@read @sortedset @slow";
constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;

const CommandSpec kZSetMultiKeyCommands[] = {
    {"zunion", -3, kCmdReadOnly, 0, 0, 0, kZReadSlow, "sorted_set", "6.2.0",
     "Returns the union of multiple sorted sets.", nullptr, ZUnion},
    {"zinter", -3, kCmdReadOnly, 0, 0, 0, kZReadSlow, "sorted_set", "6.2.0",
     "Returns the intersect of multiple sorted sets.", nullptr, ZInter},
    {"zdiff", -3, kCmdReadOnly, 0, 0, 0, kZReadSlow, "sorted_set", "6.2.0",
     "Returns the difference between multiple sorted sets.", nullptr, ZDiff},
    {"zunionstore", -4, kW, 1, 1, 1, kZWriteSlow, "sorted_set", "2.0.0",
     "Stores the union of multiple sorted sets in a key.", nullptr, ZUnionStore},
    {"zinterstore", -4, kW, 1, 1, 1, kZWriteSlow, "sorted_set", "2.0.0",
     "Stores the intersect of multiple sorted sets in a key.", nullptr, ZInterStore},
    {"zdiffstore", -4, kW, 1, 1, 1, kZWriteSlow, "sorted_set", "6.2.0",
     "Stores the difference of multiple sorted sets in a key.", nullptr, ZDiffStore},
    {"zrangestore", -5, kW, 1, 2, 1, kZWriteSlow, "sorted_set", "6.2.0",
     "Stores a range of members from sorted set in a key.", nullptr, ZRangeStore},
    {"zintercard", -3, kCmdReadOnly, 0, 0, 0, kZReadSlow, "sorted_set", "7.0.0",
     "Returns the number of members of the intersect of multiple sorted sets.", nullptr,
     ZInterCard},
    {"zmpop", -4, kCmdWrite, 0, 0, 0, kZWriteSlow, "sorted_set", "7.0.0",
     "Returns the highest- or lowest-scoring members from one or more sorted sets after "
     "removing them. Deletes the sorted set if the last member was popped.",
     nullptr, ZMPop},
};

}  // namespace

void StoreZSet(Shard& shard, Db& db, std::string_view key, const Scored& members) {
  const int64_t now = shard.NowMs();
  if (Entry* old = db.FindForWrite(key, now)) db.Delete(old);
  if (members.empty()) return;
  auto* z = new ZSetObject();
  const ZSetLimits limits = shard.options().zset_limits();
  for (const auto& [m, s] : members) z->Set(m, s, limits);
  db.Insert(Entry::CreateObject(key, z), now);
}

std::span<const CommandSpec> ZSetMultiKeyFamily() { return kZSetMultiKeyCommands; }

}  // namespace shoal

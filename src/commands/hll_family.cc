// HyperLogLog commands (Redis "hyperloglog" group) over string values in core/hyperloglog.h's
// format. PFCOUNT of several keys and PFMERGE read their sources under one Transaction.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "core/hyperloglog.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";

// The HLL at `e` (nullptr: none yet), or nullopt with the error written.
std::optional<std::string> HllOf(const Entry* e, ReplySink& out) {
  if (e == nullptr) return hll::Create();
  if (e->type() != ValueType::kString) {
    out.Error(errors::kWrongType);
    return std::nullopt;
  }
  std::string v = e->StringValue();
  if (!hll::IsValid(v)) {
    out.Error(kNotHll);
    return std::nullopt;
  }
  return v;
}

// PFADD key [element ...]: 1 when the key was created or a register changed.
void PfAdd(ShardCall& c) {
  Entry* e = c.db.FindForWrite(c.args[1], c.now_ms);
  std::optional<std::string> h = HllOf(e, c.out);
  if (!h) return;
  bool changed = e == nullptr;
  for (size_t i = 2; i < c.args.size(); i++) changed = hll::Add(*h, c.args[i]) || changed;
  if (changed) StoreString(c.db, e, c.args[1], *h, -1, c.now_ms, false);
  c.out.Integer(changed ? 1 : 0);
}

// Merges the HLLs at `keys` (missing ones are empty) under `tx`; nullopt after an error.
boost::asio::awaitable<std::optional<std::string>> MergeKeys(
    CommandContext& ctx, Transaction& tx, std::span<const std::string_view> keys) {
  std::string merged = hll::Create();
  bool bad = false;
  co_await VisitKeys(ctx, tx, keys, [&](size_t, Entry* e) {
    if (bad) return;
    std::optional<std::string> h = HllOf(e, *ctx.out);
    if (!h) {
      bad = true;
      return;
    }
    hll::Merge(merged, *h);
  });
  if (bad) co_return std::nullopt;
  co_return merged;
}

// PFCOUNT key [key ...]: the estimated cardinality of their union.
boost::asio::awaitable<void> PfCount(CommandContext& ctx) {
  std::span<const std::string_view> keys = ctx.args.subspan(1);
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kShared);
  co_await tx.Lock();
  std::optional<std::string> merged = co_await MergeKeys(ctx, tx, keys);
  co_await tx.Finish();
  if (merged) ctx.out->Integer(static_cast<int64_t>(hll::Count(*merged)));
}

// PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and the sources.
boost::asio::awaitable<void> PfMerge(CommandContext& ctx) {
  std::span<const std::string_view> keys = ctx.args.subspan(1);  // destination included
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  std::optional<std::string> merged = co_await MergeKeys(ctx, tx, keys);
  if (!merged) {
    co_await tx.Finish();
    co_return;
  }
  std::string_view dest = ctx.args[1];
  auto write = [&](Shard& shard) {
    Db& db = shard.db(ctx.client->db);
    const int64_t now = shard.NowMs();
    StoreString(db, db.FindForWrite(dest, now), dest, *merged, -1, now, false);
  };
  co_await tx.Run(ShardOfKey(dest, ctx.shards->size()), write);
  co_await tx.Finish();
  ctx.out->Ok();
}

const CommandSpec kHllCommands[] = {
    {"pfadd", -2, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1, "@write @hyperloglog @fast",
     "hyperloglog", "2.8.9",
     "Adds elements to a HyperLogLog key. Creates the key if it doesn't "
     "exist.",
     PfAdd, nullptr},
    {"pfcount", -2, kCmdReadOnly, 1, -1, 1, "@read @hyperloglog @slow", "hyperloglog", "2.8.9",
     "Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).",
     nullptr, PfCount},
    {"pfmerge", -2, kCmdWrite | kCmdDenyOom, 1, -1, 1, "@write @hyperloglog @slow", "hyperloglog",
     "2.8.9", "Merges one or more HyperLogLog values into a single key.", nullptr, PfMerge},
};

}  // namespace

std::span<const CommandSpec> HllFamily() { return kHllCommands; }

}  // namespace shoal

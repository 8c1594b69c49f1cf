// BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH (docs/blocking.md). Each first runs as its
// non-blocking twin under one Transaction over its keys; when every key is empty it blocks
// (commands/blocking.h) and is served on the shard of the key that receives elements.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "commands/blocking.h"
#include "commands/list_commands.h"
#include "commands/value_helpers.h"

namespace shoal {
namespace {

using End = ListObject::End;

// A blocked BLMOVE/BRPOPLPUSH: pops one element from the source when served and pushes it to
// `dst` there when dst lives on the source's shard (otherwise the client's coroutine does).
class MoveWaiter final : public ClientWaiter {
 public:
  MoveWaiter(CommandContext& ctx, End from, std::string_view dst, End to, bool local)
      : ClientWaiter(ValueType::kList, ctx), from_(from), dst_(dst), to_(to), local_(local) {}

  // Valid once served.
  const std::string& element() const { return element_; }
  bool wrong_type() const { return wrong_type_; }

  void Serve(Shard& shard, Db& db, std::string_view key) override {
    const int64_t now = shard.NowMs();
    if (local_) {
      const Entry* d = db.FindForWrite(dst_, now);
      if (d != nullptr && d->type() != ValueType::kList) {
        wrong_type_ = true;  // as Redis: the client gets WRONGTYPE, the source keeps it all
        return Wake();
      }
    }
    element_ = std::move(PopElements(db, db.FindForWrite(key, now), from_, 1)[0]);
    if (local_) PushElement(shard, db, dst_, to_, element_);
    Wake();
  }

 private:
  const End from_;
  const std::string_view dst_;  // the command's argument: outlives the waiter's service
  const End to_;
  const bool local_;
  std::string element_;
  bool wrong_type_ = false;
};

// BLPOP/BRPOP (nested = false: one element) and BLMPOP (nested: up to `count`).
boost::asio::awaitable<void> PopOrBlock(CommandContext& ctx, std::span<const std::string_view> keys,
                                        End end, size_t count, int64_t timeout_ms, bool nested) {
  auto popped = std::make_shared<std::vector<std::string>>();
  auto pop = [popped, end, count](Db& db, Entry* e) { *popped = PopElements(db, e, end, count); };
  auto reply = [&](std::string_view key) {
    ctx.out->ArrayHeader(2);
    ctx.out->Bulk(key);
    if (nested) ctx.out->ArrayHeader(popped->size());
    for (const std::string& v : *popped) ctx.out->Bulk(v);
  };
  co_await PopFirstOrBlock(ctx, keys, ValueType::kList, timeout_ms, pop, reply,
                           &ReplySink::NullArray);
}

boost::asio::awaitable<void> BPop(CommandContext& ctx, End end) {
  std::optional<int64_t> timeout = ParseBlockTimeout(ctx.args.back(), *ctx.out);
  if (!timeout) co_return;
  co_await PopOrBlock(ctx, ctx.args.subspan(1, ctx.args.size() - 2), end, 1, *timeout, false);
}

// A served cross-shard BLMOVE: the element popped from `src` is pushed to `dst` in one hop
// gated on dst. If dst now holds another type, the element goes back to the end of src it
// came from (unless src too holds another type by then) and the client gets WRONGTYPE.
boost::asio::awaitable<bool> PushAcross(CommandContext& ctx, std::string_view src,
                                        std::string_view dst, End from, End to,
                                        const std::string& element) {
  const int db = ctx.client->db;
  bool wrong_type = false;
  auto push_to = [&](std::string_view key, End end) {
    return [&, key, end](Shard& shard) {
      Db& d = shard.db(db);
      const Entry* e = d.FindForWrite(key, shard.NowMs());
      wrong_type = e != nullptr && e->type() != ValueType::kList;
      if (!wrong_type) PushElement(shard, d, key, end, element);
    };
  };
  auto push = push_to(dst, to);
  LockRequest gate{{LockKey{db, dst, LockMode::kExclusive}}, false};
  co_await ctx.shards->Execute(ShardOfKey(dst, ctx.shards->size()), &gate, false, push);
  if (!wrong_type) co_return true;
  auto give_back = push_to(src, from);
  gate.keys[0].key = src;
  co_await ctx.shards->Execute(ShardOfKey(src, ctx.shards->size()), &gate, false, give_back);
  co_return false;
}

// BLMOVE and BRPOPLPUSH.
boost::asio::awaitable<void> MoveOrBlock(CommandContext& ctx, End from, End to,
                                         int64_t timeout_ms) {
  std::string_view src = ctx.args[1], dst = ctx.args[2];
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddKey(src, LockMode::kExclusive);
  tx.AddKey(dst, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  if (co_await MoveUnderLock(ctx, tx, src, dst, from, to)) co_return;
  if (ctx.client->exec_holds_shards) {
    co_await tx.Finish();
    ctx.out->Null();
    co_return;
  }
  const uint32_t num_shards = ctx.shards->size();
  const bool local = ShardOfKey(src, num_shards) == ShardOfKey(dst, num_shards);
  auto waiter = std::make_shared<MoveWaiter>(ctx, from, dst, to, local);
  const BlockResult result =
      co_await Block(ctx, tx, std::span<const std::string_view>(&src, 1), waiter, timeout_ms);
  if (result != BlockResult::kServed) {
    ReplyUnserved(ctx, result, &ReplySink::Null);
  } else if (waiter->wrong_type() ||
             (!local && !co_await PushAcross(ctx, src, dst, from, to, waiter->element()))) {
    ctx.out->Error(errors::kWrongType);
  } else {
    ctx.out->Bulk(waiter->element());
  }
}

}  // namespace

boost::asio::awaitable<void> BLPop(CommandContext& ctx) { return BPop(ctx, End::kHead); }
boost::asio::awaitable<void> BRPop(CommandContext& ctx) { return BPop(ctx, End::kTail); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
boost::asio::awaitable<void> BLMPop(CommandContext& ctx) {
  std::optional<int64_t> timeout = ParseBlockTimeout(ctx.args[1], *ctx.out);
  if (!timeout) co_return;
  std::optional<MPopArgs> a = ParseMPopArgs(ctx.args.subspan(1), "left", "right", *ctx.out);
  if (!a) co_return;
  co_await PopOrBlock(ctx, a->keys, a->second ? End::kTail : End::kHead, a->count, *timeout, true);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
boost::asio::awaitable<void> BLMove(CommandContext& ctx) {
  std::optional<End> from = ParseEnd(ctx.args[3]), to = ParseEnd(ctx.args[4]);
  if (!from || !to) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  std::optional<int64_t> timeout = ParseBlockTimeout(ctx.args[5], *ctx.out);
  if (!timeout) co_return;
  co_await MoveOrBlock(ctx, *from, *to, *timeout);
}

// BRPOPLPUSH source destination timeout
boost::asio::awaitable<void> BRPopLPush(CommandContext& ctx) {
  std::optional<int64_t> timeout = ParseBlockTimeout(ctx.args[3], *ctx.out);
  if (!timeout) co_return;
  co_await MoveOrBlock(ctx, End::kTail, End::kHead, *timeout);
}

}  // namespace shoal

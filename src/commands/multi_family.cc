// MULTI/EXEC/DISCARD/WATCH/UNWATCH.
//
// EXEC locks every shard entirely (ascending order, as any multi-shard lock), checks the
// WATCH flag, then runs the queued commands one after another through the Dispatcher with
// ClientState::exec_holds_shards set, so they skip the lock gates they would otherwise wait
// on (the gates of EXEC's own locks). Other clients' commands wait at the gates until EXEC
// releases the shards: none sees part of the transaction. Fan-outs without gates (KEYS, SCAN,
// DBSIZE, INFO) are not atomic with anything (docs/multi-key-atomicity.md).
#include "commands/multi_family.h"

#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "commands/command_table.h"
#include "commands/dispatcher.h"

namespace shoal {
namespace {

constexpr uint32_t kTx = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;

boost::asio::awaitable<void> Multi(CommandContext& ctx) {
  if (ctx.client->multi.active) {
    ctx.out->Error("ERR MULTI calls can not be nested");
    co_return;
  }
  ctx.client->multi = ClientState::Multi();
  ctx.client->multi.active = true;
  ctx.out->Ok();
}

boost::asio::awaitable<void> Discard(CommandContext& ctx) {
  if (!ctx.client->multi.active) {
    ctx.out->Error("ERR DISCARD without MULTI");
    co_return;
  }
  co_await EndTransaction(*ctx.shards, *ctx.client);
  ctx.out->Ok();
}

boost::asio::awaitable<void> Watch(CommandContext& ctx) {
  if (ctx.client->multi.active) {
    ctx.out->Error("ERR WATCH inside MULTI is not allowed");
    co_return;
  }
  ClientState& client = *ctx.client;
  if (!client.watch_flag) client.watch_flag = std::make_shared<WatchFlag>();
  for (size_t i = 1; i < ctx.args.size(); i++) {
    std::string_view key = ctx.args[i];
    auto add = [&](Shard& s) { s.db(client.db).watches().Add(key, client.watch_flag); };
    co_await ctx.shards->Execute(ShardOfKey(key, ctx.shards->size()), nullptr, false, add);
    client.watched.emplace_back(client.db, std::string(key));
  }
  ctx.out->Ok();
}

boost::asio::awaitable<void> Unwatch(CommandContext& ctx) {
  ClientState::Multi multi = std::move(ctx.client->multi);  // UNWATCH keeps a MULTI going
  co_await EndTransaction(*ctx.shards, *ctx.client);
  ctx.client->multi = std::move(multi);
  ctx.out->Ok();
}

// Locks (acquire) or releases every shard entirely, in ascending order.
boost::asio::awaitable<void> HoldAllShards(ShardSet& shards, bool hold) {
  static const LockRequest kWholeShard{{}, true};
  auto release = [](Shard& s) { s.locks().Release(kWholeShard); };
  auto nothing = [](Shard&) {};
  for (uint32_t s = 0; s < shards.size(); s++) {
    if (hold)
      co_await shards.Execute(s, &kWholeShard, /*acquire=*/true, nothing);
    else
      co_await shards.Execute(s, nullptr, false, release);
  }
}

// Whether a watched key changed. Expiry counts as a change even when nobody has touched the
// expired key yet: looking each key up expires it lazily, which sets the flag.
boost::asio::awaitable<bool> WatchedKeysChanged(CommandContext& ctx) {
  ClientState& client = *ctx.client;
  if (!client.watch_flag) co_return false;
  for (const auto& [db, key] : client.watched) {
    auto peek = [&, db = db, key = std::string_view(key)](Shard& s) {
      s.db(db).Peek(key, s.NowMs());
    };
    co_await ctx.shards->Execute(ShardOfKey(key, ctx.shards->size()), nullptr, false, peek);
  }
  co_return client.watch_flag->dirty.load(std::memory_order_relaxed);
}

boost::asio::awaitable<void> Exec(CommandContext& ctx) {
  ClientState& client = *ctx.client;
  if (!client.multi.active) {
    ctx.out->Error("ERR EXEC without MULTI");
    co_return;
  }
  std::vector<std::vector<std::string>> queued = std::move(client.multi.queued);
  if (client.multi.failed) {
    co_await EndTransaction(*ctx.shards, client);
    ctx.out->Error("EXECABORT Transaction discarded because of previous errors.");
    co_return;
  }
  client.multi.active = false;
  co_await HoldAllShards(*ctx.shards, true);
  if (co_await WatchedKeysChanged(ctx)) {
    ctx.out->NullArray();
  } else {
    ctx.out->ArrayHeader(queued.size());
    client.exec_holds_shards = true;
    for (const std::vector<std::string>& command : queued) {
      std::vector<std::string_view> args(command.begin(), command.end());
      CommandContext sub{args, ctx.out, &client, ctx.shards, ctx.server, nullptr, ctx.dispatcher};
      Dispatcher::Lookup(sub);
      if (!ctx.dispatcher->TryInline(sub)) co_await ctx.dispatcher->Dispatch(sub);
    }
    client.exec_holds_shards = false;
  }
  co_await HoldAllShards(*ctx.shards, false);
  co_await EndTransaction(*ctx.shards, client);
}

const CommandSpec kMultiCommands[] = {
    {"multi", 1, kTx | kCmdNoMulti, 0, 0, 0, "@fast @transaction", "transactions", "1.2.0",
     "Starts a transaction.", nullptr, Multi},
    {"exec", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog, 0, 0, 0,
     "@slow @transaction", "transactions", "1.2.0", "Executes all commands in a transaction.",
     nullptr, Exec},
    {"discard", 1, kTx, 0, 0, 0, "@fast @transaction", "transactions", "2.0.0",
     "Discards a transaction.", nullptr, Discard},
    {"watch", -2, kTx | kCmdNoMulti, 1, -1, 1, "@fast @transaction", "transactions", "2.2.0",
     "Monitors changes to keys to determine the execution of a transaction.", nullptr, Watch},
    {"unwatch", 1, kTx, 0, 0, 0, "@fast @transaction", "transactions", "2.2.0",
     "Forgets about watched keys of a transaction.", nullptr, Unwatch},
};

}  // namespace

boost::asio::awaitable<void> EndTransaction(ShardSet& shards, ClientState& client) {
  client.multi = ClientState::Multi{};
  for (const auto& [db, key] : client.watched) {
    const WatchFlag* flag = client.watch_flag.get();
    auto remove = [&, db = db, key = std::string_view(key)](Shard& s) {
      s.db(db).watches().Remove(key, flag);
    };
    co_await shards.Execute(ShardOfKey(key, shards.size()), nullptr, false, remove);
  }
  client.watched.clear();
  client.watch_flag.reset();
}

std::span<const CommandSpec> MultiFamily() { return kMultiCommands; }

}  // namespace shoal

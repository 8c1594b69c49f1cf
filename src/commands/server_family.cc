// Server-wide commands that act on the whole keyspace or the process: FLUSHDB, FLUSHALL,
// SWAPDB, SHUTDOWN, TIME, and the explicit refusals (MONITOR, LATENCY).
#include <chrono>
#include <optional>
#include <string>

#include "base/strings.h"
#include "commands/command_table.h"
#include "commands/server_api.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: every shard is locked first, so no client sees some shards
// flushed and others not. ASYNC empties the databases at once and frees the keys afterwards
// in steps (Shard::FlushLazily), so a large flush does not stall the shard's clients.
boost::asio::awaitable<void> FlushGeneric(CommandContext& ctx, bool all) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !EqualsIgnoreCase(ctx.args[1], "async") &&
                              !EqualsIgnoreCase(ctx.args[1], "sync"))) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  const bool lazy = ctx.args.size() == 2 && EqualsIgnoreCase(ctx.args[1], "async");
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddAllShards();
  co_await tx.Lock();
  int db = ctx.client->db;
  auto flush = [&](Shard& s, Db& d) {
    if (lazy) {
      s.FlushLazily(d);
    } else {
      d.Clear();
    }
  };
  auto body = [&](Shard& s) {
    if (all) {
      for (int i = 0; i < s.num_dbs(); i++) flush(s, s.db(i));
    } else {
      flush(s, s.db(db));
    }
    if (lazy) ctx.shards->StartLazyFree(s.id());
  };
  for (uint32_t s : tx.shards()) co_await tx.Run(s, body);
  ctx.out->Ok();
}
boost::asio::awaitable<void> FlushDb(CommandContext& ctx) { return FlushGeneric(ctx, false); }
boost::asio::awaitable<void> FlushAll(CommandContext& ctx) { return FlushGeneric(ctx, true); }

boost::asio::awaitable<void> SwapDb(CommandContext& ctx) {
  std::optional<int64_t> a = ParseInt64(ctx.args[1]);
  std::optional<int64_t> b = ParseInt64(ctx.args[2]);
  if (!a || !b) {
    ctx.out->Error(!a ? "ERR invalid first DB index" : "ERR invalid second DB index");
    co_return;
  }
  int n = ctx.shards->options().num_databases;
  if (*a < 0 || *a >= n || *b < 0 || *b >= n) {
    ctx.out->Error(errors::kDbIndex);
    co_return;
  }
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddAllShards();
  co_await tx.Lock();
  auto body = [&](Shard& s) {
    if (*a != *b) s.SwapDbs(static_cast<int>(*a), static_cast<int>(*b));
  };
  for (uint32_t s : tx.shards()) co_await tx.Run(s, body);
  ctx.out->Ok();
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: Shoal keeps no data on disk yet, so the save
// options change nothing; ABORT has no shutdown in progress to abort.
boost::asio::awaitable<void> Shutdown(CommandContext& ctx) {
  for (size_t i = 1; i < ctx.args.size(); i++) {
    std::string a = ToLower(ctx.args[i]);
    if (a == "abort") {
      ctx.out->Error("ERR No shutdown in progress.");
      co_return;
    }
    if (a != "nosave" && a != "save" && a != "now" && a != "force") {
      ctx.out->Error(errors::kSyntax);
      co_return;
    }
  }
  ctx.client->close_after_reply = true;
  ctx.server->Shutdown();
  co_return;
}

boost::asio::awaitable<void> Time(CommandContext& ctx) {
  using namespace std::chrono;
  int64_t us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  ctx.out->ArrayHeader(2);
  ctx.out->Bulk(std::to_string(us / 1000000));
  ctx.out->Bulk(std::to_string(us % 1000000));
  co_return;
}

boost::asio::awaitable<void> NotSupported(CommandContext& ctx) {
  ctx.out->Error("ERR " + ToLower(ctx.args[0]) + " is not supported by Shoal");
  co_return;
}

constexpr uint32_t kAdmin = kCmdAdmin | kCmdNoScript;

const CommandSpec kServerCommands[] = {
    {"flushdb", -1, kCmdWrite, 0, 0, 0, "@keyspace @write @slow @dangerous", "server", "1.0.0",
     "Removes all keys from the current database.", nullptr, FlushDb},
    {"flushall", -1, kCmdWrite, 0, 0, 0, "@keyspace @write @slow @dangerous", "server", "1.0.0",
     "Removes all keys from all databases.", nullptr, FlushAll},
    {"swapdb", 3, kCmdWrite | kCmdFast, 0, 0, 0, "@keyspace @write @fast @dangerous", "server",
     "4.0.0", "Swaps two Redis databases.", nullptr, SwapDb},
    {"shutdown", -1, kAdmin | kCmdLoading | kCmdStale | kCmdNoMulti | kCmdAllowBusy, 0, 0, 0,
     "@admin @slow @dangerous", "server", "1.0.0",
     "Synchronously saves the database(s) to disk and shuts down the Redis server.", nullptr,
     Shutdown},
    {"time", 1, kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, "@fast", "server", "2.6.0",
     "Returns the server time.", nullptr, Time},
    {"monitor", 1, kAdmin | kCmdLoading | kCmdStale, 0, 0, 0, "@admin @slow @dangerous", "server",
     "1.0.0", "Listens for all requests received by the server in real-time.", nullptr,
     NotSupported},
    {"latency", -2, kAdmin | kCmdLoading | kCmdStale, 0, 0, 0, "@admin @slow @dangerous", "server",
     "2.8.13", "A container for latency diagnostics commands.", nullptr, NotSupported},
};

}  // namespace

std::span<const CommandSpec> ServerFamily() { return kServerCommands; }

}  // namespace shoal

// SLOWLOG GET | LEN | RESET | HELP. Each shard keeps the slow commands of its own connections
// (SlowLog, owned by the Dispatcher that timed them, reached as ctx.dispatcher->slowlog());
// GET and LEN merge the shards' rings, newest first, up to slowlog-max-len entries in all.
// Runs on the connection's thread; every ring is read or cleared by a hop to its shard.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "commands/dispatcher.h"
#include "commands/introspection_commands.h"
#include "commands/slow_log.h"
#include "commands/subcommands.h"

namespace shoal {
namespace {

using Awaitable = boost::asio::awaitable<void>;

// The slow log of the dispatcher running the command; nullptr when the context has no
// dispatcher (then SLOWLOG sees an empty log).
SlowLog* SlowLogOf(CommandContext& ctx) {
  return ctx.dispatcher != nullptr ? &ctx.dispatcher->slowlog() : nullptr;
}

// slowlog-max-len (0 without a slow log).
size_t MaxLen(const SlowLog* log) { return log != nullptr ? log->max_len() : 0; }

Awaitable SlowLogGet(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.args.size() > 3) {
    SubcommandSyntaxError(ctx);
    co_return;
  }
  if (ctx.args.size() == 3) {
    std::optional<int64_t> v = ParseInt64(ctx.args[2]);
    if (!v || *v < -1) {
      ctx.out->Error("ERR count should be greater than or equal to -1");
      co_return;
    }
    count = *v;
  }
  SlowLog* log = SlowLogOf(ctx);
  std::vector<SlowLogEntry> entries;
  if (log != nullptr) {
    auto body = [&](Shard& shard) {
      for (const SlowLogEntry& e : log->entries(shard.id())) entries.push_back(e);
    };
    co_await ctx.shards->ForEachShard(body);
  }
  std::sort(entries.begin(), entries.end(),
            [](const SlowLogEntry& a, const SlowLogEntry& b) { return a.id > b.id; });
  size_t n = std::min(entries.size(), MaxLen(log));
  if (count >= 0) n = std::min(n, static_cast<size_t>(count));
  ctx.out->ArrayHeader(n);
  for (size_t i = 0; i < n; i++) {
    const SlowLogEntry& e = entries[i];
    ctx.out->ArrayHeader(6);
    ctx.out->Integer(static_cast<int64_t>(e.id));
    ctx.out->Integer(e.unix_time_s);
    ctx.out->Integer(e.duration_us);
    ctx.out->ArrayHeader(e.args.size());
    for (const std::string& a : e.args) ctx.out->Bulk(a);
    ctx.out->Bulk(e.client_addr);
    ctx.out->Bulk(e.client_name);
  }
}

Awaitable SlowLogLen(CommandContext& ctx) {
  SlowLog* log = SlowLogOf(ctx);
  size_t total = 0;
  if (log != nullptr) {
    auto body = [&](Shard& shard) { total += log->entries(shard.id()).size(); };
    co_await ctx.shards->ForEachShard(body);
  }
  ctx.out->Integer(static_cast<int64_t>(std::min(total, MaxLen(log))));
}

Awaitable SlowLogReset(CommandContext& ctx) {
  SlowLog* log = SlowLogOf(ctx);
  if (log != nullptr) {
    auto body = [&](Shard& shard) { log->entries(shard.id()).clear(); };
    co_await ctx.shards->ForEachShard(body);
  }
  ctx.out->Ok();
}

Awaitable SlowLogHelp(CommandContext& ctx) {
  ReplyHelp(ctx.out, "SLOWLOG",
            {"GET [<count>]",
             "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
             "    Entries are made of:",
             "    id, timestamp, time in microseconds, arguments array, client IP and port,",
             "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
             "    Reset the slowlog."});
  co_return;
}

constexpr Subcommand kSlowLogSubs[] = {
    {"get", -2, SlowLogGet},
    {"len", 2, SlowLogLen},
    {"reset", 2, SlowLogReset},
    {"help", 2, SlowLogHelp},
};

}  // namespace

namespace introspection {

Awaitable SlowLog(CommandContext& ctx) { return RunSubcommand(ctx, kSlowLogSubs); }

}  // namespace introspection
}  // namespace shoal

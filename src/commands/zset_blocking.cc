// BZPOPMIN, BZPOPMAX and BZMPOP (docs/blocking.md): ZPOPMIN/ZPOPMAX/ZMPOP that, when every
// key is empty, block until one of them receives members (commands/blocking.h).
#include <memory>
#include <optional>
#include <string_view>

#include "commands/blocking.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "commands/zset_commands.h"

namespace shoal {
namespace {

// Pops `count` from the first non-empty key of `keys` (or blocks); reply(out, key, popped).
boost::asio::awaitable<void> PopScoredOrBlock(
    CommandContext& ctx, std::span<const std::string_view> keys, bool max, size_t count,
    int64_t timeout_ms, void (*reply)(ReplySink&, std::string_view, const Scored&)) {
  auto popped = std::make_shared<Scored>();
  auto pop = [popped, max, count](Db& db, Entry* e) { *popped = PopScored(db, e, max, count); };
  co_await PopFirstOrBlock(
      ctx, keys, ValueType::kZSet, timeout_ms, pop,
      [&](std::string_view key) { reply(*ctx.out, key, *popped); }, &ReplySink::NullArray);
}

// BZPOPMIN's reply: [key, member, score].
void ReplyOnePopped(ReplySink& out, std::string_view key, const Scored& popped) {
  out.ArrayHeader(3);
  out.Bulk(key);
  out.Bulk(popped[0].first);
  out.Double(popped[0].second);
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout
boost::asio::awaitable<void> BZPop(CommandContext& ctx, bool max) {
  std::optional<int64_t> timeout = ParseBlockTimeout(ctx.args.back(), *ctx.out);
  if (!timeout) co_return;
  co_await PopScoredOrBlock(ctx, ctx.args.subspan(1, ctx.args.size() - 2), max, 1, *timeout,
                            ReplyOnePopped);
}

constexpr std::string_view kZBlocking = "@write @sortedset @slow @blocking";

const CommandSpec kZSetBlockingCommands[] = {
    {"bzpopmin", -3, kCmdWrite | kCmdNoScript | kCmdFast | kCmdBlocking, 1, -2, 1, kZBlocking,
     "sorted_set", "5.0.0",
     "Removes and returns the member with the lowest score from one or more sorted sets. Blocks "
     "until a member is available otherwise. Deletes the sorted set if the last element was "
     "popped.",
     nullptr, BZPopMin},
    {"bzpopmax", -3, kCmdWrite | kCmdNoScript | kCmdFast | kCmdBlocking, 1, -2, 1, kZBlocking,
     "sorted_set", "5.0.0",
     "Removes and returns the member with the highest score from one or more sorted sets. "
     "Blocks until a member available otherwise.  Deletes the sorted set if the last element "
     "was popped.",
     nullptr, BZPopMax},
    {"bzmpop", -5, kCmdWrite | kCmdBlocking, 0, 0, 0, kZBlocking, "sorted_set", "7.0.0",
     "Removes and returns a member by score from one or more sorted sets. Blocks until a member "
     "is available otherwise. Deletes the sorted set if the last element was popped.",
     nullptr, BZMPop},
};

}  // namespace

boost::asio::awaitable<void> BZPopMin(CommandContext& ctx) { return BZPop(ctx, false); }
boost::asio::awaitable<void> BZPopMax(CommandContext& ctx) { return BZPop(ctx, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
boost::asio::awaitable<void> BZMPop(CommandContext& ctx) {
  std::optional<int64_t> timeout = ParseBlockTimeout(ctx.args[1], *ctx.out);
  if (!timeout) co_return;
  std::optional<MPopArgs> a = ParseMPopArgs(ctx.args.subspan(1), "min", "max", *ctx.out);
  if (!a) co_return;
  co_await PopScoredOrBlock(ctx, a->keys, a->second, a->count, *timeout, ReplyMPopped);
}

std::span<const CommandSpec> ZSetBlockingFamily() { return kZSetBlockingCommands; }

}  // namespace shoal

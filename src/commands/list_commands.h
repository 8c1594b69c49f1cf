// What the list commands share between list_family.cc (the table and the non-blocking
// commands) and list_blocking.cc (BLPOP & co). Shard-thread only, like every handler.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "core/list_object.h"
#include "engine/transaction.h"

namespace shoal {

// LEFT / RIGHT (any case) as a list end.
std::optional<ListObject::End> ParseEnd(std::string_view s);

// Pops up to `n` elements from `end` of the list in `e` (accounted; an emptied list is
// deleted, so `e` must not be used after).
std::vector<std::string> PopElements(Db& db, Entry* e, ListObject::End end, size_t n);
// Pushes `v` at `end` of the list `key`, created when missing (the key must not hold another
// type).
void PushElement(Shard& shard, Db& db, std::string_view key, ListObject::End end,
                 std::string_view v);

// LMOVE's work under `tx`, which has `src` and `dst` locked exclusively. Returns false when
// the source does not exist: nothing is replied and the locks are kept. Otherwise the reply is
// written and every lock released.
boost::asio::awaitable<bool> MoveUnderLock(CommandContext& ctx, Transaction& tx,
                                           std::string_view src, std::string_view dst,
                                           ListObject::End from, ListObject::End to);

// The blocking commands (list_blocking.cc).
boost::asio::awaitable<void> BLPop(CommandContext& ctx);
boost::asio::awaitable<void> BRPop(CommandContext& ctx);
boost::asio::awaitable<void> BLMPop(CommandContext& ctx);
boost::asio::awaitable<void> BLMove(CommandContext& ctx);
boost::asio::awaitable<void> BRPopLPush(CommandContext& ctx);

}  // namespace shoal

// What the sorted set command files share (zset_family.cc: the single-key commands,
// zset_multi_key.cc: the commands over several keys, zset_blocking.cc: BZPOPMIN & co; the
// GEO commands store through StoreZSet). Shard-thread only, like every handler.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/command.h"
#include "core/entry.h"
#include "engine/db.h"

namespace shoal {

// Members with their scores, in the order they were taken.
using Scored = std::vector<std::pair<std::string, double>>;

// Pops up to `count` members from the low (or, with `max`, the high) end of the sorted set
// in `e`, lowest (highest) first; accounted, and an emptied set is deleted, so `e` must not
// be used after.
Scored PopScored(Db& db, Entry* e, bool max, size_t count);

// ZMPOP's reply: [key, [[member, score], ...]].
void ReplyMPopped(ReplySink& out, std::string_view key, const Scored& popped);

// Replaces whatever `key` holds with a sorted set of `members` (deleted when empty). On the
// key's shard; the caller holds the key's lock (ZUNIONSTORE & co, GEOSEARCHSTORE).
void StoreZSet(Shard& shard, Db& db, std::string_view key, const Scored& members);

// The blocking pops (zset_blocking.cc).
boost::asio::awaitable<void> BZPopMin(CommandContext& ctx);
boost::asio::awaitable<void> BZPopMax(CommandContext& ctx);
boost::asio::awaitable<void> BZMPop(CommandContext& ctx);

}  // namespace shoal

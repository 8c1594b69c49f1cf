// The coordinator handlers of the introspection and administration commands, one file each:
// INFO (info_command.cc), CONFIG (config_command.cc), COMMAND (command_command.cc), CLIENT
// (client_command.cc), SLOWLOG (slowlog_command.cc). introspection_family.cc puts them in the
// command table. Replies and error texts follow Redis 7.0.
//
// They run as coroutines on the connection's thread; whatever lives on other shards is read
// or changed by a hop to that shard, never directly.
//
// The handlers live in namespace `introspection` so that `introspection::SlowLog` (the SLOWLOG
// handler) does not collide with the `SlowLog` class of commands/slow_log.h.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "commands/command.h"

namespace shoal::introspection {

boost::asio::awaitable<void> Info(CommandContext& ctx);
boost::asio::awaitable<void> Config(CommandContext& ctx);
boost::asio::awaitable<void> Command(CommandContext& ctx);
boost::asio::awaitable<void> Client(CommandContext& ctx);
boost::asio::awaitable<void> SlowLog(CommandContext& ctx);

// Forgets what INFO derives over time (used_memory_peak, the instantaneous_ops_per_sec
// sample): CONFIG RESETSTAT. Any thread.
void ResetInfoHistory();

}  // namespace shoal::introspection

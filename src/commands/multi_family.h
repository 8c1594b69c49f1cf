// Transactions (MULTI/EXEC/DISCARD/WATCH/UNWATCH): docs/transactions.md. The queueing itself
// happens in the Dispatcher (Queue), the execution here.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "commands/command.h"

namespace shoal {

// Forgets the client's queued transaction and unregisters its WATCHed keys from their shards
// (EXEC, DISCARD, RESET and disconnection). Runs on the client's shard thread.
boost::asio::awaitable<void> EndTransaction(ShardSet& shards, ClientState& client);

}  // namespace shoal

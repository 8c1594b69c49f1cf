// The command table entries of the introspection and administration commands: INFO, CONFIG,
// COMMAND, CLIENT, SLOWLOG. Their handlers live one command per file (see
// commands/introspection_commands.h).
#include <span>

#include "commands/command_table.h"
#include "commands/introspection_commands.h"

namespace shoal {
namespace {

// Flags and categories as Redis 7.0 reports the container commands and INFO.
const CommandSpec kIntrospectionCommands[] = {
    {"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, "@slow @dangerous", "server", "1.0.0",
     "Returns information and statistics about the server.", nullptr, introspection::Info},
    {"config", -2, 0, 0, 0, 0, "@slow", "server", "2.0.0",
     "A container for server configuration commands.", nullptr, introspection::Config},
    {"command", -1, kCmdLoading | kCmdStale, 0, 0, 0, "@slow @connection", "server", "2.8.13",
     "Returns detailed information about all commands.", nullptr, introspection::Command},
    {"client", -2, 0, 0, 0, 0, "@slow", "connection", "2.4.0",
     "A container for client connection commands.", nullptr, introspection::Client},
    {"slowlog", -2, 0, 0, 0, 0, "@slow", "server", "2.2.12", "A container for slow log commands.",
     nullptr, introspection::SlowLog},
};

}  // namespace

std::span<const CommandSpec> IntrospectionFamily() { return kIntrospectionCommands; }

}  // namespace shoal

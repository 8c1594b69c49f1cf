// What the container commands (CONFIG, CLIENT, COMMAND, SLOWLOG) share: the subcommand table
// entry, the lookup that runs one with Redis's errors, HELP replies, and the sanitizing of
// what an error line echoes. Pure helpers: they touch nothing but the CommandContext they get,
// on the calling (connection's) thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "commands/command.h"

namespace shoal {

using SubHandler = boost::asio::awaitable<void> (*)(CommandContext& ctx);

// A subcommand of a container command (CONFIG GET, CLIENT LIST, ...). `arity` counts every
// argument, the container's name included, as Redis's "config|get" entry does.
struct Subcommand {
  std::string_view name;
  int arity;
  SubHandler handler;
};

// ASCII upper case.
std::string UpperCase(std::string_view s);

// Redis sanitizes what it echoes in an error line: at most 128 bytes, CR and LF become spaces.
std::string Sanitized(std::string_view s);

// Finds the subcommand named by args[1], checks its arity and runs it; replies the errors
// Redis replies for an unknown subcommand or a wrong number of arguments.
boost::asio::awaitable<void> RunSubcommand(CommandContext& ctx, std::span<const Subcommand> subs);

// "ERR unknown subcommand or wrong number of arguments for 'x'. Try CMD HELP."
void SubcommandSyntaxError(CommandContext& ctx);

// The reply of `<command> HELP`: the header line, `lines`, then HELP's own two lines.
void ReplyHelp(ReplySink* out, std::string_view command,
               std::initializer_list<std::string_view> lines);

}  // namespace shoal

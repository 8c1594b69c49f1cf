#include "commands/subcommands.h"

#include "base/strings.h"

namespace shoal {

std::string UpperCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

std::string Sanitized(std::string_view s) {
  std::string out(s.substr(0, 128));
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

boost::asio::awaitable<void> RunSubcommand(CommandContext& ctx, std::span<const Subcommand> subs) {
  for (const Subcommand& sub : subs) {
    if (!EqualsIgnoreCase(sub.name, ctx.args[1])) continue;
    int argc = static_cast<int>(ctx.args.size());
    if ((sub.arity > 0 && argc != sub.arity) || (sub.arity < 0 && argc < -sub.arity)) {
      ctx.out->Error("ERR wrong number of arguments for '" + ToLower(ctx.args[0]) + "|" +
                     std::string(sub.name) + "' command");
      co_return;
    }
    co_await sub.handler(ctx);
    co_return;
  }
  ctx.out->Error("ERR unknown subcommand '" + Sanitized(ctx.args[1]) + "'. Try " +
                 UpperCase(ctx.args[0]) + " HELP.");
}

void SubcommandSyntaxError(CommandContext& ctx) {
  ctx.out->Error("ERR unknown subcommand or wrong number of arguments for '" +
                 Sanitized(ctx.args[1]) + "'. Try " + UpperCase(ctx.args[0]) + " HELP.");
}

void ReplyHelp(ReplySink* out, std::string_view command,
               std::initializer_list<std::string_view> lines) {
  out->ArrayHeader(lines.size() + 3);
  out->SimpleString(std::string(command) +
                    " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) out->SimpleString(line);
  out->SimpleString("HELP");
  out->SimpleString("    Prints this help.");
}

}  // namespace shoal

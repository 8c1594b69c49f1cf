// CONFIG GET | SET | RESETSTAT | REWRITE | HELP, with Redis 7.0's replies and error texts.
// Runs as a coordinator handler on the connection's thread; the parameters themselves live in
// the server's ConfigRegistry (reached through ServerApi), the counters RESETSTAT clears on
// their shards (by hops).
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/strings.h"
#include "commands/introspection_commands.h"
#include "commands/server_api.h"
#include "commands/subcommands.h"

namespace shoal {
namespace {

using Awaitable = boost::asio::awaitable<void>;

bool HasGlobChars(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

bool ConfigExists(ServerApi* server, std::string_view name) {
  if (HasGlobChars(name)) return false;
  std::string_view pattern[] = {name};
  for (auto& [n, v] : server->ConfigGet(pattern)) {
    if (EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

// Registry messages carry no error code; Redis's CONFIG errors are all "ERR".
std::string ErrLine(const std::string& message) {
  return message.starts_with("ERR ") ? message : "ERR " + message;
}

// CONFIG GET pattern [pattern ...]: a name without glob characters is echoed as given (as
// Redis does); each parameter appears once.
Awaitable ConfigGetCmd(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> result;
  std::vector<std::string> seen;
  auto add = [&](std::string reported, std::string canonical, std::string value) {
    canonical = ToLower(canonical);
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) return;
    seen.push_back(std::move(canonical));
    result.emplace_back(std::move(reported), std::move(value));
  };
  for (size_t i = 2; i < ctx.args.size(); i++) {
    std::string_view pattern[] = {ctx.args[i]};
    for (auto& [name, value] : ctx.server->ConfigGet(pattern)) {
      if (HasGlobChars(ctx.args[i])) {
        add(name, name, value);
      } else if (EqualsIgnoreCase(name, ctx.args[i])) {
        add(std::string(ctx.args[i]), name, value);
      }
    }
  }
  ctx.out->MapHeader(result.size());
  for (const auto& [name, value] : result) {
    ctx.out->Bulk(name);
    ctx.out->Bulk(value);
  }
  co_return;
}

// CONFIG SET name value [name value ...]: all or nothing (ServerApi::ConfigSet). Unknown and
// repeated names are refused before anything changes, as Redis.
Awaitable ConfigSetCmd(CommandContext& ctx) {
  if ((ctx.args.size() - 2) % 2 != 0) {  // fewer than one pair is an arity error already
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    std::string_view name = ctx.args[i];
    if (!ConfigExists(ctx.server, name)) {
      ctx.out->Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                     Sanitized(name) + "'");
      co_return;
    }
    for (const auto& [earlier, value] : pairs) {
      if (EqualsIgnoreCase(earlier, name)) {
        ctx.out->Error("ERR CONFIG SET failed (possibly related to argument '" + Sanitized(name) +
                       "') - duplicate parameter");
        co_return;
      }
    }
    pairs.emplace_back(name, ctx.args[i + 1]);
  }
  Status s = ctx.server->ConfigSet(pairs);
  if (s.ok()) {
    ctx.out->Ok();
  } else {
    ctx.out->Error(ErrLine(s.message()));
  }
}

// CONFIG RESETSTAT: the server's counters, every shard's event counters, and what INFO
// derives from them (peak memory, ops/sec sample). The slow log stays, as in Redis.
Awaitable ConfigResetStat(CommandContext& ctx) {
  ctx.server->ResetStats();
  auto body = [](Shard& shard) { shard.stats().ResetCounters(); };
  co_await ctx.shards->ForEachShard(body);
  introspection::ResetInfoHistory();
  ctx.out->Ok();
}

Awaitable ConfigRewrite(CommandContext& ctx) {
  Status s = ctx.server->ConfigRewrite();
  if (s.ok()) {
    ctx.out->Ok();
  } else {
    ctx.out->Error(ErrLine(s.message()));
  }
  co_return;
}

Awaitable ConfigHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx.out, "CONFIG",
      {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
       "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
       "    Reset statistics reported by the INFO command.", "REWRITE",
       "    Rewrite the configuration file."});
  co_return;
}

constexpr Subcommand kConfigSubs[] = {
    {"get", -3, ConfigGetCmd},     {"set", -4, ConfigSetCmd}, {"resetstat", 2, ConfigResetStat},
    {"rewrite", 2, ConfigRewrite}, {"help", 2, ConfigHelp},
};

}  // namespace

namespace introspection {

Awaitable Config(CommandContext& ctx) { return RunSubcommand(ctx, kConfigSubs); }

}  // namespace introspection
}  // namespace shoal

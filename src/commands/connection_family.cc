// The connection commands (Redis "connection" group except CLIENT): PING, ECHO, QUIT, RESET,
// SELECT, HELLO, AUTH. They touch only the client's own state, on its own thread.
#include <optional>
#include <string>

#include "base/strings.h"
#include "commands/command_table.h"
#include "commands/multi_family.h"
#include "commands/server_api.h"
#include "commands/value_helpers.h"

namespace shoal {
namespace {

boost::asio::awaitable<void> Ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.out->Error("ERR wrong number of arguments for 'ping' command");
  } else if (ctx.args.size() == 2) {
    ctx.out->Bulk(ctx.args[1]);
  } else {
    ctx.out->SimpleString("PONG");
  }
  co_return;
}

boost::asio::awaitable<void> Echo(CommandContext& ctx) {
  ctx.out->Bulk(ctx.args[1]);
  co_return;
}

boost::asio::awaitable<void> Quit(CommandContext& ctx) {
  ctx.client->close_after_reply = true;
  ctx.out->Ok();
  co_return;
}

boost::asio::awaitable<void> Reset(CommandContext& ctx) {
  ClientState& c = *ctx.client;
  co_await EndTransaction(*ctx.shards, c);
  c.db = 0;
  c.resp = 2;
  c.name.clear();
  c.reply_mode = ClientState::ReplyMode::kOn;
  c.no_evict = false;
  c.authenticated = !ctx.server->auth_required();
  ctx.out->SimpleString("RESET");
  co_return;
}

boost::asio::awaitable<void> Select(CommandContext& ctx) {
  std::optional<int> v = ParseIntArg(ctx.args[1], *ctx.out);
  if (!v) co_return;
  if (*v < 0 || *v >= ctx.shards->options().num_databases) {
    ctx.out->Error(errors::kDbIndex);
  } else {
    ctx.client->db = *v;
    ctx.out->Ok();
  }
  co_return;
}

// Checks credentials the way AUTH and HELLO AUTH do; writes the error when they fail.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password,
                  bool password_only) {
  // The default user has no password until requirepass sets one: "AUTH <user> <pass>" then
  // succeeds for it, while the old one-argument form is refused as in Redis.
  if (!ctx.server->auth_required() && password_only) {
    ctx.out->Error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
    return false;
  }
  if (!ctx.server->CheckPassword(user, password)) {
    ctx.out->Error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  ctx.client->authenticated = true;
  return true;
}

boost::asio::awaitable<void> Auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  std::string_view user = ctx.args.size() == 3 ? ctx.args[1] : "default";
  if (Authenticate(ctx, user, ctx.args.back(), ctx.args.size() == 2)) ctx.out->Ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
boost::asio::awaitable<void> Hello(CommandContext& ctx) {
  int proto = ctx.client->resp;
  size_t i = 1;
  if (ctx.args.size() >= 2) {
    std::optional<int64_t> v = ParseInt64(ctx.args[1]);
    if (!v) {
      ctx.out->Error("ERR Protocol version is not an integer or out of range");
      co_return;
    }
    if (*v != 2 && *v != 3) {
      ctx.out->Error("NOPROTO unsupported protocol version");
      co_return;
    }
    proto = static_cast<int>(*v);
    i = 2;
  }
  std::optional<std::string> setname;
  for (; i < ctx.args.size(); i++) {
    size_t more = ctx.args.size() - i - 1;
    if (EqualsIgnoreCase(ctx.args[i], "auth") && more >= 2) {
      if (!Authenticate(ctx, ctx.args[i + 1], ctx.args[i + 2], false)) co_return;
      i += 2;
    } else if (EqualsIgnoreCase(ctx.args[i], "setname") && more >= 1) {
      setname = std::string(ctx.args[++i]);
    } else {
      ctx.out->Error("ERR Syntax error in HELLO option '" + std::string(ctx.args[i]) + "'");
      co_return;
    }
  }
  if (ctx.server->auth_required() && !ctx.client->authenticated) {
    ctx.out->Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time");
    co_return;
  }
  if (setname) {
    if (setname->find_first_of(" \n") != std::string::npos) {
      ctx.out->Error("ERR Client names cannot contain spaces, newlines or special characters.");
      co_return;
    }
    ctx.client->name = *setname;
  }
  ctx.client->resp = proto;
  ctx.out->set_protocol_version(proto);
  ctx.out->MapHeader(7);
  ctx.out->Bulk("server");
  ctx.out->Bulk("redis");
  ctx.out->Bulk("version");
  ctx.out->Bulk(ctx.server->facts().version);
  ctx.out->Bulk("proto");
  ctx.out->Integer(proto);
  ctx.out->Bulk("id");
  ctx.out->Integer(static_cast<int64_t>(ctx.client->id));
  ctx.out->Bulk("mode");
  ctx.out->Bulk("standalone");
  ctx.out->Bulk("role");
  ctx.out->Bulk("master");
  ctx.out->Bulk("modules");
  ctx.out->ArrayHeader(0);
}

constexpr uint32_t kConn = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast;

const CommandSpec kConnectionCommands[] = {
    {"ping", -1, kCmdFast, 0, 0, 0, "@fast @connection", "connection", "1.0.0",
     "Returns the server's liveliness response.", nullptr, Ping},
    {"echo", 2, kCmdFast, 0, 0, 0, "@fast @connection", "connection", "1.0.0",
     "Returns the given string.", nullptr, Echo},
    {"quit", -1, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, "@fast @connection", "connection",
     "1.0.0", "Closes the connection.", nullptr, Quit},
    {"reset", 1, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, "@fast @connection", "connection",
     "6.2.0", "Resets the connection.", nullptr, Reset},
    {"select", 2, kConn, 0, 0, 0, "@fast @connection", "connection", "1.0.0",
     "Changes the selected database.", nullptr, Select},
    {"auth", -2, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, "@fast @connection", "connection",
     "1.0.0", "Authenticates the connection.", nullptr, Auth},
    {"hello", -1, kConn | kCmdNoAuth | kCmdAllowBusy, 0, 0, 0, "@fast @connection", "connection",
     "6.0.0", "Handshakes with the Redis server.", nullptr, Hello},
};

}  // namespace

std::span<const CommandSpec> ConnectionFamily() { return kConnectionCommands; }

}  // namespace shoal

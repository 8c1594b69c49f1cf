// CLIENT ID | SETNAME | GETNAME | SETINFO | LIST | INFO | KILL | PAUSE | UNPAUSE | REPLY |
// NO-EVICT | GETREDIR | UNBLOCK | HELP, with Redis 7.0's replies and error texts. Runs as a
// coordinator handler on the connection's thread; the clients other shards accepted are read
// (LIST) or closed (KILL) by a hop to their shard, never directly.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/strings.h"
#include "commands/introspection_commands.h"
#include "commands/server_api.h"
#include "commands/subcommands.h"

namespace shoal {
namespace {

using Awaitable = boost::asio::awaitable<void>;

// Redis's validateClientName: printable ASCII without spaces.
bool ValidClientAttr(std::string_view s) {
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

enum class ClientType { kNormal, kReplica, kMaster, kPubSub };

std::optional<ClientType> ParseClientType(std::string_view name) {
  if (EqualsIgnoreCase(name, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(name, "slave") || EqualsIgnoreCase(name, "replica")) {
    return ClientType::kReplica;
  }
  if (EqualsIgnoreCase(name, "master")) return ClientType::kMaster;
  if (EqualsIgnoreCase(name, "pubsub")) return ClientType::kPubSub;
  return std::nullopt;
}

// One CLIENT LIST line (without the newline), in Redis 7.0's field order; the fields Shoal
// does not track (buffers, memory, fd) read 0 / -1. `current_cmd` overrides cmd= for the
// client running CLIENT LIST / INFO itself.
std::string ClientLine(const ClientState& c, int64_t now_ms, std::string_view current_cmd = {}) {
  std::string flags;
  if (c.unblock) flags += 'b';  // waiting in a blocking command
  if (c.close_after_reply) flags += 'c';
  if (c.killed) flags += 'A';
  if (c.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  std::string_view cmd = !current_cmd.empty()     ? current_cmd
                         : c.last_command.empty() ? std::string_view("NULL")
                                                  : std::string_view(c.last_command);
  return fmt::format(
      "id={} addr={} laddr={} fd=-1 name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 "
      "multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 "
      "tot-mem=0 events=r cmd={} user=default redir=-1 resp={} lib-name={} lib-ver={}",
      c.id, c.addr, c.laddr, c.name, std::max<int64_t>(0, (now_ms - c.created_ms) / 1000),
      std::max<int64_t>(0, (now_ms - c.last_interaction_ms) / 1000), flags, c.db, cmd, c.resp,
      c.lib_name, c.lib_ver);
}

Awaitable ClientId(CommandContext& ctx) {
  ctx.out->Integer(static_cast<int64_t>(ctx.client->id));
  co_return;
}

Awaitable ClientSetName(CommandContext& ctx) {
  if (!ValidClientAttr(ctx.args[2])) {
    ctx.out->Error("ERR Client names cannot contain spaces, newlines or special characters.");
    co_return;
  }
  ctx.client->name = std::string(ctx.args[2]);
  ctx.out->Ok();
}

Awaitable ClientGetName(CommandContext& ctx) {
  if (ctx.client->name.empty()) {
    ctx.out->Null();
  } else {
    ctx.out->Bulk(ctx.client->name);
  }
  co_return;
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2).
Awaitable ClientSetInfo(CommandContext& ctx) {
  std::string* dest;
  if (EqualsIgnoreCase(ctx.args[2], "lib-name")) {
    dest = &ctx.client->lib_name;
  } else if (EqualsIgnoreCase(ctx.args[2], "lib-ver")) {
    dest = &ctx.client->lib_ver;
  } else {
    ctx.out->Error("ERR Unrecognized option '" + Sanitized(ctx.args[2]) + "'");
    co_return;
  }
  if (!ValidClientAttr(ctx.args[3])) {
    ctx.out->Error("ERR " + Sanitized(ctx.args[2]) +
                   " cannot contain spaces, newlines or special characters.");
    co_return;
  }
  *dest = std::string(ctx.args[3]);
  ctx.out->Ok();
}

// CLIENT LIST [TYPE type | ID id [id ...]]: every shard's clients, by id.
Awaitable ClientList(CommandContext& ctx) {
  std::optional<ClientType> type;
  std::vector<uint64_t> ids;
  bool by_id = false;
  if (ctx.args.size() == 4 && EqualsIgnoreCase(ctx.args[2], "type")) {
    type = ParseClientType(ctx.args[3]);
    if (!type) {
      ctx.out->Error("ERR Unknown client type '" + Sanitized(ctx.args[3]) + "'");
      co_return;
    }
  } else if (ctx.args.size() >= 4 && EqualsIgnoreCase(ctx.args[2], "id")) {
    by_id = true;
    for (size_t i = 3; i < ctx.args.size(); i++) {
      std::optional<int64_t> id = ParseInt64(ctx.args[i]);
      if (!id || *id < 1) {
        ctx.out->Error("ERR Invalid client ID");
        co_return;
      }
      ids.push_back(static_cast<uint64_t>(*id));
    }
  } else if (ctx.args.size() != 2) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  // Every Shoal client is a normal one (no replicas, masters or pub/sub-only clients yet).
  std::vector<std::pair<uint64_t, std::string>> lines;
  if (!type || *type == ClientType::kNormal) {
    int64_t now = SystemClock::Instance().NowMs();
    const ClientState* self = ctx.client;
    auto body = [&](Shard& shard) {
      for (ClientHandle& h : ctx.server->clients(shard.id()).all()) {
        const ClientState& c = *h.state;
        if (by_id && std::find(ids.begin(), ids.end(), c.id) == ids.end()) continue;
        lines.emplace_back(c.id, ClientLine(c, now, &c == self ? "client|list" : ""));
      }
    };
    co_await ctx.shards->ForEachShard(body);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& [id, line] : lines) {
    out += line;
    out += '\n';
  }
  ctx.out->Verbatim("txt", out);
}

Awaitable ClientInfo(CommandContext& ctx) {
  ctx.out->Verbatim("txt",
                    ClientLine(*ctx.client, SystemClock::Instance().NowMs(), "client|info") + "\n");
  co_return;
}

// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [ADDR a] [LADDR a] [USER u]
// [SKIPME yes|no]. Other clients are closed on their own shard (by a hop); the caller itself
// is closed after its reply.
Awaitable ClientKill(CommandContext& ctx) {
  uint64_t id = 0;
  std::optional<ClientType> type;
  std::string_view addr, laddr;
  bool skipme = true;
  bool old_form = ctx.args.size() == 3;
  if (old_form) {
    addr = ctx.args[2];
    skipme = false;
  } else {
    for (size_t i = 2; i < ctx.args.size(); i += 2) {
      bool more = i + 1 < ctx.args.size();
      std::string_view opt = ctx.args[i];
      if (!more) {
        ctx.out->Error(errors::kSyntax);
        co_return;
      }
      std::string_view val = ctx.args[i + 1];
      if (EqualsIgnoreCase(opt, "id")) {
        std::optional<int64_t> v = ParseInt64(val);
        if (!v || *v <= 0) {
          ctx.out->Error("ERR client-id should be greater than 0");
          co_return;
        }
        id = static_cast<uint64_t>(*v);
      } else if (EqualsIgnoreCase(opt, "type")) {
        type = ParseClientType(val);
        if (!type) {
          ctx.out->Error("ERR Unknown client type '" + Sanitized(val) + "'");
          co_return;
        }
      } else if (EqualsIgnoreCase(opt, "addr")) {
        addr = val;
      } else if (EqualsIgnoreCase(opt, "laddr")) {
        laddr = val;
      } else if (EqualsIgnoreCase(opt, "user")) {
        if (val != "default") {
          ctx.out->Error("ERR No such user '" + Sanitized(val) + "'");
          co_return;
        }
      } else if (EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(val, "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(val, "no")) {
          skipme = false;
        } else {
          ctx.out->Error(errors::kSyntax);
          co_return;
        }
      } else {
        ctx.out->Error(errors::kSyntax);
        co_return;
      }
    }
  }
  int64_t killed = 0;
  if (!type || *type == ClientType::kNormal) {
    ClientState* self = ctx.client;
    auto body = [&](Shard& shard) {
      for (ClientHandle& h : ctx.server->clients(shard.id()).all()) {
        ClientState& c = *h.state;
        if (id != 0 && c.id != id) continue;
        if (!addr.empty() && c.addr != addr) continue;
        if (!laddr.empty() && c.laddr != laddr) continue;
        if (&c == self) {
          if (skipme) continue;
          c.close_after_reply = true;
        } else if (!c.killed) {
          c.killed = true;
          h.close();
        } else {
          continue;
        }
        killed++;
      }
    };
    co_await ctx.shards->ForEachShard(body);
  }
  if (!old_form) {
    ctx.out->Integer(killed);
  } else if (killed == 0) {
    ctx.out->Error("ERR No such client");
  } else {
    ctx.out->Ok();
  }
}

// CLIENT PAUSE timeout [WRITE|ALL]
Awaitable ClientPause(CommandContext& ctx) {
  std::optional<int64_t> timeout = ParseInt64(ctx.args[2]);
  if (!timeout) {
    ctx.out->Error("ERR timeout is not an integer or out of range");
    co_return;
  }
  if (*timeout < 0) {
    ctx.out->Error("ERR timeout is negative");
    co_return;
  }
  bool writes_only = false;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "write")) {
      writes_only = true;
    } else if (!EqualsIgnoreCase(ctx.args[3], "all")) {
      ctx.out->Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      co_return;
    }
  } else if (ctx.args.size() > 4) {
    SubcommandSyntaxError(ctx);
    co_return;
  }
  int64_t now = SystemClock::Instance().NowMs();
  int64_t until = *timeout > INT64_MAX - now ? INT64_MAX : now + *timeout;
  ctx.server->PauseClients(until, writes_only);
  ctx.out->Ok();
}

Awaitable ClientUnpause(CommandContext& ctx) {
  ctx.server->UnpauseClients();
  ctx.out->Ok();
  co_return;
}

// CLIENT REPLY ON|OFF|SKIP: the connection drops the replies the mode says; OFF and SKIP
// themselves reply nothing.
Awaitable ClientReply(CommandContext& ctx) {
  using Mode = ClientState::ReplyMode;
  std::string_view mode = ctx.args[2];
  if (EqualsIgnoreCase(mode, "on")) {
    ctx.client->reply_mode = Mode::kOn;
    ctx.out->Ok();
  } else if (EqualsIgnoreCase(mode, "off")) {
    ctx.client->reply_mode = Mode::kOff;
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (ctx.client->reply_mode == Mode::kOn) ctx.client->reply_mode = Mode::kSkipNext;
  } else {
    ctx.out->Error(errors::kSyntax);
  }
  co_return;
}

Awaitable ClientNoEvict(CommandContext& ctx) {
  if (EqualsIgnoreCase(ctx.args[2], "on")) {
    ctx.client->no_evict = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "off")) {
    ctx.client->no_evict = false;
  } else {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  ctx.out->Ok();
}

// Shoal has no client-side caching: no redirection.
Awaitable ClientGetRedir(CommandContext& ctx) {
  ctx.out->Integer(-1);
  co_return;
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking command's wait (commands/blocking.h).
Awaitable ClientUnblock(CommandContext& ctx) {
  if (!ParseInt64(ctx.args[2])) {
    ctx.out->Error(errors::kNotInteger);
    co_return;
  }
  if (ctx.args.size() == 4 && !EqualsIgnoreCase(ctx.args[3], "timeout") &&
      !EqualsIgnoreCase(ctx.args[3], "error")) {
    ctx.out->Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    co_return;
  }
  if (ctx.args.size() > 4) {
    SubcommandSyntaxError(ctx);
    co_return;
  }
  const uint64_t id = static_cast<uint64_t>(*ParseInt64(ctx.args[2]));
  const bool with_error = ctx.args.size() == 4 && EqualsIgnoreCase(ctx.args[3], "error");
  int64_t unblocked = 0;
  auto body = [&](Shard& shard) {  // on each client's own thread, as ClientState::unblock wants
    for (ClientHandle& h : ctx.server->clients(shard.id()).all()) {
      if (h.state->id == id && h.state->unblock && h.state->unblock(with_error)) unblocked = 1;
    }
  };
  co_await ctx.shards->ForEachShard(body);
  ctx.out->Integer(unblocked);
}

Awaitable ClientHelp(CommandContext& ctx) {
  ReplyHelp(ctx.out, "CLIENT",
            {"GETNAME",
             "    Return the name of the current connection.",
             "GETREDIR",
             "    Return the client ID we are redirecting to when tracking is enabled.",
             "ID",
             "    Return the ID of the current connection.",
             "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port>",
             "    Kill connection made from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Kill connections. Options are:",
             "    * ADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made from the specified address",
             "    * LADDR (<ip:port>|<unixsocket>:0)",
             "      Kill connections made to specified local address",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Kill connections by type.",
             "    * USER <username>",
             "      Kill connections authenticated by <username>.",
             "    * SKIPME (YES|NO)",
             "      Skip killing current connection (default: yes).",
             "    * ID <client-id>",
             "      Kill connections by client id.",
             "LIST [options ...]",
             "    Return information about client connections. Options:",
             "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
             "      Return clients of specified type.",
             "    * ID <client-id> [...]",
             "      Return clients with the given ids.",
             "UNPAUSE",
             "    Stop the current client pause, resuming traffic.",
             "PAUSE <timeout> [WRITE|ALL]",
             "    Suspend all, or just write, clients for <timeout> milliseconds.",
             "REPLY (ON|OFF|SKIP)",
             "    Control the replies sent to the current connection.",
             "SETNAME <name>",
             "    Assign the name <name> to the current connection.",
             "SETINFO <LIB-NAME|LIB-VER> <value>",
             "    Set client library name or version.",
             "UNBLOCK <clientid> [TIMEOUT|ERROR]",
             "    Unblock the specified blocked client.",
             "NO-EVICT (ON|OFF)",
             "    Protect current client connection from eviction."});
  co_return;
}

constexpr Subcommand kClientSubs[] = {
    {"id", 2, ClientId},
    {"setname", 3, ClientSetName},
    {"getname", 2, ClientGetName},
    {"setinfo", 4, ClientSetInfo},
    {"list", -2, ClientList},
    {"info", 2, ClientInfo},
    {"kill", -3, ClientKill},
    {"pause", -3, ClientPause},
    {"unpause", 2, ClientUnpause},
    {"reply", 3, ClientReply},
    {"no-evict", 3, ClientNoEvict},
    {"getredir", 2, ClientGetRedir},
    {"unblock", -3, ClientUnblock},
    {"help", 2, ClientHelp},
};

}  // namespace

namespace introspection {

Awaitable Client(CommandContext& ctx) { return RunSubcommand(ctx, kClientSubs); }

}  // namespace introspection
}  // namespace shoal

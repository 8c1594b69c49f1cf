// The command model shared by every front end: the table entry (CommandSpec, data only),
// per-client state, and the two handler shapes.
//
//  - ShardHandler: the command's keys all live on one shard; the dispatcher runs it on that
//    shard's thread (inline when it is the connection's own shard, otherwise by a hop).
//  - CoordHandler: a coroutine on the connection's thread that may hop to several shards
//    (multi-key commands, fan-outs, server and connection commands).
// Handlers never see a protocol: they read `args` and write to a ReplySink.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/reply.h"
#include "engine/db.h"
#include "engine/shard.h"
#include "engine/shard_set.h"
#include "engine/watch_table.h"

namespace shoal {

using CmdArgs = std::span<const std::string_view>;

// Flags as Redis's COMMAND INFO reports them (names in command_table.cc).
enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadOnly = 1 << 1,
  kCmdDenyOom = 1 << 2,
  kCmdAdmin = 1 << 3,
  kCmdPubSub = 1 << 4,
  kCmdNoScript = 1 << 5,
  kCmdBlocking = 1 << 6,
  kCmdLoading = 1 << 7,
  kCmdStale = 1 << 8,
  kCmdSkipMonitor = 1 << 9,
  kCmdSkipSlowlog = 1 << 10,
  kCmdFast = 1 << 11,
  kCmdNoAuth = 1 << 12,
  kCmdMayReplicate = 1 << 13,
  kCmdNoMulti = 1 << 14,
  kCmdAllowBusy = 1 << 15,
};

// Lets a blocking command notice that its client went away while it waits (the front end
// reads nothing meanwhile). Both methods run on the connection's thread.
class PeerWatch {
 public:
  virtual ~PeerWatch() = default;
  // Calls on_gone() once if the peer closes the connection before Stop(). Data arriving
  // instead (pipelined requests) ends the watch silently.
  virtual void Start(std::function<void()> on_gone) = 0;
  virtual void Stop() = 0;
};

// Per-client state. Owned by the connection's shard thread; a hop may read it while the
// connection waits.
struct ClientState {
  enum class ReplyMode : uint8_t { kOn, kOff, kSkipNext, kSkipThis };

  uint64_t id = 0;
  uint32_t shard = 0;
  int db = 0;
  int resp = 2;
  std::string name;
  std::string lib_name;
  std::string lib_ver;
  std::string addr;
  std::string laddr;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command;
  ReplyMode reply_mode = ReplyMode::kOn;
  bool no_evict = false;
  bool authenticated = false;
  bool close_after_reply = false;  // QUIT, CLIENT KILL of self
  bool killed = false;             // set by CLIENT KILL from another client

  // MULTI ... EXEC (docs/transactions.md).
  struct Multi {
    bool active = false;  // between MULTI and EXEC/DISCARD: commands are queued
    bool failed = false;  // a command was refused while queueing: EXEC aborts
    std::vector<std::vector<std::string>> queued;
  };
  Multi multi;
  // True while EXEC runs this client's queue: it holds every shard, so its commands run
  // without waiting for key locks (they would wait for EXEC itself).
  bool exec_holds_shards = false;
  // WATCH: the flag every watched key's shard sets on a change, and the keys, to unregister.
  std::shared_ptr<WatchFlag> watch_flag;
  std::vector<std::pair<int, std::string>> watched;
  // Set by front ends that can tell a closed peer while a command waits; may be null.
  PeerWatch* peer_watch = nullptr;
  // Set while the client waits in a blocking command (commands/blocking.h): CLIENT UNBLOCK
  // calls it on this client's thread to end the wait as a timeout (or with the UNBLOCKED
  // error); false when a shard is already serving it.
  std::function<bool(bool with_error)> unblock;
};

class ServerApi;   // server services a command may use (server/server_api.h)
class Dispatcher;  // the dispatcher running the command (commands/dispatcher.h)

struct CommandSpec;

// Everything a coordinator handler gets.
struct CommandContext {
  CmdArgs args;
  ReplySink* out;
  ClientState* client;
  ShardSet* shards;
  ServerApi* server;
  const CommandSpec* spec;
  Dispatcher* dispatcher = nullptr;
  // The clock reading (Unix ms) the command's expiry decisions use, taken once per batch
  // of requests as Redis caches its time per event-loop turn; 0: read the shard's clock.
  int64_t now_ms = 0;
};

// Everything a shard handler gets; runs on `shard`'s thread.
struct ShardCall {
  Shard& shard;
  Db& db;
  CmdArgs args;
  ReplySink& out;
  ClientState& client;
  int64_t now_ms;
};

using ShardHandler = void (*)(ShardCall& call);
using CoordHandler = boost::asio::awaitable<void> (*)(CommandContext& ctx);

struct CommandSpec {
  std::string_view name;  // lower case
  int arity;              // as Redis: N exact, -N at least N (the name counts)
  uint32_t flags;
  int first_key;  // 0 = no keys
  int last_key;   // -1 = last argument
  int key_step;
  std::string_view acl_categories;  // "@read @string @fast"
  std::string_view group;           // "string", "generic", "server", "connection"
  std::string_view since;
  std::string_view summary;
  ShardHandler shard_handler;  // exactly one of the two handlers is set
  CoordHandler coord_handler;
};

// Redis's error texts, used by many handlers.
namespace errors {
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kDbIndex = "ERR DB index is out of range";
inline constexpr std::string_view kInvalidExpire = "ERR invalid expire time in '{}' command";
}  // namespace errors

}  // namespace shoal

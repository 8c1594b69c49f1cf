// Dispatcher: from parsed arguments to a reply, for every front end.
// Looks the command up in the table, checks arity, applies CLIENT PAUSE and the OOM rule,
// and routes it: shard handlers run on the key's owner shard (inline when that is the
// connection's own shard and no multi-shard lock is in the way, otherwise by a hop);
// coordinator handlers run as coroutines on the connection's thread.
//
// It also times every command it runs and keeps the slow log (SLOWLOG): one ring per shard,
// filled by the connections of that shard with the commands that took at least
// `slowlog-log-slower-than` microseconds (the time from the start of execution to the reply
// being ready, hops included, CLIENT PAUSE waits excluded).
//
// Thread ownership: one Dispatcher serves all shards; its methods run on shard threads and
// touch only the calling shard's counters and slow log.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/server_api.h"

namespace shoal {

// The slow-log knobs (CONFIG SET slowlog-log-slower-than / slowlog-max-len). Process-wide:
// the ConfigRegistry writes them and every Dispatcher reads them (relaxed atomics).
struct SlowLogOptions {
  std::atomic<int64_t> log_slower_than_us{10000};  // -1 disables, 0 logs every command
  std::atomic<int64_t> max_len{128};
};
SlowLogOptions& SlowLogSettings();

// One slow-log entry, as SLOWLOG GET reports it. Arguments are already cut as Redis does
// (at most 32, each at most 128 bytes plus a "... (N more bytes)" note; secrets redacted).
struct SlowLogEntry {
  uint64_t id = 0;
  int64_t unix_time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;
  std::string client_addr;
  std::string client_name;
};

class Dispatcher {
 public:
  Dispatcher(ShardSet* shards, ServerApi* server);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // The Dispatcher serving `shards` (nullptr if none): how command handlers, which get a
  // ShardSet but not the Dispatcher, reach the slow log. Any thread.
  static Dispatcher* Of(const ShardSet* shards);

  // Runs the command if it can complete without suspending (errors, local keys, local
  // commands) and returns true. False: the caller must co_await Dispatch(ctx).
  bool TryInline(CommandContext& ctx);
  boost::asio::awaitable<void> Dispatch(CommandContext& ctx);

  uint64_t total_commands() const;
  void ResetStats();

  // Pause state read by every connection (CLIENT PAUSE / UNPAUSE).
  void Pause(int64_t until_ms, bool writes_only);
  void Unpause();

  // The slow log of `shard`, newest first; call on that shard's thread only. It holds at most
  // slowlog-max-len entries (trimmed when an entry is added, as Redis).
  std::deque<SlowLogEntry>& slowlog(uint32_t shard) { return counters_[shard].slowlog; }

 private:
  struct alignas(64) ShardCounters {
    std::atomic<uint64_t> commands{0};
    std::deque<SlowLogEntry> slowlog;
  };

  // Looks up and validates; writes the error reply and returns nullptr when invalid.
  const CommandSpec* Resolve(CommandContext& ctx);
  bool PausedFor(const CommandSpec& spec) const;
  void RunShardHandler(const CommandSpec& spec, CommandContext& ctx, Shard& shard);
  void Count();
  // Slow log: SlowLogStart returns the start time, or -1 when the slow log is off;
  // SlowLogFinish records the command on the calling shard when it was slow enough.
  static int64_t SlowLogStart();
  void SlowLogFinish(const CommandContext& ctx, int64_t start_us);

  ShardSet* shards_;
  ServerApi* server_;
  std::unique_ptr<ShardCounters[]> counters_;
  std::atomic<int64_t> pause_until_ms_{0};
  std::atomic<bool> pause_writes_only_{false};
  std::atomic<uint64_t> next_slowlog_id_{0};
};

// "ERR unknown command 'x', with args beginning with: 'a' 'b' " exactly as Redis 7.
std::string UnknownCommandError(CmdArgs args);
std::string WrongArityError(std::string_view name);

}  // namespace shoal

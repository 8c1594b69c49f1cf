// Dispatcher: from parsed arguments to a reply, for every front end.
// Looks the command up in the table, checks arity, applies CLIENT PAUSE and the OOM rule,
// and routes it: shard handlers run on the key's owner shard (inline when that is the
// connection's own shard and no multi-shard lock is in the way, otherwise by a hop);
// coordinator handlers run as coroutines on the connection's thread.
//
// It also times every command it runs (from the start of execution to the reply being ready,
// hops included, CLIENT PAUSE waits excluded) and hands the duration to its SlowLog
// (commands/slow_log.h), which keeps the slow ones.
//
// Thread ownership: one Dispatcher serves all shards; its methods run on shard threads and
// touch only the calling shard's counters and slow log.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/server_api.h"
#include "commands/slow_log.h"

namespace shoal {

// Which consecutive single-key requests of a pipeline may run on their shards at once
// (config `pipeline-squash`, docs/multi-key-atomicity.md). Requests for the same shard
// always keep their order, and replies always leave in pipeline order.
//  - kReads: read-only requests. Reads on different shards do not observe each other; only
//    their order against other clients' concurrent writes can differ from one-at-a-time
//    execution, which linearizability allows for requests in flight together.
//  - kAll (default): as kReads, and runs with writes execute as one atomic multi-shard
//    transaction (two-phase locking), so nobody sees a later write before an earlier one.
//  - kNone: one shard at a time, in pipeline order.
enum class PipelineSquash : uint8_t { kNone, kReads, kAll };

class Dispatcher {
 public:
  // `slowlog_options` must outlive the Dispatcher.
  Dispatcher(ShardSet* shards, ServerApi* server, const SlowLogOptions* slowlog_options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Fills ctx.spec with the table entry of args[0] (nullptr when unknown, to be reported by
  // TryInline), so that Prefetch, RemoteTarget and TryInline look the command up once.
  static void Lookup(CommandContext& ctx);
  // Before a pipelined batch runs (each ctx looked up): prefetches the keys of the commands
  // that will run on the calling shard, so their cache misses overlap. Hints only.
  void Prefetch(std::span<CommandContext> batch);

  // Runs the command if it can complete without suspending (errors, local keys, local
  // commands) and returns true. False: the caller must co_await Dispatch(ctx). Inside MULTI
  // it queues the command instead (replying QUEUED or the error that will abort EXEC).
  bool TryInline(CommandContext& ctx);
  boost::asio::awaitable<void> Dispatch(CommandContext& ctx);

  // Pipelines. OwnerShard tells, without running or replying anything, whether `ctx` is a
  // valid single-key command that can run now (not paused, authenticated), and on which
  // shard; kNoOwner otherwise. RemoteTarget is the same for another shard only.
  static constexpr uint32_t kNoOwner = UINT32_MAX;
  static constexpr uint32_t kNotRemote = kNoOwner;
  uint32_t OwnerShard(CommandContext& ctx) const;
  uint32_t RemoteTarget(CommandContext& ctx) const;
  // A run of consecutive requests for the same other shard travels in one hop: DispatchBatch
  // runs them in order on `target` (each ctx as returned by RemoteTarget for that target),
  // so the pipeline's order of execution is kept.
  boost::asio::awaitable<void> DispatchBatch(uint32_t target, std::span<CommandContext> batch);
  // Consecutive requests that may run in parallel (each with an OwnerShard and its own
  // sink; see PipelineSquash for which) run on all their shards at once, in pipeline order
  // within a shard: reads behind their keys' gates; a batch with writes atomically.
  static bool Squashable(const CommandContext& ctx, PipelineSquash mode) {
    if (ctx.spec == nullptr || mode == PipelineSquash::kNone) return false;
    return mode == PipelineSquash::kAll || (ctx.spec->flags & kCmdReadOnly) != 0;
  }
  boost::asio::awaitable<void> DispatchParallel(std::span<CommandContext> reads);

  uint64_t total_commands() const;
  void ResetStats();

  // Pause state read by every connection (CLIENT PAUSE / UNPAUSE).
  void Pause(int64_t until_ms, bool writes_only);
  void Unpause();

  // The slow log the Dispatcher fills (SLOWLOG reads and resets it through this).
  SlowLog& slowlog() { return slowlog_; }

 private:
  struct alignas(64) ShardCounters {
    std::atomic<uint64_t> commands{0};
  };

  // Looks up and validates; writes the error reply and returns nullptr when invalid.
  const CommandSpec* Resolve(CommandContext& ctx);
  // MULTI: checks the command as Redis does at queue time and queues a copy of it.
  void Queue(CommandContext& ctx);
  bool PausedFor(const CommandSpec& spec) const;
  // Prefetches the first keys of at(0..n-1) that live on `shard_id`; runs on that shard.
  template <typename At>
  void PrefetchKeys(uint32_t shard_id, size_t n, At at);
  void RunShardHandler(const CommandSpec& spec, CommandContext& ctx, Shard& shard);
  // The lock a shard handler's key needs to be free: shared for reads, exclusive for writes.
  static LockKey GateKey(const CommandContext& ctx);
  void Count();
  // Slow log: SlowLogStart returns the start time, or -1 when the slow log is off;
  // SlowLogFinish hands the command's duration to the slow log.
  int64_t SlowLogStart() const;
  void SlowLogFinish(const CommandContext& ctx, int64_t start_us);

  ShardSet* shards_;
  ServerApi* server_;
  std::unique_ptr<ShardCounters[]> counters_;
  std::atomic<int64_t> pause_until_ms_{0};
  std::atomic<bool> pause_writes_only_{false};
  SlowLog slowlog_;
};

// "ERR unknown command 'x', with args beginning with: 'a' 'b' " exactly as Redis 7.
std::string UnknownCommandError(CmdArgs args);
std::string WrongArityError(std::string_view name);

}  // namespace shoal

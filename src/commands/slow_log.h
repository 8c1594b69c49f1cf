// The slow log (SLOWLOG): one ring per shard, filled by the connections of that shard with the
// commands that took at least `slowlog-log-slower-than` microseconds (the Dispatcher measures
// the time from the start of execution to the reply being ready, hops included, CLIENT PAUSE
// waits excluded, and hands it to Record). SLOWLOG GET/LEN/RESET read every shard's ring by
// hops.
//
// Thread ownership: one SlowLog serves all shards; Record and entries(shard) run on shard
// threads and touch only the calling shard's ring. The options are read with relaxed atomics
// from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "commands/command.h"

namespace shoal {

// The slow-log knobs (CONFIG SET slowlog-log-slower-than / slowlog-max-len). Owned by the
// ServerConfig: the ConfigRegistry writes them and the SlowLog reads them (relaxed atomics).
struct SlowLogOptions {
  std::atomic<int64_t> log_slower_than_us{10000};  // -1 disables, 0 logs every command
  std::atomic<int64_t> max_len{128};
};

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

class SlowLog {
 public:
  // `options` must outlive the SlowLog.
  SlowLog(const SlowLogOptions* options, uint32_t num_shards);
  SlowLog(const SlowLog&) = delete;
  SlowLog& operator=(const SlowLog&) = delete;

  // False when slowlog-log-slower-than is negative: commands need not be timed at all.
  bool enabled() const;

  // Records the command `ctx` ran, which took `duration_us`, in the calling shard's ring when it
  // was slow enough and may be logged (not kCmdSkipSlowlog); trims the ring to
  // slowlog-max-len. Does nothing off a shard thread.
  void Record(const CommandContext& ctx, int64_t duration_us);

  // The ring of `shard`, newest first; call on that shard's thread only. It holds at most
  // slowlog-max-len entries (trimmed when an entry is added, as Redis).
  std::deque<SlowLogEntry>& entries(uint32_t shard) { return shards_[shard].entries; }

  // slowlog-max-len, clamped at 0.
  size_t max_len() const;

 private:
  struct alignas(64) ShardLog {
    std::deque<SlowLogEntry> entries;
  };

  const SlowLogOptions* options_;
  std::unique_ptr<ShardLog[]> shards_;
  std::atomic<uint64_t> next_id_{0};
};

}  // namespace shoal

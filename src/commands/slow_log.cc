#include "commands/slow_log.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "base/strings.h"

namespace shoal {

namespace {

// As Redis's slowlog.c.
constexpr size_t kSlowLogMaxArgs = 32;
constexpr size_t kSlowLogMaxArgLen = 128;

// Which arguments the slow log must not show (Redis redacts the same ones): passwords of
// AUTH and HELLO ... AUTH, and the values of sensitive parameters in CONFIG SET.
std::vector<bool> RedactedArgs(std::string_view name, CmdArgs args) {
  std::vector<bool> redact(args.size(), false);
  if (name == "auth") {
    for (size_t i = 1; i < args.size(); i++) redact[i] = true;
  } else if (name == "hello") {
    for (size_t i = 2; i + 2 < args.size(); i++) {
      if (EqualsIgnoreCase(args[i], "auth")) {
        redact[i + 1] = redact[i + 2] = true;
        i += 2;
      }
    }
  } else if (name == "config" && args.size() > 1 && EqualsIgnoreCase(args[1], "set")) {
    for (size_t i = 2; i + 1 < args.size(); i += 2) {
      if (EqualsIgnoreCase(args[i], "requirepass") || EqualsIgnoreCase(args[i], "masterauth")) {
        redact[i + 1] = true;
      }
    }
  }
  return redact;
}

}  // namespace

SlowLog::SlowLog(const SlowLogOptions* options, uint32_t num_shards)
    : options_(options), shards_(new ShardLog[num_shards]) {}

bool SlowLog::enabled() const {
  return options_->log_slower_than_us.load(std::memory_order_relaxed) >= 0;
}

size_t SlowLog::max_len() const {
  return static_cast<size_t>(
      std::max<int64_t>(0, options_->max_len.load(std::memory_order_relaxed)));
}

void SlowLog::Record(const CommandContext& ctx, int64_t duration_us) {
  int64_t threshold = options_->log_slower_than_us.load(std::memory_order_relaxed);
  if (threshold < 0 || duration_us < threshold) return;
  if (ctx.spec == nullptr || (ctx.spec->flags & kCmdSkipSlowlog)) return;
  int shard = ShardSet::CurrentShard();
  if (shard < 0) return;

  SlowLogEntry entry;
  entry.id = next_id_.fetch_add(1, std::memory_order_relaxed);
  entry.unix_time_s = SystemClock::Instance().NowMs() / 1000;
  entry.duration_us = duration_us;
  std::vector<bool> redact = RedactedArgs(ctx.spec->name, ctx.args);
  size_t argc = std::min(ctx.args.size(), kSlowLogMaxArgs);
  entry.args.reserve(argc);
  for (size_t i = 0; i < argc; i++) {
    std::string_view arg = ctx.args[i];
    if (argc != ctx.args.size() && i == argc - 1) {
      entry.args.push_back("... (" + std::to_string(ctx.args.size() - argc + 1) +
                           " more arguments)");
    } else if (redact[i]) {
      entry.args.emplace_back("(redacted)");
    } else if (arg.size() > kSlowLogMaxArgLen) {
      entry.args.push_back(std::string(arg.substr(0, kSlowLogMaxArgLen)) + "... (" +
                           std::to_string(arg.size() - kSlowLogMaxArgLen) + " more bytes)");
    } else {
      entry.args.emplace_back(arg);
    }
  }
  entry.client_addr = ctx.client->addr;
  entry.client_name = ctx.client->name;

  std::deque<SlowLogEntry>& log = shards_[static_cast<size_t>(shard)].entries;
  log.push_front(std::move(entry));
  size_t limit = max_len();
  while (log.size() > limit) log.pop_back();
}

}  // namespace shoal

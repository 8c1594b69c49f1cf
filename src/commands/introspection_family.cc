// Introspection and administration commands: INFO, CONFIG, COMMAND, CLIENT, SLOWLOG.
// Replies, error texts and field names follow Redis 7.0. They run as coordinator handlers on
// the connection's thread; whatever lives on other shards (keyspace counters, the clients a
// shard accepted, its slow log) is read or changed by a hop to that shard, never directly.
//
// What INFO reports that Redis computes differently:
//  - used_memory is what malloc has handed out to the whole process (glibc's mallinfo2: every
//    arena plus mmapped blocks), as Redis's used_memory counts every allocation.
//    used_memory_dataset is the sum of every shard's ShardStats::used_bytes: the bytes the
//    engine accounts to data (keys, values, entry headers, hash table buckets), the figure
//    maxmemory is enforced against (per shard); the difference is reported as
//    used_memory_overhead and mem_not_counted_for_evict. used_memory_rss comes from
//    /proc/self/statm.
//  - used_memory_peak is the highest used_memory INFO has seen since start or RESETSTAT.
//  - instantaneous_ops_per_sec is the command rate between two INFO calls at least 100 ms
//    apart.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "commands/command_table.h"
#include "commands/dispatcher.h"
#include "commands/server_api.h"

namespace shoal {
namespace {

using Awaitable = boost::asio::awaitable<void>;
using SubHandler = Awaitable (*)(CommandContext& ctx);

// A subcommand of a container command (CONFIG GET, CLIENT LIST, ...). `arity` counts every
// argument, the container's name included, as Redis's "config|get" entry does.
struct Subcommand {
  std::string_view name;
  int arity;
  SubHandler handler;
};

std::string UpperCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

// Redis sanitizes what it echoes in an error line: CR and LF become spaces.
std::string Sanitized(std::string_view s) {
  std::string out(s.substr(0, 128));
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// Finds the subcommand named by args[1], checks its arity and runs it; replies the errors
// Redis replies for an unknown subcommand or a wrong number of arguments.
Awaitable RunSubcommand(CommandContext& ctx, std::span<const Subcommand> subs) {
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

// "ERR unknown subcommand or wrong number of arguments for 'x'. Try CMD HELP."
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

// The value of one configuration parameter, "" when unknown.
std::string ConfigValue(ServerApi* server, std::string_view name) {
  std::string_view pattern[] = {name};
  for (auto& [n, v] : server->ConfigGet(pattern)) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

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

// ---------------------------------------------------------------------------------------
// INFO

// Process-wide figures INFO derives over time (see the file comment).
struct InfoHistory {
  std::mutex mu;
  int64_t peak_memory = 0;
  int64_t ops_sample_us = 0;
  uint64_t ops_sample_commands = 0;
  int64_t ops_per_sec = 0;
};
InfoHistory& History() {
  static InfoHistory history;
  return history;
}

// Redis's bytesToHuman.
std::string BytesToHuman(uint64_t n) {
  constexpr double k = 1024.0;
  double d = static_cast<double>(n);
  if (n < 1024) return fmt::format("{}B", n);
  if (n < 1024ULL * 1024) return fmt::format("{:.2f}K", d / k);
  if (n < 1024ULL * 1024 * 1024) return fmt::format("{:.2f}M", d / (k * k));
  if (n < 1024ULL * 1024 * 1024 * 1024) return fmt::format("{:.2f}G", d / (k * k * k));
  if (n < 1024ULL * 1024 * 1024 * 1024 * 1024) {
    return fmt::format("{:.2f}T", d / (k * k * k * k));
  }
  if (n < 1024ULL * 1024 * 1024 * 1024 * 1024 * 1024) {
    return fmt::format("{:.2f}P", d / (k * k * k * k * k));
  }
  return fmt::format("{}B", n);
}

// Resident set size from /proc/self/statm (second field, in pages).
uint64_t ProcessRss() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
}

std::string CpuSeconds(const timeval& tv) {
  return fmt::format("{}.{:06}", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
}

// What INFO needs from every shard, summed by hops.
struct EngineSnapshot {
  struct DbTotals {
    uint64_t keys = 0;
    uint64_t expires = 0;
    double ttl_weighted = 0;  // sum of (shard's avg_ttl * shard's expires)
  };
  int64_t used_bytes = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t clients = 0;
  std::vector<DbTotals> dbs;
};

Awaitable TakeSnapshot(CommandContext& ctx, EngineSnapshot& snap) {
  ServerApi* server = ctx.server;
  auto body = [&snap, server](Shard& shard) {
    const ShardStats& st = shard.stats();
    snap.used_bytes += st.used_bytes;
    snap.expired_keys += st.expired_keys;
    snap.evicted_keys += st.evicted_keys;
    snap.keyspace_hits += st.keyspace_hits;
    snap.keyspace_misses += st.keyspace_misses;
    snap.clients += server->clients(shard.id()).all().size();
    if (snap.dbs.size() < static_cast<size_t>(shard.num_dbs())) {
      snap.dbs.resize(static_cast<size_t>(shard.num_dbs()));
    }
    int64_t now = shard.NowMs();
    for (int i = 0; i < shard.num_dbs(); i++) {
      Db& db = shard.db(i);
      EngineSnapshot::DbTotals& t = snap.dbs[static_cast<size_t>(i)];
      t.keys += db.size();
      uint64_t vol = db.volatile_size();
      t.expires += vol;
      if (vol > 0) t.ttl_weighted += static_cast<double>(db.avg_ttl_ms(now)) * vol;
    }
  };
  co_await ctx.shards->ForEachShard(body);
}

enum InfoSection : uint32_t {
  kInfoServer = 1 << 0,
  kInfoClients = 1 << 1,
  kInfoMemory = 1 << 2,
  kInfoPersistence = 1 << 3,
  kInfoStats = 1 << 4,
  kInfoReplication = 1 << 5,
  kInfoCpu = 1 << 6,
  kInfoCluster = 1 << 7,
  kInfoKeyspace = 1 << 8,
};
constexpr uint32_t kInfoAll = (1 << 9) - 1;

uint32_t SectionBit(std::string_view name) {
  static constexpr std::pair<std::string_view, uint32_t> kNames[] = {
      {"server", kInfoServer},     {"clients", kInfoClients},
      {"memory", kInfoMemory},     {"persistence", kInfoPersistence},
      {"stats", kInfoStats},       {"replication", kInfoReplication},
      {"cpu", kInfoCpu},           {"cluster", kInfoCluster},
      {"keyspace", kInfoKeyspace}, {"all", kInfoAll},
      {"everything", kInfoAll},    {"default", kInfoAll},
  };
  for (const auto& [n, bit] : kNames) {
    if (EqualsIgnoreCase(n, name)) return bit;
  }
  return 0;  // unknown sections (modules, commandstats, ...) add nothing, as Redis
}

// One "name:value\r\n" line.
template <typename T>
void Field(std::string& out, std::string_view name, const T& value) {
  fmt::format_to(std::back_inserter(out), "{}:{}\r\n", name, value);
}

void ServerSection(std::string& out, CommandContext& ctx, int64_t now_ms) {
  const ProcessFacts& facts = ctx.server->facts();
  utsname name{};
  uname(&name);
  int64_t uptime = (now_ms - facts.start_time_ms) / 1000;
  out += "# Server\r\n";
  Field(out, "redis_version", facts.version);
  Field(out, "redis_git_sha1", "00000000");
  Field(out, "redis_git_dirty", 0);
  Field(out, "redis_mode", "standalone");
  Field(out, "os", fmt::format("{} {} {}", name.sysname, name.release, name.machine));
  Field(out, "arch_bits", sizeof(void*) * 8);
  Field(out, "monotonic_clock", "POSIX clock_gettime");
  Field(out, "multiplexing_api", "epoll");
  Field(out, "atomicvar_api", "c11-builtin");
  Field(out, "gcc_version", fmt::format("{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
  Field(out, "process_id", static_cast<int64_t>(getpid()));
  Field(out, "process_supervised", "no");
  Field(out, "run_id", facts.run_id);
  Field(out, "tcp_port", facts.tcp_port);
  Field(out, "server_time_usec", now_ms * 1000);
  Field(out, "uptime_in_seconds", uptime);
  Field(out, "uptime_in_days", uptime / 86400);
  std::string hz = ConfigValue(ctx.server, "hz");
  Field(out, "hz", hz);
  Field(out, "configured_hz", hz);
  Field(out, "lru_clock", Db::LruClock(now_ms));
  Field(out, "executable", facts.executable);
  Field(out, "config_file", facts.config_file);
  Field(out, "io_threads_active", 0);
  Field(out, "shoal_version", facts.shoal_version);
  Field(out, "shoal_shards", ctx.shards->size());
}

void ClientsSection(std::string& out, CommandContext& ctx, const EngineSnapshot& snap) {
  out += "# Clients\r\n";
  Field(out, "connected_clients", snap.clients);
  Field(out, "cluster_connections", 0);
  Field(out, "maxclients", ConfigValue(ctx.server, "maxclients"));
  Field(out, "client_recent_max_input_buffer", 0);
  Field(out, "client_recent_max_output_buffer", 0);
  Field(out, "blocked_clients", 0);
  Field(out, "tracking_clients", 0);
  Field(out, "clients_in_timeout_table", 0);
}

void MemorySection(std::string& out, CommandContext& ctx, const EngineSnapshot& snap) {
  uint64_t dataset = static_cast<uint64_t>(std::max<int64_t>(0, snap.used_bytes));
  struct mallinfo2 mi = mallinfo2();
  uint64_t allocated = mi.uordblks + mi.hblkhd;
  uint64_t used = std::max(allocated, dataset);
  uint64_t peak;
  {
    InfoHistory& h = History();
    std::lock_guard<std::mutex> lock(h.mu);
    h.peak_memory = std::max(h.peak_memory, static_cast<int64_t>(used));
    peak = static_cast<uint64_t>(h.peak_memory);
  }
  uint64_t rss = ProcessRss();
  uint64_t total = TotalSystemMemory();
  uint64_t maxmemory = ctx.shards->options().maxmemory.load(std::memory_order_relaxed);
  EvictionPolicy policy = ctx.shards->options().maxmemory_policy.load(std::memory_order_relaxed);
  double used_d = static_cast<double>(std::max<uint64_t>(used, 1));

  out += "# Memory\r\n";
  Field(out, "used_memory", used);
  Field(out, "used_memory_human", BytesToHuman(used));
  Field(out, "used_memory_rss", rss);
  Field(out, "used_memory_rss_human", BytesToHuman(rss));
  Field(out, "used_memory_peak", peak);
  Field(out, "used_memory_peak_human", BytesToHuman(peak));
  Field(out, "used_memory_peak_perc",
        fmt::format("{:.2f}%", 100.0 * used_d / static_cast<double>(std::max<uint64_t>(peak, 1))));
  Field(out, "used_memory_overhead", used - dataset);
  Field(out, "used_memory_dataset", dataset);
  Field(out, "used_memory_dataset_perc",
        fmt::format("{:.2f}%", 100.0 * static_cast<double>(dataset) / used_d));
  Field(out, "allocator_allocated", allocated);
  Field(out, "total_system_memory", total);
  Field(out, "total_system_memory_human", BytesToHuman(total));
  Field(out, "maxmemory", maxmemory);
  Field(out, "maxmemory_human", BytesToHuman(maxmemory));
  Field(out, "maxmemory_policy", EvictionPolicyName(policy));
  Field(out, "mem_fragmentation_ratio", fmt::format("{:.2f}", static_cast<double>(rss) / used_d));
  Field(out, "mem_fragmentation_bytes", static_cast<int64_t>(rss) - static_cast<int64_t>(used));
  // maxmemory is enforced on the dataset alone (per shard): the rest is not counted.
  Field(out, "mem_not_counted_for_evict", used - dataset);
  Field(out, "mem_allocator", "libc");
  Field(out, "lazyfree_pending_objects", 0);
}

// Shoal keeps no data on disk yet: nothing is loading, saving or rewriting.
void PersistenceSection(std::string& out, CommandContext& ctx) {
  out += "# Persistence\r\n";
  Field(out, "loading", 0);
  Field(out, "async_loading", 0);
  Field(out, "current_cow_peak", 0);
  Field(out, "current_cow_size", 0);
  Field(out, "current_fork_perc", "0.00");
  Field(out, "rdb_changes_since_last_save", 0);
  Field(out, "rdb_bgsave_in_progress", 0);
  Field(out, "rdb_last_save_time", ctx.server->facts().start_time_ms / 1000);
  Field(out, "rdb_last_bgsave_status", "ok");
  Field(out, "rdb_last_bgsave_time_sec", -1);
  Field(out, "rdb_current_bgsave_time_sec", -1);
  Field(out, "rdb_saves", 0);
  Field(out, "aof_enabled", 0);
  Field(out, "aof_rewrite_in_progress", 0);
  Field(out, "aof_rewrite_scheduled", 0);
  Field(out, "aof_last_rewrite_time_sec", -1);
  Field(out, "aof_current_rewrite_time_sec", -1);
  Field(out, "aof_last_bgrewrite_status", "ok");
  Field(out, "aof_rewrites", 0);
  Field(out, "aof_last_write_status", "ok");
  Field(out, "module_fork_in_progress", 0);
  Field(out, "module_fork_last_cow_size", 0);
}

void StatsSection(std::string& out, CommandContext& ctx, const EngineSnapshot& snap) {
  uint64_t commands = ctx.server->total_commands_processed();
  int64_t ops;
  {
    InfoHistory& h = History();
    std::lock_guard<std::mutex> lock(h.mu);
    int64_t now_us = SystemClock::Instance().MonotonicUs();
    int64_t elapsed = now_us - h.ops_sample_us;
    if (h.ops_sample_us == 0 || commands < h.ops_sample_commands) {
      h.ops_sample_us = now_us;
      h.ops_sample_commands = commands;
    } else if (elapsed >= 100000) {
      h.ops_per_sec = static_cast<int64_t>(static_cast<double>(commands - h.ops_sample_commands) *
                                           1e6 / static_cast<double>(elapsed));
      h.ops_sample_us = now_us;
      h.ops_sample_commands = commands;
    }
    ops = h.ops_per_sec;
  }
  out += "# Stats\r\n";
  Field(out, "total_connections_received", ctx.server->total_connections_received());
  Field(out, "total_commands_processed", commands);
  Field(out, "instantaneous_ops_per_sec", ops);
  Field(out, "rejected_connections", ctx.server->rejected_connections());
  Field(out, "sync_full", 0);
  Field(out, "sync_partial_ok", 0);
  Field(out, "sync_partial_err", 0);
  Field(out, "expired_keys", snap.expired_keys);
  Field(out, "expired_stale_perc", "0.00");
  Field(out, "expired_time_cap_reached_count", 0);
  Field(out, "evicted_keys", snap.evicted_keys);
  Field(out, "evicted_clients", 0);
  Field(out, "keyspace_hits", snap.keyspace_hits);
  Field(out, "keyspace_misses", snap.keyspace_misses);
  Field(out, "pubsub_channels", 0);
  Field(out, "pubsub_patterns", 0);
  Field(out, "latest_fork_usec", 0);
  Field(out, "total_forks", 0);
  Field(out, "shoal_mailbox_full_rejections", ctx.shards->mailbox_full_rejections());
}

void ReplicationSection(std::string& out, CommandContext& ctx) {
  out += "# Replication\r\n";
  Field(out, "role", "master");
  Field(out, "connected_slaves", 0);
  Field(out, "master_failover_state", "no-failover");
  Field(out, "master_replid", ctx.server->facts().run_id);
  Field(out, "master_replid2", std::string(40, '0'));
  Field(out, "master_repl_offset", 0);
  Field(out, "second_repl_offset", -1);
  Field(out, "repl_backlog_active", 0);
  Field(out, "repl_backlog_size", 1048576);
  Field(out, "repl_backlog_first_byte_offset", 0);
  Field(out, "repl_backlog_histlen", 0);
}

void CpuSection(std::string& out) {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  out += "# CPU\r\n";
  Field(out, "used_cpu_sys", CpuSeconds(self.ru_stime));
  Field(out, "used_cpu_user", CpuSeconds(self.ru_utime));
  Field(out, "used_cpu_sys_children", CpuSeconds(children.ru_stime));
  Field(out, "used_cpu_user_children", CpuSeconds(children.ru_utime));
}

void KeyspaceSection(std::string& out, const EngineSnapshot& snap) {
  out += "# Keyspace\r\n";
  for (size_t i = 0; i < snap.dbs.size(); i++) {
    const EngineSnapshot::DbTotals& t = snap.dbs[i];
    if (t.keys == 0) continue;
    int64_t avg_ttl =
        t.expires == 0 ? 0 : static_cast<int64_t>(t.ttl_weighted / static_cast<double>(t.expires));
    fmt::format_to(std::back_inserter(out), "db{}:keys={},expires={},avg_ttl={}\r\n", i, t.keys,
                   t.expires, avg_ttl);
  }
}

// INFO [section ...]
Awaitable Info(CommandContext& ctx) {
  uint32_t sections = 0;
  if (ctx.args.size() == 1) sections = kInfoAll;
  for (size_t i = 1; i < ctx.args.size(); i++) sections |= SectionBit(ctx.args[i]);

  EngineSnapshot snap;
  if (sections & (kInfoClients | kInfoMemory | kInfoStats | kInfoKeyspace)) {
    co_await TakeSnapshot(ctx, snap);
  }
  int64_t now_ms = SystemClock::Instance().NowMs();
  std::string out;
  auto section = [&](uint32_t bit, auto&& write) {
    if (!(sections & bit)) return;
    if (!out.empty()) out += "\r\n";
    write();
  };
  section(kInfoServer, [&] { ServerSection(out, ctx, now_ms); });
  section(kInfoClients, [&] { ClientsSection(out, ctx, snap); });
  section(kInfoMemory, [&] { MemorySection(out, ctx, snap); });
  section(kInfoPersistence, [&] { PersistenceSection(out, ctx); });
  section(kInfoStats, [&] { StatsSection(out, ctx, snap); });
  section(kInfoReplication, [&] { ReplicationSection(out, ctx); });
  section(kInfoCpu, [&] { CpuSection(out); });
  section(kInfoCluster, [&] { out += "# Cluster\r\ncluster_enabled:0\r\n"; });
  section(kInfoKeyspace, [&] { KeyspaceSection(out, snap); });
  ctx.out->Verbatim("txt", out);
}

// ---------------------------------------------------------------------------------------
// CONFIG

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
  {
    InfoHistory& h = History();
    std::lock_guard<std::mutex> lock(h.mu);
    h.peak_memory = 0;
    h.ops_sample_us = 0;
    h.ops_sample_commands = 0;
    h.ops_per_sec = 0;
  }
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

Awaitable Config(CommandContext& ctx) { return RunSubcommand(ctx, kConfigSubs); }

// ---------------------------------------------------------------------------------------
// COMMAND

std::vector<std::string_view> AclCategories(const CommandSpec& spec) {
  std::vector<std::string_view> out;
  std::string_view s = spec.acl_categories;
  while (!s.empty()) {
    size_t space = s.find(' ');
    std::string_view word = s.substr(0, space);
    if (!word.empty()) out.push_back(word);
    if (space == std::string_view::npos) break;
    s.remove_prefix(space + 1);
  }
  return out;
}

// Key-spec flags Redis would give the command's keys, derived from the command flags (the
// table has no per-key data): deleting commands remove, other writes update, reads access.
std::vector<std::string_view> KeySpecFlags(const CommandSpec& spec) {
  if (spec.name == "del" || spec.name == "unlink" || spec.name == "getdel") {
    return {"RM", "delete"};
  }
  if (spec.flags & kCmdWrite) return {"RW", "update"};
  return {"RO", "access"};
}

void ReplyFlagSet(ReplySink* out, const std::vector<std::string_view>& flags) {
  out->SetHeader(flags.size());
  for (std::string_view f : flags) out->SimpleString(f);
}

// One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specs, subcommands.
void ReplyCommandInfo(ReplySink* out, const CommandSpec& spec) {
  out->ArrayHeader(10);
  out->Bulk(spec.name);
  out->Integer(spec.arity);
  ReplyFlagSet(out, CommandTable::FlagNames(spec.flags));
  out->Integer(spec.first_key);
  out->Integer(spec.last_key);
  out->Integer(spec.key_step);
  ReplyFlagSet(out, AclCategories(spec));
  out->SetHeader(0);  // tips
  if (spec.first_key <= 0) {
    out->SetHeader(0);
  } else {
    // One key spec: begin_search at the first key, find_keys as a range from there.
    out->SetHeader(1);
    out->MapHeader(3);
    out->Bulk("flags");
    ReplyFlagSet(out, KeySpecFlags(spec));
    out->Bulk("begin_search");
    out->MapHeader(2);
    out->Bulk("type");
    out->Bulk("index");
    out->Bulk("spec");
    out->MapHeader(1);
    out->Bulk("index");
    out->Integer(spec.first_key);
    out->Bulk("find_keys");
    out->MapHeader(2);
    out->Bulk("type");
    out->Bulk("range");
    out->Bulk("spec");
    out->MapHeader(3);
    out->Bulk("lastkey");
    out->Integer(spec.last_key < 0 ? spec.last_key : spec.last_key - spec.first_key);
    out->Bulk("keystep");
    out->Integer(spec.key_step);
    out->Bulk("limit");
    out->Integer(0);
  }
  out->SetHeader(0);  // subcommands
}

// COMMAND with no subcommand: every command's info.
Awaitable CommandAll(CommandContext& ctx) {
  auto all = CommandTable::Get().all();
  ctx.out->ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx.out, *spec);
  co_return;
}

Awaitable CommandCount(CommandContext& ctx) {
  ctx.out->Integer(static_cast<int64_t>(CommandTable::Get().all().size()));
  co_return;
}

// COMMAND INFO [name ...]: null for unknown names.
Awaitable CommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    co_await CommandAll(ctx);
    co_return;
  }
  ctx.out->ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); i++) {
    const CommandSpec* spec = CommandTable::Get().Find(ctx.args[i]);
    if (spec == nullptr) {
      ctx.out->Null();
    } else {
      ReplyCommandInfo(ctx.out, *spec);
    }
  }
}

// COMMAND DOCS [name ...]: a map name -> {summary, since, group}; unknown names are left out.
Awaitable CommandDocs(CommandContext& ctx) {
  std::vector<const CommandSpec*> specs;
  if (ctx.args.size() == 2) {
    auto all = CommandTable::Get().all();
    specs.assign(all.begin(), all.end());
  } else {
    for (size_t i = 2; i < ctx.args.size(); i++) {
      const CommandSpec* spec = CommandTable::Get().Find(ctx.args[i]);
      if (spec != nullptr) specs.push_back(spec);
    }
  }
  ctx.out->MapHeader(specs.size());
  for (const CommandSpec* spec : specs) {
    ctx.out->Bulk(spec->name);
    ctx.out->MapHeader(3);
    ctx.out->Bulk("summary");
    ctx.out->Bulk(spec->summary);
    ctx.out->Bulk("since");
    ctx.out->Bulk(spec->since);
    ctx.out->Bulk("group");
    ctx.out->Bulk(spec->group);
  }
  co_return;
}

// COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]
Awaitable CommandList(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view arg;
  if (ctx.args.size() == 5 && EqualsIgnoreCase(ctx.args[2], "filterby")) {
    arg = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(ctx.args[3], "aclcat")) {
      filter = Filter::kAclCat;
    } else if (EqualsIgnoreCase(ctx.args[3], "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.out->Error(errors::kSyntax);
      co_return;
    }
  } else if (ctx.args.size() != 2) {
    ctx.out->Error(errors::kSyntax);
    co_return;
  }
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    bool match = true;
    switch (filter) {
      case Filter::kNone:
        break;
      case Filter::kModule:  // no modules
        match = false;
        break;
      case Filter::kAclCat: {
        match = false;
        for (std::string_view cat : AclCategories(*spec)) {
          if (EqualsIgnoreCase(cat.substr(1), arg)) match = true;
        }
        break;
      }
      case Filter::kPattern:
        match = GlobMatch(arg, spec->name, /*nocase=*/true);
        break;
    }
    if (match) names.push_back(spec->name);
  }
  ctx.out->ArrayHeader(names.size());
  for (std::string_view name : names) ctx.out->Bulk(name);
}

// COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...]: the checks and errors of Redis 7.0.
Awaitable CommandGetKeysGeneric(CommandContext& ctx, bool with_flags) {
  CmdArgs target = ctx.args.subspan(2);
  const CommandSpec* spec = CommandTable::Get().Find(target[0]);
  if (spec == nullptr) {
    ctx.out->Error("ERR Invalid command specified");
    co_return;
  }
  if (spec->first_key <= 0) {
    ctx.out->Error("ERR The command has no key arguments");
    co_return;
  }
  int argc = static_cast<int>(target.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.out->Error("ERR Invalid number of arguments specified for command");
    co_return;
  }
  std::vector<size_t> keys = CommandTable::KeyPositions(*spec, target.size());
  if (keys.empty()) {
    ctx.out->Error("ERR Invalid arguments specified for command");
    co_return;
  }
  ctx.out->ArrayHeader(keys.size());
  for (size_t pos : keys) {
    if (with_flags) {
      ctx.out->ArrayHeader(2);
      ctx.out->Bulk(target[pos]);
      ReplyFlagSet(ctx.out, KeySpecFlags(*spec));
    } else {
      ctx.out->Bulk(target[pos]);
    }
  }
}
Awaitable CommandGetKeys(CommandContext& ctx) { return CommandGetKeysGeneric(ctx, false); }
Awaitable CommandGetKeysAndFlags(CommandContext& ctx) { return CommandGetKeysGeneric(ctx, true); }

Awaitable CommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx.out, "COMMAND",
            {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
             "    Return the total number of commands in this Redis server.", "LIST",
             "    Return a list of all commands in this Redis server.", "INFO [<command-name> ...]",
             "    Return details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple Redis commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "GETKEYS <full-command>",
             "    Return the keys from a full Redis command.", "GETKEYSANDFLAGS <full-command>",
             "    Return the keys and the access flags from a full Redis command."});
  co_return;
}

constexpr Subcommand kCommandSubs[] = {
    {"count", 2, CommandCount},      {"info", -2, CommandInfo},
    {"docs", -2, CommandDocs},       {"list", -2, CommandList},
    {"getkeys", -4, CommandGetKeys}, {"getkeysandflags", -4, CommandGetKeysAndFlags},
    {"help", 2, CommandHelp},
};

Awaitable Command(CommandContext& ctx) {
  if (ctx.args.size() == 1) return CommandAll(ctx);
  return RunSubcommand(ctx, kCommandSubs);
}

// ---------------------------------------------------------------------------------------
// CLIENT

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

// Shoal has no client-side caching: no redirection, and no client is ever blocked.
Awaitable ClientGetRedir(CommandContext& ctx) {
  ctx.out->Integer(-1);
  co_return;
}

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
  ctx.out->Integer(0);
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

Awaitable Client(CommandContext& ctx) { return RunSubcommand(ctx, kClientSubs); }

// ---------------------------------------------------------------------------------------
// SLOWLOG: each shard keeps the slow commands of its own connections (Dispatcher::slowlog);
// GET and LEN merge them, newest first, up to slowlog-max-len entries in all.

size_t SlowLogMaxLen() {
  return static_cast<size_t>(
      std::max<int64_t>(0, SlowLogSettings().max_len.load(std::memory_order_relaxed)));
}

Awaitable SlowLogGet(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.args.size() > 3) {
    SubcommandSyntaxError(ctx);
    co_return;
  }
  if (ctx.args.size() == 3) {
    std::optional<int64_t> v = ParseInt64(ctx.args[2]);
    if (!v || *v < -1) {
      ctx.out->Error("ERR count should be greater than or equal to -1");
      co_return;
    }
    count = *v;
  }
  Dispatcher* dispatcher = Dispatcher::Of(ctx.shards);
  std::vector<SlowLogEntry> entries;
  if (dispatcher != nullptr) {
    auto body = [&](Shard& shard) {
      for (const SlowLogEntry& e : dispatcher->slowlog(shard.id())) entries.push_back(e);
    };
    co_await ctx.shards->ForEachShard(body);
  }
  std::sort(entries.begin(), entries.end(),
            [](const SlowLogEntry& a, const SlowLogEntry& b) { return a.id > b.id; });
  size_t n = std::min(entries.size(), SlowLogMaxLen());
  if (count >= 0) n = std::min(n, static_cast<size_t>(count));
  ctx.out->ArrayHeader(n);
  for (size_t i = 0; i < n; i++) {
    const SlowLogEntry& e = entries[i];
    ctx.out->ArrayHeader(6);
    ctx.out->Integer(static_cast<int64_t>(e.id));
    ctx.out->Integer(e.unix_time_s);
    ctx.out->Integer(e.duration_us);
    ctx.out->ArrayHeader(e.args.size());
    for (const std::string& a : e.args) ctx.out->Bulk(a);
    ctx.out->Bulk(e.client_addr);
    ctx.out->Bulk(e.client_name);
  }
}

Awaitable SlowLogLen(CommandContext& ctx) {
  Dispatcher* dispatcher = Dispatcher::Of(ctx.shards);
  size_t total = 0;
  if (dispatcher != nullptr) {
    auto body = [&](Shard& shard) { total += dispatcher->slowlog(shard.id()).size(); };
    co_await ctx.shards->ForEachShard(body);
  }
  ctx.out->Integer(static_cast<int64_t>(std::min(total, SlowLogMaxLen())));
}

Awaitable SlowLogReset(CommandContext& ctx) {
  Dispatcher* dispatcher = Dispatcher::Of(ctx.shards);
  if (dispatcher != nullptr) {
    auto body = [&](Shard& shard) { dispatcher->slowlog(shard.id()).clear(); };
    co_await ctx.shards->ForEachShard(body);
  }
  ctx.out->Ok();
}

Awaitable SlowLogHelp(CommandContext& ctx) {
  ReplyHelp(ctx.out, "SLOWLOG",
            {"GET [<count>]",
             "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
             "    Entries are made of:",
             "    id, timestamp, time in microseconds, arguments array, client IP and port,",
             "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
             "    Reset the slowlog."});
  co_return;
}

constexpr Subcommand kSlowLogSubs[] = {
    {"get", -2, SlowLogGet},
    {"len", 2, SlowLogLen},
    {"reset", 2, SlowLogReset},
    {"help", 2, SlowLogHelp},
};

Awaitable SlowLog(CommandContext& ctx) { return RunSubcommand(ctx, kSlowLogSubs); }

// ---------------------------------------------------------------------------------------

// Flags and categories as Redis 7.0 reports the container commands and INFO.
const CommandSpec kIntrospectionCommands[] = {
    {"info", -1, kCmdLoading | kCmdStale, 0, 0, 0, "@slow @dangerous", "server", "1.0.0",
     "Returns information and statistics about the server.", nullptr, Info},
    {"config", -2, 0, 0, 0, 0, "@slow", "server", "2.0.0",
     "A container for server configuration commands.", nullptr, Config},
    {"command", -1, kCmdLoading | kCmdStale, 0, 0, 0, "@slow @connection", "server", "2.8.13",
     "Returns detailed information about all commands.", nullptr, Command},
    {"client", -2, 0, 0, 0, 0, "@slow", "connection", "2.4.0",
     "A container for client connection commands.", nullptr, Client},
    {"slowlog", -2, 0, 0, 0, 0, "@slow", "server", "2.2.12", "A container for slow log commands.",
     nullptr, SlowLog},
};

}  // namespace

std::span<const CommandSpec> IntrospectionFamily() { return kIntrospectionCommands; }

}  // namespace shoal

// INFO [section ...]: the server's sections as Redis 7.0 names and fills them. Runs as a
// coordinator handler on the connection's thread; whatever lives on other shards (keyspace
// counters, the clients a shard accepted) is summed by hops to those shards, never read directly.
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
//
// used_memory_peak and the ops/sec sample are process-wide (InfoHistory, under its mutex);
// CONFIG RESETSTAT clears them through ResetInfoHistory.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/strings.h"
#include "commands/introspection_commands.h"
#include "commands/server_api.h"
#include "engine/options.h"

namespace shoal {
namespace {

using Awaitable = boost::asio::awaitable<void>;

// The value of one configuration parameter, "" when unknown.
std::string ConfigValue(ServerApi* server, std::string_view name) {
  std::string_view pattern[] = {name};
  for (auto& [n, v] : server->ConfigGet(pattern)) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

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
  int64_t blocked_clients = 0;
  uint64_t lazyfree_pending = 0;
  uint64_t lazyfreed = 0;
  std::vector<DbTotals> dbs;
};

Awaitable TakeSnapshot(CommandContext& ctx, EngineSnapshot& snap) {
  ServerApi* server = ctx.server;
  auto body = [&snap, server](Shard& shard) {
    const ShardStats& st = shard.stats();
    snap.used_bytes += st.used_bytes;
    snap.blocked_clients += st.blocked_clients;
    snap.expired_keys += st.expired_keys;
    snap.evicted_keys += st.evicted_keys;
    snap.keyspace_hits += st.keyspace_hits;
    snap.keyspace_misses += st.keyspace_misses;
    snap.clients += server->clients(shard.id()).all().size();
    snap.lazyfree_pending += shard.lazy_free_pending();
    snap.lazyfreed += st.lazyfreed_keys;
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
  Field(out, "blocked_clients", snap.blocked_clients);
  Field(out, "tracking_clients", 0);
  Field(out, "clients_in_timeout_table", 0);
}

void MemorySection(std::string& out, CommandContext& ctx, const EngineSnapshot& snap) {
  uint64_t dataset = static_cast<uint64_t>(std::max<int64_t>(0, snap.used_bytes));
  struct mallinfo2 mi = mallinfo2();
  uint64_t allocated = mi.uordblks + mi.hblkhd;
  // Allocators without mallinfo2 (ASan's) report 0: fall back to the resident set.
  if (allocated == 0) allocated = ProcessRss();
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
  Field(out, "lazyfree_pending_objects", snap.lazyfree_pending);
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
  Field(out, "lazyfreed_objects", snap.lazyfreed);
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

}  // namespace

namespace introspection {

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

void ResetInfoHistory() {
  InfoHistory& h = History();
  std::lock_guard<std::mutex> lock(h.mu);
  h.peak_memory = 0;
  h.ops_sample_us = 0;
  h.ops_sample_commands = 0;
  h.ops_per_sec = 0;
}

}  // namespace introspection
}  // namespace shoal

// Server configuration: defaults, the config file (redis.conf style: `name value ...` per
// line, '#' comments, double or single quotes), command-line flags, and the registry of
// parameters that CONFIG GET/SET reads and writes at run time.
//
// Thread ownership: Load* run on the main thread before start. After start, ConfigRegistry
// Get/Set may be called from any shard thread: every mutable value is an atomic or is
// guarded by the registry's mutex (CONFIG is not a hot path).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "commands/dispatcher.h"
#include "commands/slow_log.h"
#include "engine/options.h"

namespace shoal {

// Limits the connections read on every request; CONFIG SET may change them.
struct ConnectionLimits {
  std::atomic<uint64_t> proto_max_bulk_len{512ULL * 1024 * 1024};
  std::atomic<uint64_t> client_query_buffer_limit{1024ULL * 1024 * 1024};
  std::atomic<uint64_t> maxclients{10000};
  std::atomic<PipelineSquash> pipeline_squash{PipelineSquash::kAll};
};

struct ServerConfig {
  std::vector<std::string> bind = {"127.0.0.1"};
  int port = 6379;
  std::string loglevel = "notice";
  std::string logfile;
  std::string requirepass;
  std::string config_file;
  EngineOptions engine;
  ConnectionLimits limits;
  SlowLogOptions slowlog;
};

// "100", "1k" (1000), "1kb" (1024), "5mb", "2gb" ... as Redis's memtoull.
Result<uint64_t> ParseMemory(std::string_view text);

// Splits a config line into words as Redis's sdssplitargs (quotes, escapes).
Result<std::vector<std::string>> SplitConfigLine(std::string_view line);

class ConfigRegistry {
 public:
  explicit ConfigRegistry(ServerConfig* config);

  // Sets a parameter by name. `at_startup` allows immutable parameters (config file, flags).
  Status Set(std::string_view name, std::span<const std::string> values, bool at_startup);
  // (name, value) for every parameter matching one of the glob patterns (case-insensitive).
  std::vector<std::pair<std::string, std::string>> Get(
      std::span<const std::string_view> patterns) const;
  // The current value of one parameter ("" when unknown).
  std::string Value(std::string_view name) const;
  // Applies a whole config file.
  Status LoadFile(const std::string& path);
  // Rewrites the config file with the current values (CONFIG REWRITE).
  Status Rewrite() const;

 private:
  struct Param {
    std::string name;
    bool mutable_at_runtime;
    std::function<std::string()> get;
    std::function<Status(std::span<const std::string>)> set;
  };
  void Add(std::string name, bool mutable_at_runtime, std::function<std::string()> get,
           std::function<Status(std::span<const std::string>)> set);
  const Param* Find(std::string_view name) const;

  ServerConfig* config_;
  std::vector<Param> params_;
  mutable std::mutex mu_;  // guards the std::string fields of config_ after start
};

}  // namespace shoal

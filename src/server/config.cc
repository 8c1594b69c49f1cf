#include "server/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/logging.h"
#include "base/strings.h"

namespace shoal {

Result<uint64_t> ParseMemory(std::string_view text) {
  std::string t = ToLower(text);
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') digits++;
  if (digits == 0) return Status::Error("argument must be a memory value");
  std::string_view unit = std::string_view(t).substr(digits);
  uint64_t mul;
  if (unit.empty() || unit == "b")
    mul = 1;
  else if (unit == "k")
    mul = 1000;
  else if (unit == "kb")
    mul = 1024;
  else if (unit == "m")
    mul = 1000 * 1000;
  else if (unit == "mb")
    mul = 1024 * 1024;
  else if (unit == "g")
    mul = 1000ULL * 1000 * 1000;
  else if (unit == "gb")
    mul = 1024ULL * 1024 * 1024;
  else
    return Status::Error("argument must be a memory value");
  std::optional<int64_t> n = ParseInt64(std::string_view(t).substr(0, digits));
  if (!n || static_cast<uint64_t>(*n) > UINT64_MAX / mul) {
    return Status::Error("argument must be a memory value");
  }
  return static_cast<uint64_t>(*n) * mul;
}

Result<std::vector<std::string>> SplitConfigLine(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
    if (i >= line.size()) return words;
    std::string word;
    char quote = 0;
    if (line[i] == '"' || line[i] == '\'') quote = line[i++];
    bool closed = quote == 0;
    while (i < line.size()) {
      char c = line[i];
      if (quote == 0 && (c == ' ' || c == '\t' || c == '\r')) break;
      if (quote != 0 && c == quote) {
        closed = true;
        i++;
        break;
      }
      if (quote == '"' && c == '\\' && i + 1 < line.size()) {
        char n = line[++i];
        word.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
      } else {
        word.push_back(c);
      }
      i++;
    }
    if (!closed) return Status::Error("unbalanced quotes in configuration line");
    words.push_back(std::move(word));
  }
}

namespace {

Status One(std::span<const std::string> v) {
  return v.size() == 1 ? Status::Ok() : Status::Error("wrong number of arguments");
}

constexpr int64_t kIntMax = 2147483647;              // INT_MAX, as Redis's int configs
constexpr int64_t kLongMax = 9223372036854775807LL;  // LONG_MAX, as Redis's long configs

// An integer parameter in [lo, hi], with Redis's error texts. `clamp_lo`/`clamp_hi` (when
// set) bound the stored value the way Redis's updateHZ clamps hz.
template <typename T>
std::function<Status(std::span<const std::string>)> IntSetter(std::atomic<T>* target, int64_t lo,
                                                              int64_t hi, int64_t clamp_lo = 0,
                                                              int64_t clamp_hi = 0) {
  return [target, lo, hi, clamp_lo, clamp_hi](std::span<const std::string> v) {
    if (Status s = One(v); !s.ok()) return s;
    std::optional<int64_t> n = ParseInt64(v[0]);
    if (!n) return Status::Error("argument couldn't be parsed into an integer");
    if (*n < lo || *n > hi) {
      return Status::Error("argument must be between " + std::to_string(lo) + " and " +
                           std::to_string(hi) + " inclusive");
    }
    int64_t value = *n;
    if (clamp_lo < clamp_hi) value = std::clamp(value, clamp_lo, clamp_hi);
    target->store(static_cast<T>(value), std::memory_order_relaxed);
    return Status::Ok();
  };
}

std::function<Status(std::span<const std::string>)> MemorySetter(std::atomic<uint64_t>* target,
                                                                 uint64_t min,
                                                                 uint64_t max = UINT64_MAX) {
  return [target, min, max](std::span<const std::string> v) {
    if (Status s = One(v); !s.ok()) return s;
    Result<uint64_t> n = ParseMemory(v[0]);
    if (!n.ok()) return n.status();
    if (*n < min || *n > max) {
      return Status::Error("argument must be between " + std::to_string(min) + " and " +
                           std::to_string(max) + " inclusive");
    }
    target->store(*n, std::memory_order_relaxed);
    return Status::Ok();
  };
}

}  // namespace

void ConfigRegistry::Add(std::string name, bool mutable_at_runtime,
                         std::function<std::string()> get,
                         std::function<Status(std::span<const std::string>)> set) {
  params_.push_back(Param{std::move(name), mutable_at_runtime, std::move(get), std::move(set)});
}

ConfigRegistry::ConfigRegistry(ServerConfig* config) : config_(config) {
  ServerConfig* c = config_;
  EngineOptions* e = &c->engine;
  Add(
      "bind", false,
      [c] {
        std::string out;
        for (const auto& b : c->bind) out += (out.empty() ? "" : " ") + b;
        return out;
      },
      [c](std::span<const std::string> v) {
        if (v.empty()) return Status::Error("wrong number of arguments");
        c->bind.assign(v.begin(), v.end());
        return Status::Ok();
      });
  Add(
      "port", false, [c] { return std::to_string(c->port); },
      [c](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        std::optional<int64_t> n = ParseInt64(v[0]);
        if (!n) return Status::Error("argument couldn't be parsed into an integer");
        if (*n < 0 || *n > 65535) {
          return Status::Error("argument must be between 0 and 65535 inclusive");
        }
        c->port = static_cast<int>(*n);
        return Status::Ok();
      });
  Add(
      "shards", false, [e] { return std::to_string(e->num_shards); },
      [e](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        std::optional<int64_t> n = ParseInt64(v[0]);
        if (!n || *n < 0 || *n > 256)
          return Status::Error("argument must be between 0 and 256 inclusive");
        e->num_shards =
            *n == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<uint32_t>(*n);
        return Status::Ok();
      });
  Add(
      "databases", false, [e] { return std::to_string(e->num_databases); },
      [e](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        std::optional<int64_t> n = ParseInt64(v[0]);
        if (!n || *n < 1 || *n > 1024)
          return Status::Error("argument must be between 1 and 1024 inclusive");
        e->num_databases = static_cast<int>(*n);
        return Status::Ok();
      });
  Add(
      "maxmemory", true, [e] { return std::to_string(e->maxmemory.load()); },
      MemorySetter(&e->maxmemory, 0));
  Add(
      "maxmemory-policy", true,
      [e] { return std::string(EvictionPolicyName(e->maxmemory_policy)); },
      [e](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        EvictionPolicy p;
        if (!ParseEvictionPolicy(v[0], &p)) {
          return Status::Error(
              "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
              "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
              "noeviction");
        }
        e->maxmemory_policy.store(p);
        return Status::Ok();
      });
  Add(
      "maxmemory-samples", true, [e] { return std::to_string(e->maxmemory_samples.load()); },
      IntSetter(&e->maxmemory_samples, 1, kIntMax));  // eviction samples at most 64
  Add(
      "hash-max-listpack-entries", true,
      [e] { return std::to_string(e->hash_max_listpack_entries.load()); },
      IntSetter(&e->hash_max_listpack_entries, 0, kLongMax));
  Add(
      "hash-max-listpack-value", true,
      [e] { return std::to_string(e->hash_max_listpack_value.load()); },
      IntSetter(&e->hash_max_listpack_value, 0, kLongMax));
  Add(
      "list-max-listpack-size", true,
      [e] { return std::to_string(e->list_max_listpack_size.load()); },
      IntSetter(&e->list_max_listpack_size, -5, kLongMax));
  Add(
      "set-max-intset-entries", true,
      [e] { return std::to_string(e->set_max_intset_entries.load()); },
      IntSetter(&e->set_max_intset_entries, 0, kLongMax));
  Add(
      "set-max-listpack-entries", true,
      [e] { return std::to_string(e->set_max_listpack_entries.load()); },
      IntSetter(&e->set_max_listpack_entries, 0, kLongMax));
  Add(
      "set-max-listpack-value", true,
      [e] { return std::to_string(e->set_max_listpack_value.load()); },
      IntSetter(&e->set_max_listpack_value, 0, kLongMax));
  Add(
      "zset-max-listpack-entries", true,
      [e] { return std::to_string(e->zset_max_listpack_entries.load()); },
      IntSetter(&e->zset_max_listpack_entries, 0, kLongMax));
  Add(
      "zset-max-listpack-value", true,
      [e] { return std::to_string(e->zset_max_listpack_value.load()); },
      IntSetter(&e->zset_max_listpack_value, 0, kLongMax));
  Add(
      "lfu-log-factor", true, [e] { return std::to_string(e->lfu_log_factor.load()); },
      IntSetter(&e->lfu_log_factor, 0, kIntMax));
  Add(
      "lfu-decay-time", true, [e] { return std::to_string(e->lfu_decay_time.load()); },
      IntSetter(&e->lfu_decay_time, 0, kIntMax));
  // As Redis: any value in [0, INT_MAX] is accepted and clamped to [1, 500].
  Add(
      "hz", true, [e] { return std::to_string(e->hz.load()); },
      IntSetter(&e->hz, 0, kIntMax, 1, 500));
  Add(
      "active-expire-effort", true, [e] { return std::to_string(e->active_expire_effort.load()); },
      IntSetter(&e->active_expire_effort, 1, 10));
  Add(
      "proto-max-bulk-len", true,
      [c] { return std::to_string(c->limits.proto_max_bulk_len.load()); },
      MemorySetter(&c->limits.proto_max_bulk_len, 1024 * 1024, kLongMax));
  Add(
      "client-query-buffer-limit", true,
      [c] { return std::to_string(c->limits.client_query_buffer_limit.load()); },
      MemorySetter(&c->limits.client_query_buffer_limit, 1024 * 1024, kLongMax));
  Add(
      "maxclients", true, [c] { return std::to_string(c->limits.maxclients.load()); },
      [c](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        std::optional<int64_t> n = ParseInt64(v[0]);
        if (!n) return Status::Error("argument couldn't be parsed into an integer");
        if (*n < 1 || *n > 4294967295LL) {
          return Status::Error("argument must be between 1 and 4294967295 inclusive");
        }
        c->limits.maxclients.store(static_cast<uint64_t>(*n));
        return Status::Ok();
      });
  // Shoal keeps no data on disk yet: these report that truthfully (what Redis reports with
  // persistence off) for tools that ask, e.g. redis-benchmark, and accept only those values.
  Add(
      "save", true, [] { return std::string(); },
      [](std::span<const std::string> v) {
        if (v.size() == 1 && v[0].empty()) return Status::Ok();
        return Status::Error("snapshots are not supported; only \"\" (none) is accepted");
      });
  Add(
      "appendonly", true, [] { return std::string("no"); },
      [](std::span<const std::string> v) {
        if (v.size() == 1 && ToLower(v[0]) == "no") return Status::Ok();
        return Status::Error("the append-only file is not supported; only no is accepted");
      });
  Add(
      "pipeline-squash", true,
      [c] {
        switch (c->limits.pipeline_squash.load()) {
          case PipelineSquash::kNone:
            return std::string("no");
          case PipelineSquash::kAll:
            return std::string("all");
          case PipelineSquash::kReads:
            break;
        }
        return std::string("reads");
      },
      [c](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        std::string mode = ToLower(v[0]);
        if (mode == "no") {
          c->limits.pipeline_squash.store(PipelineSquash::kNone);
        } else if (mode == "reads") {
          c->limits.pipeline_squash.store(PipelineSquash::kReads);
        } else if (mode == "all") {
          c->limits.pipeline_squash.store(PipelineSquash::kAll);
        } else {
          return Status::Error("argument(s) must be one of the following: no, reads, all");
        }
        return Status::Ok();
      });
  Add(
      "loglevel", true, [c] { return c->loglevel; },
      [c](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        std::string level = ToLower(v[0]);
        if (level != "debug" && level != "verbose" && level != "notice" && level != "warning" &&
            level != "nothing") {
          // Redis 7.0's text; "nothing" (7.2) is accepted as well.
          return Status::Error(
              "argument(s) must be one of the following: debug, verbose, notice, warning");
        }
        c->loglevel = level;
        if (spdlog::default_logger()) (void)SetLogLevel(level);
        return Status::Ok();
      });
  Add(
      "logfile", false, [c] { return c->logfile; },
      [c](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        c->logfile = v[0];
        return Status::Ok();
      });
  SlowLogOptions* slowlog = &c->slowlog;
  Add(
      "slowlog-log-slower-than", true,
      [slowlog] { return std::to_string(slowlog->log_slower_than_us.load()); },
      IntSetter(&slowlog->log_slower_than_us, -1, kLongMax));
  Add(
      "slowlog-max-len", true, [slowlog] { return std::to_string(slowlog->max_len.load()); },
      IntSetter(&slowlog->max_len, 0, kLongMax));
  Add(
      "requirepass", true, [c] { return c->requirepass; },
      [c](std::span<const std::string> v) {
        if (Status s = One(v); !s.ok()) return s;
        c->requirepass = v[0];
        return Status::Ok();
      });
}

const ConfigRegistry::Param* ConfigRegistry::Find(std::string_view name) const {
  for (const Param& p : params_) {
    if (EqualsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

Status ConfigRegistry::Set(std::string_view name, std::span<const std::string> values,
                           bool at_startup) {
  const Param* p = Find(name);
  if (p == nullptr)
    return Status::Error("Unknown option or number of arguments for CONFIG SET - '" +
                         std::string(name) + "'");
  if (!at_startup && !p->mutable_at_runtime) {
    return Status::Error("CONFIG SET failed (possibly related to argument '" + std::string(name) +
                         "') - can't set immutable config");
  }
  std::lock_guard<std::mutex> lock(mu_);
  Status s = p->set(values);
  if (!s.ok() && !at_startup) {
    return Status::Error("CONFIG SET failed (possibly related to argument '" + std::string(name) +
                         "') - " + s.message());
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> ConfigRegistry::Get(
    std::span<const std::string_view> patterns) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Param& p : params_) {
    for (std::string_view pattern : patterns) {
      if (GlobMatch(pattern, p.name, /*nocase=*/true)) {
        out.emplace_back(p.name, p.get());
        break;
      }
    }
  }
  return out;
}

std::string ConfigRegistry::Value(std::string_view name) const {
  const Param* p = Find(name);
  if (p == nullptr) return "";
  std::lock_guard<std::mutex> lock(mu_);
  return p->get();
}

Status ConfigRegistry::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error("cannot open config file '" + path + "'");
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    line_no++;
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    Result<std::vector<std::string>> words = SplitConfigLine(line);
    if (!words.ok()) {
      return Status::Error(path + ":" + std::to_string(line_no) + ": " + words.status().message());
    }
    if (words->empty()) continue;
    const std::vector<std::string>& w = *words;
    Status s = Set(w[0], std::span<const std::string>(w).subspan(1), /*at_startup=*/true);
    if (!s.ok()) {
      return Status::Error(path + ":" + std::to_string(line_no) + ": '" + w[0] +
                           "': " + s.message());
    }
  }
  config_->config_file = path;
  return Status::Ok();
}

Status ConfigRegistry::Rewrite() const {
  if (config_->config_file.empty()) {
    return Status::Error("ERR The server is running without a config file");
  }
  std::vector<std::string_view> all = {"*"};
  std::ostringstream out;
  out << "# Rewritten by CONFIG REWRITE\n";
  for (const auto& [name, value] : Get(all)) {
    std::string quoted = "\"";
    for (char ch : value) {
      if (ch == '"' || ch == '\\') quoted.push_back('\\');
      quoted.push_back(ch);
    }
    quoted.push_back('"');
    out << name << ' ' << (name == "bind" ? value : quoted) << '\n';
  }
  std::string tmp = config_->config_file + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return Status::Error("ERR Rewriting config file: cannot open " + tmp);
    f << out.str();
    if (!f.flush()) return Status::Error("ERR Rewriting config file: write failed");
  }
  if (std::rename(tmp.c_str(), config_->config_file.c_str()) != 0) {
    return Status::Error("ERR Rewriting config file: rename failed");
  }
  return Status::Ok();
}

}  // namespace shoal

// Structured logging: one line per event, `event key=value ...`, through spdlog.
// Thread-safe (spdlog's multi-threaded sinks); InitLogging is called once from main.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "base/status.h"

namespace shoal {

// level: debug|verbose|notice|warning (Redis names) or trace|info|warn|error|off.
// logfile: empty for stderr.
Status InitLogging(const std::string& level, const std::string& logfile);
Status SetLogLevel(const std::string& level);

}  // namespace shoal

// Usage: SHOAL_LOG(info, "listening addr={} port={}", addr, port);
#define SHOAL_LOG(level, ...) ::spdlog::level(__VA_ARGS__)

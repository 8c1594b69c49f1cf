#include "base/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/strings.h"

namespace shoal {

namespace {

bool ToSpdLevel(const std::string& name, spdlog::level::level_enum* out) {
  std::string n = ToLower(name);
  if (n == "debug" || n == "trace")
    *out = spdlog::level::debug;
  else if (n == "verbose" || n == "info")
    *out = spdlog::level::info;
  else if (n == "notice")
    *out = spdlog::level::info;
  else if (n == "warning" || n == "warn")
    *out = spdlog::level::warn;
  else if (n == "error")
    *out = spdlog::level::err;
  else if (n == "off" || n == "nothing")
    *out = spdlog::level::off;
  else
    return false;
  return true;
}

}  // namespace

Status InitLogging(const std::string& level, const std::string& logfile) {
  spdlog::level::level_enum lvl;
  if (!ToSpdLevel(level, &lvl)) return Status::Error("invalid log level '" + level + "'");
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (logfile.empty()) {
      logger = spdlog::stderr_logger_mt("shoal");
    } else {
      logger = spdlog::basic_logger_mt("shoal", logfile);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Status::Error(std::string("cannot open log: ") + e.what());
  }
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l pid=%P tid=%t %v", spdlog::pattern_time_type::utc);
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

Status SetLogLevel(const std::string& level) {
  spdlog::level::level_enum lvl;
  if (!ToSpdLevel(level, &lvl)) return Status::Error("invalid log level '" + level + "'");
  spdlog::set_level(lvl);
  return Status::Ok();
}

}  // namespace shoal

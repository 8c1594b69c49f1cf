// shoal-server: parses flags and the optional config file, starts a node and waits for
// SHUTDOWN, SIGINT or SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "base/logging.h"
#include "server/config.h"
#include "server/server.h"
#include "server/version.h"

namespace {

// Applies one flag given on the command line through the same registry the config file uses.
bool ApplyFlag(shoal::ConfigRegistry& registry, const std::string& name,
               const std::vector<std::string>& values) {
  shoal::Status s = registry.Set(name, values, /*at_startup=*/true);
  if (!s.ok()) {
    std::cerr << "shoal-server: --" << name << ": " << s.message() << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  shoal::ServerConfig config;
  config.engine.num_shards = std::max(1u, std::thread::hardware_concurrency());
  shoal::ConfigRegistry registry(&config);

  CLI::App app{"shoal-server: a Redis-compatible in-memory cache and message bus"};
  app.set_version_flag("--version", std::string("shoal-server ") + shoal::kShoalVersion);
  std::string config_file;
  app.add_option("config", config_file,
                 "Config file (redis.conf style: one 'name value' per line). Flags override it.");
  // Flag name -> value(s); applied after the config file so flags win.
  std::vector<std::pair<std::string, std::vector<std::string>>> flags;
  struct FlagSpec {
    const char* name;
    const char* help;
  };
  const FlagSpec specs[] = {
      {"bind", "Addresses to listen on, space separated (default 127.0.0.1)"},
      {"port", "RESP port (default 6379; 0 picks a free port)"},
      {"shards", "Shard threads (default: number of cores)"},
      {"databases", "Number of databases (default 16)"},
      {"maxmemory", "Memory limit for data, e.g. 100mb (default 0 = unlimited)"},
      {"maxmemory-policy",
       "noeviction|allkeys-lru|allkeys-lfu|allkeys-random|volatile-lru|volatile-lfu|"
       "volatile-random|volatile-ttl (default noeviction)"},
      {"loglevel", "debug|verbose|notice|warning|nothing (default notice)"},
      {"logfile", "Log file (default: standard error)"},
      {"requirepass", "Password clients must AUTH with (default: none)"},
      {"proto-max-bulk-len", "Largest bulk string a client may send (default 512mb)"},
      {"maxclients", "Most simultaneous clients (default 10000)"},
      {"hz", "Background cycles per second: active expiry, rehash (default 10)"},
  };
  std::vector<std::vector<std::string>> values(std::size(specs));
  for (size_t i = 0; i < std::size(specs); i++) {
    app.add_option(std::string("--") + specs[i].name, values[i], specs[i].help)
        ->expected(1, 64)
        ->delimiter(' ');
  }
  CLI11_PARSE(app, argc, argv);

  if (!config_file.empty()) {
    shoal::Status s = registry.LoadFile(config_file);
    if (!s.ok()) {
      std::cerr << "shoal-server: " << s.message() << "\n";
      return 1;
    }
  }
  for (size_t i = 0; i < std::size(specs); i++) {
    if (!values[i].empty() && !ApplyFlag(registry, specs[i].name, values[i])) return 1;
  }

  shoal::Status log_status = shoal::InitLogging(config.loglevel, config.logfile);
  if (!log_status.ok()) {
    std::cerr << "shoal-server: " << log_status.message() << "\n";
    return 1;
  }

  // Signals are taken by a dedicated thread with sigwait; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  shoal::Server server(&config, &registry);
  shoal::Status s = server.Start();
  if (!s.ok()) {
    SHOAL_LOG(critical, "event=start_failed reason=\"{}\"", s.message());
    return 1;
  }
  std::thread signal_thread([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    SHOAL_LOG(info, "event=signal signal={}", sig);
    server.Shutdown();
  });
  server.Wait();
  // Wake the signal thread if the shutdown came from a SHUTDOWN command.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  SHOAL_LOG(info, "event=stopped");
  spdlog::shutdown();  // flushes the log
  // Every shard thread has stopped. Connections that were suspended mid-hop still hold
  // handlers bound to other shards' loops; destroying the loops one by one would run those
  // handlers' destructors against loops already gone. Nothing is left to save (no
  // persistence yet), so the process ends here and the OS reclaims the memory, as Redis does.
  std::_Exit(0);
}

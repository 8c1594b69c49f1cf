// ServerApi: what command handlers may ask of the server beyond the data engine (config,
// clients, shutdown, process facts). Implemented by server/; declared here so the command
// layer does not depend on the server layer.
// Thread ownership: methods that name a shard must be called on that shard's thread; the
// others are safe from any shard thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "commands/command.h"

namespace shoal {

// One connected client as the registry sees it.
struct ClientHandle {
  ClientState* state;
  std::function<void()> close;  // closes the connection (runs on its shard thread)
};

// Clients accepted by one shard. Owned by that shard's thread.
class ClientRegistry {
 public:
  void Add(ClientState* state, std::function<void()> close) {
    clients_.push_back(ClientHandle{state, std::move(close)});
  }
  void Remove(const ClientState* state) {
    for (size_t i = 0; i < clients_.size(); i++) {
      if (clients_[i].state == state) {
        clients_[i] = std::move(clients_.back());
        clients_.pop_back();
        return;
      }
    }
  }
  std::vector<ClientHandle>& all() { return clients_; }

 private:
  std::vector<ClientHandle> clients_;
};

struct ProcessFacts {
  std::string version;  // redis_version we report (7.x compatible)
  std::string shoal_version;
  int64_t start_time_ms = 0;
  int tcp_port = 0;
  std::string config_file;
  std::string executable;
  std::string run_id;
};

class ServerApi {
 public:
  virtual ~ServerApi() = default;

  // CONFIG GET: every (name, value) whose name matches one of the glob patterns.
  virtual std::vector<std::pair<std::string, std::string>> ConfigGet(
      std::span<const std::string_view> patterns) = 0;
  // CONFIG SET of several pairs, all or nothing.
  virtual Status ConfigSet(
      std::span<const std::pair<std::string_view, std::string_view>> pairs) = 0;
  virtual Status ConfigRewrite() = 0;

  virtual ClientRegistry& clients(uint32_t shard) = 0;
  virtual uint64_t NextClientId() = 0;

  // CLIENT PAUSE: until `until_ms` (Unix ms); only write commands when `writes_only`.
  virtual void PauseClients(int64_t until_ms, bool writes_only) = 0;
  virtual void UnpauseClients() = 0;

  // requirepass: when set, clients must AUTH before other commands.
  virtual bool auth_required() const = 0;
  // True when `user`/`password` are valid credentials ("default" is the only user).
  virtual bool CheckPassword(std::string_view user, std::string_view password) const = 0;

  // Stops the process after the current replies are flushed.
  virtual void Shutdown() = 0;
  virtual const ProcessFacts& facts() const = 0;
  // Server-wide counters (connections, commands) for INFO.
  virtual uint64_t total_connections_received() const = 0;
  virtual uint64_t total_commands_processed() const = 0;
  virtual uint64_t rejected_connections() const = 0;
  virtual void ResetStats() = 0;
};

}  // namespace shoal

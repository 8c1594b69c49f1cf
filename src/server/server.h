// Server: one Shoal node. Owns the shard threads, the dispatcher, the configuration and the
// listeners, and implements ServerApi for the commands.
//
// Thread ownership: constructed, started and waited on by main. Listeners accept on shard 0
// and hand each connection to the shards round-robin; a connection then lives on one shard
// thread for its whole life. ServerApi methods are safe from any shard thread.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "commands/dispatcher.h"
#include "commands/server_api.h"
#include "engine/shard_set.h"
#include "server/config.h"

namespace shoal {

class Server final : public ServerApi {
 public:
  Server(ServerConfig* config, ConfigRegistry* registry);
  ~Server() override;

  // Binds every listen address and starts the shard threads. Fails without starting threads
  // when an address cannot be bound.
  Status Start();
  // Blocks until Shutdown() (SHUTDOWN command or a signal), then stops the shards.
  void Wait();
  // The port actually bound (useful with --port 0).
  int bound_port() const { return bound_port_; }

  ShardSet& shards() { return *shards_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  const ServerConfig& config() const { return *config_; }
  // Connection bookkeeping, called by connections on their shard thread.
  bool AdmitConnection();
  void ReleaseConnection();
  uint64_t connected_clients() const { return connected_.load(std::memory_order_relaxed); }

  // ServerApi
  std::vector<std::pair<std::string, std::string>> ConfigGet(
      std::span<const std::string_view> patterns) override;
  Status ConfigSet(std::span<const std::pair<std::string_view, std::string_view>> pairs) override;
  Status ConfigRewrite() override;
  ClientRegistry& clients(uint32_t shard) override { return client_registries_[shard]; }
  uint64_t NextClientId() override { return next_client_id_.fetch_add(1) + 1; }
  void PauseClients(int64_t until_ms, bool writes_only) override;
  void UnpauseClients() override;
  bool auth_required() const override;
  bool CheckPassword(std::string_view user, std::string_view password) const override;
  void Shutdown() override;
  const ProcessFacts& facts() const override { return facts_; }
  uint64_t total_connections_received() const override { return total_connections_.load(); }
  uint64_t total_commands_processed() const override { return dispatcher_->total_commands(); }
  uint64_t rejected_connections() const override { return rejected_connections_.load(); }
  void ResetStats() override;

 private:
  boost::asio::awaitable<void> AcceptLoop(boost::asio::ip::tcp::acceptor& acceptor);

  ServerConfig* config_;
  ConfigRegistry* registry_;
  ProcessFacts facts_;
  std::unique_ptr<ShardSet> shards_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<ClientRegistry> client_registries_;  // one per shard, owned by that shard
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  int bound_port_ = 0;
  uint32_t next_shard_ = 0;  // round-robin target, touched by shard 0 only

  std::atomic<uint64_t> next_client_id_{0};
  std::atomic<uint64_t> connected_{0};
  std::atomic<uint64_t> total_connections_{0};
  std::atomic<uint64_t> rejected_connections_{0};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
};

}  // namespace shoal

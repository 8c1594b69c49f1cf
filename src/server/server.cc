#include "server/server.h"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include "base/logging.h"
#include "base/strings.h"
#include "server/connection.h"
#include "server/version.h"

namespace shoal {

namespace {
std::string RandomRunId() {
  std::random_device rd;
  std::string id;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 40; i++) id.push_back(hex[rd() % 16]);
  return id;
}
}  // namespace

Server::Server(ServerConfig* config, ConfigRegistry* registry)
    : config_(config), registry_(registry) {
  shards_ = std::make_unique<ShardSet>(&config_->engine, &SystemClock::Instance());
  dispatcher_ = std::make_unique<Dispatcher>(shards_.get(), this, &config_->slowlog);
  client_registries_.resize(shards_->size());
  facts_.version = kRedisCompatVersion;
  facts_.shoal_version = kShoalVersion;
  facts_.start_time_ms = SystemClock::Instance().NowMs();
  facts_.config_file = config_->config_file;
  facts_.run_id = RandomRunId();
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) facts_.executable.assign(exe, static_cast<size_t>(n));
}

Server::~Server() {
  shards_->Stop();
  shards_->Join();
  acceptors_.clear();
  // Connections still suspended in their coroutines are destroyed with the io_contexts;
  // their cleanup touches the client registries, so the shards go first.
  shards_.reset();
}

Status Server::Start() {
  namespace ip = boost::asio::ip;
  for (const std::string& entry : config_->bind) {
    // As Redis: a leading '-' marks an address that may be unavailable.
    bool optional = !entry.empty() && entry[0] == '-';
    std::string address = optional ? entry.substr(1) : entry;
    if (address == "*") address = "0.0.0.0";
    boost::system::error_code ec;
    ip::address addr = ip::make_address(address, ec);
    if (ec) return Status::Error("invalid bind address '" + entry + "'");
    auto acceptor = std::make_unique<ip::tcp::acceptor>(shards_->context(0));
    ip::tcp::endpoint endpoint(
        addr, static_cast<unsigned short>(bound_port_ != 0 ? bound_port_ : config_->port));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && addr.is_v6()) acceptor->set_option(ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(511, ec);
    if (ec) {
      if (optional) {
        SHOAL_LOG(warn, "event=bind_skipped addr={} reason=\"{}\"", address, ec.message());
        continue;
      }
      return Status::Error("cannot listen on " + address + ":" + std::to_string(config_->port) +
                           ": " + ec.message());
    }
    bound_port_ = acceptor->local_endpoint().port();
    SHOAL_LOG(info, "event=listening protocol=resp addr={} port={}", address, bound_port_);
    acceptors_.push_back(std::move(acceptor));
  }
  if (acceptors_.empty()) return Status::Error("no address to listen on");
  facts_.tcp_port = bound_port_;
  shards_->Start([this](uint32_t id) {
    if (id != 0) return;
    for (auto& acceptor : acceptors_) {
      boost::asio::co_spawn(shards_->context(0), AcceptLoop(*acceptor), boost::asio::detached);
    }
  });
  SHOAL_LOG(info, "event=started shards={} databases={} version={}", shards_->size(),
            config_->engine.num_databases, kShoalVersion);
  return Status::Ok();
}

boost::asio::awaitable<void> Server::AcceptLoop(boost::asio::ip::tcp::acceptor& acceptor) {
  for (;;) {
    uint32_t target = next_shard_;
    next_shard_ = (next_shard_ + 1) % shards_->size();
    auto [ec, socket] = co_await acceptor.async_accept(
        shards_->context(target), boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) {
      if (ec == boost::asio::error::operation_aborted) co_return;
      SHOAL_LOG(warn, "event=accept_failed reason=\"{}\"", ec.message());
      // Out of descriptors and similar: back off briefly instead of spinning.
      boost::asio::steady_timer timer(shards_->context(0), std::chrono::milliseconds(10));
      co_await timer.async_wait(boost::asio::use_awaitable);
      continue;
    }
    total_connections_.fetch_add(1, std::memory_order_relaxed);
    boost::asio::co_spawn(shards_->context(target),
                          ServeConnection(*this, std::move(socket), target), boost::asio::detached);
  }
}

bool Server::AdmitConnection() {
  uint64_t n = connected_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n > config_->limits.maxclients.load(std::memory_order_relaxed)) {
    connected_.fetch_sub(1, std::memory_order_relaxed);
    rejected_connections_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void Server::ReleaseConnection() { connected_.fetch_sub(1, std::memory_order_relaxed); }

std::vector<std::pair<std::string, std::string>> Server::ConfigGet(
    std::span<const std::string_view> patterns) {
  return registry_->Get(patterns);
}

Status Server::ConfigSet(std::span<const std::pair<std::string_view, std::string_view>> pairs) {
  // All or nothing: remember the old values and put them back if one fails.
  std::vector<std::pair<std::string, std::string>> old;
  for (const auto& [name, value] : pairs) {
    std::vector<std::string_view> pattern = {name};
    auto current = registry_->Get(pattern);
    Result<std::vector<std::string>> words = ToLower(name) == "bind"
                                                 ? SplitConfigLine(value)
                                                 : std::vector<std::string>{std::string(value)};
    Status s = words.ok() ? registry_->Set(name, *words, /*at_startup=*/false) : words.status();
    if (!s.ok()) {
      for (auto it = old.rbegin(); it != old.rend(); ++it) {
        std::vector<std::string> v = {it->second};
        (void)registry_->Set(it->first, v, /*at_startup=*/true);
      }
      return s;
    }
    if (!current.empty()) old.push_back(current.front());
  }
  return Status::Ok();
}

Status Server::ConfigRewrite() { return registry_->Rewrite(); }

void Server::PauseClients(int64_t until_ms, bool writes_only) {
  dispatcher_->Pause(until_ms, writes_only);
}

void Server::UnpauseClients() { dispatcher_->Unpause(); }

bool Server::auth_required() const { return !registry_->Value("requirepass").empty(); }

bool Server::CheckPassword(std::string_view user, std::string_view password) const {
  std::string pass = registry_->Value("requirepass");
  if (user != "default") return false;
  if (pass.empty()) return true;
  // Constant-time comparison, so response timing does not leak the password.
  unsigned char diff = pass.size() == password.size() ? 0 : 1;
  for (size_t i = 0; i < password.size(); i++) {
    diff |= static_cast<unsigned char>(password[i] ^ pass[i % pass.size()]);
  }
  return diff == 0;
}

void Server::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_requested_ = true;
  }
  stop_cv_.notify_all();
}

void Server::Wait() {
  {
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return stop_requested_; });
  }
  SHOAL_LOG(info, "event=shutdown");
  shards_->Stop();
  shards_->Join();
}

void Server::ResetStats() {
  dispatcher_->ResetStats();
  total_connections_.store(0);
  rejected_connections_.store(0);
}

}  // namespace shoal

#include "commands/blocking.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/hash.h"
#include "commands/value_helpers.h"

namespace shoal {

std::optional<int64_t> ParseBlockTimeout(std::string_view arg, ReplySink& out) {
  // As Redis 7.0: a long double in seconds (strtold syntax, no spaces, no NaN), rounded up to
  // milliseconds (so -0.5 ms is 0: forever); an infinite or huge value converts to the most
  // negative integer (x86).
  const std::string text(arg);
  char* end = nullptr;
  errno = 0;
  const long double seconds = text.empty() ? 0 : std::strtold(text.c_str(), &end);
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) || *end != '\0' ||
      std::isnan(seconds) || (errno == ERANGE && (std::isinf(seconds) || seconds == 0))) {
    out.Error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  const long double ms = std::ceil(seconds * 1000.0L);
  const int64_t timeout_ms = std::fabs(ms) < 9.2e18L ? static_cast<int64_t>(ms) : INT64_MIN;
  if (timeout_ms < 0) {
    out.Error("ERR timeout is negative");
    return std::nullopt;
  }
  return timeout_ms;  // 7.0 has no upper bound: a huge timeout waits "forever"
}

ClientWaiter::ClientWaiter(ValueType type, CommandContext& ctx)
    : BlockedClient(type),
      shards_(ctx.shards),
      home_(static_cast<uint32_t>(ShardSet::CurrentShard())) {}

void ClientWaiter::Wake() {
  served_.store(true, std::memory_order_release);
  shards_->Send(home_, MakeTask([self = shared_from_this()] { self->Interrupt(); }));
}

namespace {

// One wait, undone on every exit (also when the coroutine is destroyed at shutdown): INFO's
// blocked_clients, the peer watch, CLIENT UNBLOCK's hook, the waiter's view of the timer.
struct WaitScope {
  ShardStats& stats;
  ClientState& client;
  boost::asio::steady_timer*& timer;
  ~WaitScope() {
    stats.blocked_clients--;
    if (client.peer_watch != nullptr) client.peer_watch->Stop();
    client.unblock = nullptr;
    timer = nullptr;
  }
};

// A waiter served by running the command's pop on the key that received elements.
class PopWaiter final : public ClientWaiter {
 public:
  PopWaiter(ValueType type, CommandContext& ctx, PopFn pop)
      : ClientWaiter(type, ctx), pop_(std::move(pop)) {}

  const std::string& key() const { return key_; }  // once served

  void Serve(Shard& shard, Db& db, std::string_view key) override {
    key_ = key;
    pop_(db, db.FindForWrite(key, shard.NowMs()));
    Wake();
  }

 private:
  const PopFn pop_;
  std::string key_;
};

}  // namespace

void ReplyUnserved(CommandContext& ctx, BlockResult result, void (ReplySink::*timeout_reply)()) {
  if (result == BlockResult::kUnblocked) {
    ctx.out->Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    (ctx.out->*timeout_reply)();
  }
}

boost::asio::awaitable<BlockResult> Block(CommandContext& ctx, Transaction& tx,
                                          std::span<const std::string_view> keys,
                                          std::shared_ptr<ClientWaiter> waiter,
                                          int64_t timeout_ms) {
  const int db = ctx.client->db;
  const uint32_t num_shards = ctx.shards->size();
  auto add = [&](Shard& s) {
    for (std::string_view k : keys) {
      if (ShardOfKey(k, num_shards) == s.id()) s.blocking().Add(db, k, waiter);
    }
  };
  for (uint32_t s : tx.shards()) co_await tx.Run(s, add);

  {
    using Clock = std::chrono::steady_clock;
    // Beyond ~30 years a deadline is as good as none (and steady_clock would overflow).
    constexpr int64_t kForeverMs = int64_t{1} << 40;
    boost::asio::steady_timer timer(ctx.shards->context(waiter->home_));
    timer.expires_at(timeout_ms == 0 || timeout_ms > kForeverMs
                         ? Clock::time_point::max()
                         : Clock::now() + std::chrono::milliseconds(timeout_ms));
    waiter->timer_ = &timer;
    WaitScope scope{ctx.shards->shard(waiter->home_).stats(), *ctx.client, waiter->timer_};
    scope.stats.blocked_clients++;
    if (ctx.client->peer_watch != nullptr) {
      ctx.client->peer_watch->Start([w = waiter] {
        w->gone_ = true;
        w->Interrupt();
      });
    }
    ctx.client->unblock = [w = waiter.get()](bool with_error) {
      if (!w->TryClaim()) return false;
      w->unblocked_ = true;
      w->unblocked_with_error_ = with_error;
      w->Interrupt();
      return true;
    };
    for (;;) {
      if (waiter->served_.load(std::memory_order_acquire) || waiter->unblocked_) break;
      auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (waiter->served_.load(std::memory_order_acquire) || waiter->unblocked_) break;
      if (ec && !waiter->gone_) continue;  // not a timeout, not a disconnect
      if (waiter->TryClaim()) break;       // timed out or gone: nobody will serve it now
      // A shard claimed it first: its result and wake-up are on the way.
      timer.expires_at(Clock::time_point::max());
    }
  }

  std::vector<uint32_t> shards;
  for (std::string_view k : keys) shards.push_back(ShardOfKey(k, num_shards));
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  auto remove = [&](Shard& s) {
    for (std::string_view k : keys) {
      if (ShardOfKey(k, num_shards) == s.id()) s.blocking().Remove(db, k, waiter.get());
    }
  };
  for (uint32_t s : shards) co_await ctx.shards->Execute(s, nullptr, false, remove);

  if (waiter->served_.load(std::memory_order_acquire)) co_return BlockResult::kServed;
  if (waiter->gone_) ctx.client->close_after_reply = true;
  co_return waiter->unblocked_with_error_ ? BlockResult::kUnblocked : BlockResult::kTimedOut;
}

boost::asio::awaitable<void> PopFirstOrBlock(CommandContext& ctx,
                                             std::span<const std::string_view> keys, ValueType type,
                                             int64_t timeout_ms, PopFn pop,
                                             const std::function<void(std::string_view)>& reply,
                                             void (ReplySink::*timeout_reply)()) {
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  for (std::string_view k : keys) tx.AddKey(k, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  bool wrong_type;
  std::optional<std::string_view> key =
      co_await PopFromFirstLocked(ctx, tx, keys, type, pop, &wrong_type);
  if (key || ctx.client->exec_holds_shards) {
    co_await tx.Finish();
    if (wrong_type) {
      ctx.out->Error(errors::kWrongType);
    } else if (key) {
      reply(*key);
    } else {
      (ctx.out->*timeout_reply)();
    }
    co_return;
  }
  auto waiter = std::make_shared<PopWaiter>(type, ctx, std::move(pop));
  const BlockResult result = co_await Block(ctx, tx, keys, waiter, timeout_ms);
  if (result == BlockResult::kServed) {
    reply(waiter->key());
  } else {
    ReplyUnserved(ctx, result, timeout_reply);
  }
}

}  // namespace shoal

// The client's side of blocking commands (docs/blocking.md): Redis's timeout argument, the
// waiter that wakes a blocked client's coroutine, and the wait itself. The shard's side is
// engine/blocking_table.h.
//
// Thread ownership: everything runs on the blocked client's shard thread except
// ClientWaiter::Wake (and the Serve of subclasses), which run on the serving shard's thread;
// the waiter's timer and `gone` flag are touched only on the client's thread. The timer lives
// in Block's frame (a waiter may outlive it in another shard's table, even at shutdown).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "commands/command.h"
#include "engine/blocking_table.h"
#include "engine/transaction.h"

namespace shoal {

// The timeout argument (seconds, fractional) as milliseconds, 0 meaning forever. On a bad
// value writes Redis's error and returns nullopt.
std::optional<int64_t> ParseBlockTimeout(std::string_view arg, ReplySink& out);

// How a wait ended. kTimedOut also covers a client gone away and CLIENT UNBLOCK ... TIMEOUT;
// kUnblocked is CLIENT UNBLOCK ... ERROR.
enum class BlockResult { kServed, kTimedOut, kUnblocked };

// A blocked client. Subclasses implement Serve: store the result, then call Wake.
class ClientWaiter : public BlockedClient, public std::enable_shared_from_this<ClientWaiter> {
 public:
  ClientWaiter(ValueType type, CommandContext& ctx);

 protected:
  // On the serving shard's thread, once the result is stored: the client reads it.
  void Wake();

 private:
  friend boost::asio::awaitable<BlockResult> Block(CommandContext& ctx, Transaction& tx,
                                                   std::span<const std::string_view> keys,
                                                   std::shared_ptr<ClientWaiter> waiter,
                                                   int64_t timeout_ms);

  // On the client's thread: ends the current wait.
  void Interrupt() {
    if (timer_ != nullptr) timer_->cancel();
  }

  ShardSet* shards_;
  uint32_t home_;                               // the client's shard
  boost::asio::steady_timer* timer_ = nullptr;  // while Block waits
  bool gone_ = false;
  bool unblocked_ = false;  // by CLIENT UNBLOCK (after winning the claim)
  bool unblocked_with_error_ = false;
  std::atomic<bool> served_{false};
};

// Registers `waiter` under `keys` on their shards (run as the parts of `tx`, which must hold
// every key's lock: nothing can be pushed between the caller's check and the registration),
// waits until a shard serves it (the result is then in the waiter), the timeout passes, the
// client goes away or CLIENT UNBLOCK ends it, and unregisters it. A client that went away is
// marked to be closed after the (timeout) reply.
boost::asio::awaitable<BlockResult> Block(CommandContext& ctx, Transaction& tx,
                                          std::span<const std::string_view> keys,
                                          std::shared_ptr<ClientWaiter> waiter, int64_t timeout_ms);
// The reply of a wait that ended unserved: `timeout_reply`, or the UNBLOCKED error.
void ReplyUnserved(CommandContext& ctx, BlockResult result, void (ReplySink::*timeout_reply)());

// BLPOP, BZPOPMIN and their M forms: under one Transaction over `keys` (locked even on one
// shard), runs pop(db, entry) on the first of them that exists when it holds `type`
// (WRONGTYPE when another type); when none exists, blocks until one receives elements and
// runs `pop` there, on its shard. Then replies with reply(key) or, when nothing was popped
// (the timeout, or at once inside EXEC, where nothing blocks), with `timeout_reply`. `pop`
// keeps its result where `reply` finds it; it may run on another shard's thread while the
// caller waits, and is kept alive by the waiter.
using PopFn = std::function<void(Db&, Entry*)>;
boost::asio::awaitable<void> PopFirstOrBlock(CommandContext& ctx,
                                             std::span<const std::string_view> keys, ValueType type,
                                             int64_t timeout_ms, PopFn pop,
                                             const std::function<void(std::string_view)>& reply,
                                             void (ReplySink::*timeout_reply)());

}  // namespace shoal

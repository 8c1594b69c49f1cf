// ShardSet: the N shard threads, their io_contexts and mailboxes, and "hops": running a piece
// of work on the shard that owns a key and resuming the caller on its own thread.
//
// Thread ownership: the ShardSet object is built and started by main; after Start(), each
// shard's data is touched only by its thread. Execute/Send are called from shard threads.
// A hop never blocks a thread: the caller's coroutine suspends until the owner shard has run
// the work and sent the completion back through the caller's mailbox.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "engine/lock_table.h"
#include "engine/options.h"
#include "engine/shard.h"
#include "io/mailbox.h"
#include "io/task.h"

namespace shoal {

class ShardSet {
 public:
  ShardSet(EngineOptions* options, const Clock* clock);
  ~ShardSet();
  ShardSet(const ShardSet&) = delete;
  ShardSet& operator=(const ShardSet&) = delete;

  uint32_t size() const { return static_cast<uint32_t>(units_.size()); }
  Shard& shard(uint32_t id) { return *units_[id]->shard; }
  boost::asio::io_context& context(uint32_t id) { return units_[id]->context; }
  EngineOptions& options() { return *options_; }

  // Starts one thread per shard. `on_start(id)` runs first on each shard thread (listeners,
  // cron). Returns immediately.
  void Start(const std::function<void(uint32_t)>& on_start);
  // Any thread: stops every shard loop; Join waits for the threads.
  void Stop();
  void Join();

  // The shard whose thread is calling, or -1 outside shard threads.
  static int CurrentShard();

  // From a shard thread: queue `task` to run on `target`. When the target's mailbox is full
  // the task waits in this thread's outbox (FIFO per target) and is retried: backpressure
  // without blocking the thread.
  void Send(uint32_t target, TaskPtr task);

  // From a shard thread: run `body(Shard&)` on `target` and resume when it has run.
  // `gate` (may be null) is checked against the target's LockTable first: the body waits
  // until the request does not conflict; with `acquire`, the locks are then taken.
  // Runs inline, without suspending, when `target` is the caller's shard and the gate is open.
  // After the body, the target serves clients blocked on keys it created (ServeBlocked).
  template <typename Body>
  boost::asio::awaitable<void> Execute(uint32_t target, const LockRequest* gate, bool acquire,
                                       Body& body);

  // From a shard thread: runs `body(Shard&, i)` on targets[i] for every i, all in flight at
  // once (no order among them), and resumes when every one has run. Like Execute's gate,
  // `gate_of(i)` (a std::optional<LockRequest>, only checked, never acquired; nullopt: no
  // gate, e.g. when the caller holds the locks) says which keys must be free first; it is
  // called on targets[i]'s thread, and only when that shard has locks held or waiting. Hops for the
  // caller's own shard go through its mailbox too, so the caller is always resumed from its
  // mailbox, never inside this call.
  template <typename GateOf, typename Body>
  boost::asio::awaitable<void> ExecuteParallel(std::span<const uint32_t> targets, GateOf& gate_of,
                                               Body& body);

  // Run `fn(Shard&)` on every shard (ascending), e.g. DBSIZE, KEYS, INFO.
  template <typename Fn>
  boost::asio::awaitable<void> ForEachShard(Fn& fn) {
    for (uint32_t i = 0; i < size(); i++) co_await Execute(i, nullptr, false, fn);
  }

  uint64_t mailbox_full_rejections() const;

  // On shard `id`'s thread, after Shard::FlushLazily: frees the flushed keys in steps of
  // kLazyFreeStep, each a separate handler, so clients are served in between.
  void StartLazyFree(uint32_t id);
  static constexpr size_t kLazyFreeStep = 4096;

 private:
  struct Unit {
    boost::asio::io_context context{1};
    std::unique_ptr<Shard> shard;
    std::unique_ptr<Mailbox> mailbox;
    std::unique_ptr<boost::asio::steady_timer> cron;
    // Tasks this shard could not yet push to other shards' full mailboxes, per target.
    std::vector<std::deque<TaskPtr>> outbox;
    bool outbox_flush_scheduled = false;
    bool lazy_free_scheduled = false;
    std::thread thread;
  };

  void FlushOutbox(uint32_t from);
  void ScheduleCron(uint32_t id);

  EngineOptions* options_;
  const Clock* clock_;
  std::vector<std::unique_ptr<Unit>> units_;
};

template <typename Body>
boost::asio::awaitable<void> ShardSet::Execute(uint32_t target, const LockRequest* gate,
                                               bool acquire, Body& body) {
  const uint32_t origin = static_cast<uint32_t>(CurrentShard());
  if (target == origin) {
    Shard& s = shard(target);
    if (gate == nullptr || s.locks().CanRun(*gate)) {
      if (gate != nullptr && acquire) s.locks().Acquire(*gate);
      body(s);
      s.ServeBlocked();
      co_return;
    }
  }
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
      [this, origin, target, gate, acquire, &body](auto handler) {
        // Runs on the target shard: the body, then the completion goes home by mailbox
        // (also when target == origin, so the caller is never resumed inside initiation).
        auto run = [this, origin, target, &body, h = std::move(handler)]() mutable {
          body(shard(target));
          shard(target).ServeBlocked();
          Send(origin, MakeTask(std::move(h)));
        };
        auto arrive = [this, target, gate, acquire, run = std::move(run)]() mutable {
          Shard& s = shard(target);
          if (gate == nullptr || s.locks().CanRun(*gate)) {
            if (gate != nullptr && acquire) s.locks().Acquire(*gate);
            run();
          } else {
            s.locks().Wait(*gate, acquire, MakeTask(std::move(run)));
          }
        };
        Send(target, MakeTask(std::move(arrive)));
      },
      boost::asio::use_awaitable);
}

template <typename GateOf, typename Body>
boost::asio::awaitable<void> ShardSet::ExecuteParallel(std::span<const uint32_t> targets,
                                                       GateOf& gate_of, Body& body) {
  if (targets.empty()) co_return;
  const uint32_t origin = static_cast<uint32_t>(CurrentShard());
  co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
      [this, origin, targets, &gate_of, &body](auto handler) {
        // The join: counted down by completions, which all run on the origin thread.
        struct Join {
          size_t pending;
          decltype(handler) resume;
        };
        auto* join = new Join{targets.size(), std::move(handler)};
        auto done = [join] {
          if (--join->pending > 0) return;
          auto resume = std::move(join->resume);
          delete join;
          std::move(resume)();
        };
        for (size_t i = 0; i < targets.size(); i++) {
          const uint32_t target = targets[i];
          auto run = [this, origin, target, i, &body, done] {
            body(shard(target), i);
            shard(target).ServeBlocked();
            Send(origin, MakeTask(done));
          };
          auto arrive = [this, target, i, &gate_of, run = std::move(run)]() mutable {
            LockTable& locks = shard(target).locks();
            if (locks.idle()) return run();
            std::optional<LockRequest> gate = gate_of(i);
            if (!gate || locks.CanRun(*gate)) return run();
            locks.Wait(std::move(*gate), /*acquire=*/false, MakeTask(std::move(run)));
          };
          Send(target, MakeTask(std::move(arrive)));
        }
      },
      boost::asio::use_awaitable);
}

}  // namespace shoal

#include "engine/shard_set.h"

#include <boost/asio/post.hpp>
#include <chrono>

#include "base/logging.h"

namespace shoal {

namespace {
thread_local int current_shard = -1;
}  // namespace

ShardSet::ShardSet(EngineOptions* options, const Clock* clock) : options_(options), clock_(clock) {
  uint32_t n = std::max<uint32_t>(1, options_->num_shards);
  for (uint32_t i = 0; i < n; i++) {
    auto unit = std::make_unique<Unit>();
    unit->shard = std::make_unique<Shard>(i, options_, clock_);
    unit->mailbox = std::make_unique<Mailbox>(unit->context, options_->mailbox_capacity);
    unit->outbox.resize(n);
    units_.push_back(std::move(unit));
  }
}

ShardSet::~ShardSet() {
  Stop();
  Join();
}

int ShardSet::CurrentShard() { return current_shard; }

void ShardSet::Start(const std::function<void(uint32_t)>& on_start) {
  for (uint32_t i = 0; i < size(); i++) {
    Unit* unit = units_[i].get();
    unit->thread = std::thread([this, unit, i, on_start] {
      current_shard = static_cast<int>(i);
      auto guard = boost::asio::make_work_guard(unit->context);
      boost::asio::post(unit->context, [this, i, on_start] {
        ScheduleCron(i);
        if (on_start) on_start(i);
      });
      unit->context.run();
      current_shard = -1;
    });
  }
}

void ShardSet::Stop() {
  for (auto& unit : units_) unit->context.stop();
}

void ShardSet::Join() {
  for (auto& unit : units_) {
    if (unit->thread.joinable()) unit->thread.join();
  }
}

void ShardSet::ScheduleCron(uint32_t id) {
  Unit* unit = units_[id].get();
  if (!unit->cron) unit->cron = std::make_unique<boost::asio::steady_timer>(unit->context);
  int hz = std::clamp(options_->hz.load(std::memory_order_relaxed), 1, 500);
  unit->cron->expires_after(std::chrono::microseconds(1000000 / hz));
  unit->cron->async_wait([this, id](const boost::system::error_code& ec) {
    if (ec) return;
    units_[id]->shard->Cron();
    ScheduleCron(id);
  });
}

void ShardSet::Send(uint32_t target, TaskPtr task) {
  Unit& from = *units_[static_cast<uint32_t>(current_shard)];
  std::deque<TaskPtr>& pending = from.outbox[target];
  if (pending.empty() && units_[target]->mailbox->TryPush(task)) return;
  pending.push_back(std::move(task));
  if (!from.outbox_flush_scheduled) {
    from.outbox_flush_scheduled = true;
    uint32_t self = static_cast<uint32_t>(current_shard);
    boost::asio::post(from.context, [this, self] { FlushOutbox(self); });
  }
}

void ShardSet::FlushOutbox(uint32_t from_id) {
  Unit& from = *units_[from_id];
  from.outbox_flush_scheduled = false;
  bool left = false;
  for (uint32_t target = 0; target < size(); target++) {
    std::deque<TaskPtr>& pending = from.outbox[target];
    while (!pending.empty() && units_[target]->mailbox->TryPush(pending.front())) {
      pending.pop_front();
    }
    left = left || !pending.empty();
  }
  if (left) {
    // Let this shard's other handlers (including its own mailbox) run, then retry.
    from.outbox_flush_scheduled = true;
    boost::asio::post(from.context, [this, from_id] { FlushOutbox(from_id); });
  }
}

void ShardSet::StartLazyFree(uint32_t id) {
  Unit& unit = *units_[id];
  if (unit.lazy_free_scheduled) return;
  unit.lazy_free_scheduled = true;
  boost::asio::post(unit.context, [this, id] {
    Unit& u = *units_[id];
    u.lazy_free_scheduled = false;
    if (u.shard->FreeLazily(kLazyFreeStep)) StartLazyFree(id);
  });
}

uint64_t ShardSet::mailbox_full_rejections() const {
  uint64_t n = 0;
  for (const auto& unit : units_) n += unit->mailbox->full_rejections();
  return n;
}

}  // namespace shoal

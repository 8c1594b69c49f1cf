#include "io/mailbox.h"

#include <bit>
#include <boost/asio/post.hpp>

namespace shoal {

Mailbox::Mailbox(boost::asio::io_context& owner, size_t capacity) : owner_(owner) {
  size_t size = std::bit_ceil(capacity < 2 ? size_t{2} : capacity);
  cells_ = std::make_unique<Cell[]>(size);
  for (size_t i = 0; i < size; i++) {
    cells_[i].sequence.store(i, std::memory_order_relaxed);
    cells_[i].task = nullptr;
  }
  mask_ = size - 1;
}

Mailbox::~Mailbox() {
  while (Task* task = Dequeue()) delete task;
}

bool Mailbox::Enqueue(Task* task) {
  size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
  for (;;) {
    Cell& cell = cells_[pos & mask_];
    size_t seq = cell.sequence.load(std::memory_order_acquire);
    intptr_t diff = static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
    if (diff == 0) {
      if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.task = task;
        cell.sequence.store(pos + 1, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;  // full
    } else {
      pos = enqueue_pos_.load(std::memory_order_relaxed);
    }
  }
}

Task* Mailbox::Dequeue() {
  size_t pos = dequeue_pos_.load(std::memory_order_relaxed);
  Cell& cell = cells_[pos & mask_];
  size_t seq = cell.sequence.load(std::memory_order_acquire);
  if (static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1) < 0) return nullptr;  // empty
  // Single consumer: no CAS needed on dequeue_pos_.
  Task* task = cell.task;
  dequeue_pos_.store(pos + 1, std::memory_order_relaxed);
  cell.sequence.store(pos + mask_ + 1, std::memory_order_release);
  return task;
}

bool Mailbox::TryPush(TaskPtr& task) {
  if (!Enqueue(task.get())) {
    full_rejections_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  (void)task.release();
  if (!drain_scheduled_.exchange(true, std::memory_order_acq_rel)) {
    boost::asio::post(owner_, [this] { Drain(); });
  }
  return true;
}

void Mailbox::Drain() {
  // Clear the flag before draining: a push that lands after our last Dequeue() sees the flag
  // clear and schedules another drain, so no message is left behind. It must be a
  // read-modify-write, not a plain store: a producer's exchange that still read `true` then
  // synchronizes with this one, so its enqueue is visible to the Dequeue() calls below. A
  // plain store may be reordered after those loads (x86 store buffer), and that lost
  // messages: hops that never arrived left multi-shard locks held forever.
  drain_scheduled_.exchange(false, std::memory_order_acq_rel);
  while (Task* task = Dequeue()) {
    TaskPtr owned(task);
    owned->Run();
  }
}

}  // namespace shoal

// Mailbox: the bounded inbox of one shard thread. Any thread may push; only the owning
// thread drains. The queue itself is lock-free (Vyukov's bounded MPMC array queue); waking
// the owner posts one drain handler to its io_context, at most one per batch of messages
// (the `drain_scheduled_` flag), so the io_context's internal mutex is taken once per batch,
// not once per message.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "io/task.h"

namespace shoal {

class Mailbox {
 public:
  Mailbox(boost::asio::io_context& owner, size_t capacity);
  // Tasks still queued are destroyed without running.
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Any thread. On success takes ownership of *task and schedules a drain; returns false
  // (leaving *task untouched) when the mailbox is full: the caller applies backpressure.
  bool TryPush(TaskPtr& task);

  // Owner thread: runs every task queued so far.
  void Drain();

  size_t capacity() const { return mask_ + 1; }
  uint64_t full_rejections() const { return full_rejections_.load(std::memory_order_relaxed); }

 private:
  struct Cell {
    std::atomic<size_t> sequence;
    Task* task;
  };

  bool Enqueue(Task* task);
  Task* Dequeue();

  boost::asio::io_context& owner_;
  std::unique_ptr<Cell[]> cells_;
  size_t mask_;
  alignas(64) std::atomic<size_t> enqueue_pos_{0};
  alignas(64) std::atomic<size_t> dequeue_pos_{0};
  alignas(64) std::atomic<bool> drain_scheduled_{false};
  std::atomic<uint64_t> full_rejections_{0};
};

}  // namespace shoal

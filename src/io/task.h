// Task: a type-erased, move-only unit of work sent between shard threads.
// A Task is created on one thread and run exactly once on another; it owns its captures.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace shoal {

class Task {
 public:
  virtual ~Task() = default;
  virtual void Run() = 0;
};

using TaskPtr = std::unique_ptr<Task>;

template <typename F>
class FnTask final : public Task {
 public:
  explicit FnTask(F fn) : fn_(std::move(fn)) {}
  void Run() override { fn_(); }

 private:
  F fn_;
};

template <typename F>
TaskPtr MakeTask(F&& fn) {
  return std::make_unique<FnTask<std::decay_t<F>>>(std::forward<F>(fn));
}

}  // namespace shoal

#include "io/mailbox.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <thread>
#include <vector>

namespace shoal {
namespace {

TEST(Mailbox, RejectsWhenFullAndDeliversInOrder) {
  boost::asio::io_context ctx;
  Mailbox box(ctx, 4);
  std::vector<int> seen;
  for (int i = 0; i < 4; i++) {
    TaskPtr t = MakeTask([&seen, i] { seen.push_back(i); });
    ASSERT_TRUE(box.TryPush(t));
  }
  TaskPtr extra = MakeTask([&seen] { seen.push_back(99); });
  EXPECT_FALSE(box.TryPush(extra));
  EXPECT_NE(extra, nullptr);  // still ours after a rejection
  EXPECT_EQ(box.full_rejections(), 1u);
  ctx.run();
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(box.TryPush(extra));
  ctx.restart();
  ctx.run();
  EXPECT_EQ(seen.back(), 99);
}

TEST(Mailbox, ManyProducersNoLostMessages) {
  boost::asio::io_context ctx;
  auto guard = boost::asio::make_work_guard(ctx);
  Mailbox box(ctx, 64);
  constexpr int kProducers = 4, kPerProducer = 20000;
  int received = 0;  // touched only by the consumer thread
  std::thread consumer([&] { ctx.run(); });
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; p++) {
    producers.emplace_back([&] {
      for (int i = 0; i < kPerProducer; i++) {
        TaskPtr t = MakeTask([&received] { received++; });
        while (!box.TryPush(t)) std::this_thread::yield();
      }
    });
  }
  for (auto& t : producers) t.join();
  std::atomic<bool> done{false};
  TaskPtr last = MakeTask([&] { done = true; });
  while (!box.TryPush(last)) std::this_thread::yield();
  while (!done) std::this_thread::yield();
  guard.reset();
  ctx.stop();
  consumer.join();
  EXPECT_EQ(received, kProducers * kPerProducer);
}

}  // namespace
}  // namespace shoal

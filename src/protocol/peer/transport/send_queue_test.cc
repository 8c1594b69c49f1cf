#include "protocol/peer/transport/send_queue.h"

#include <gtest/gtest.h>

namespace shoal::peer {
namespace {

TEST(PeerSendQueue, RefusesWhatDoesNotFitByBytesOrFrames) {
  SendQueue q(SendQueueLimits{10, 3});
  EXPECT_TRUE(q.Push("aaaa", false));
  EXPECT_TRUE(q.Push("bbbbbb", false));  // exactly 10 bytes
  EXPECT_FALSE(q.Push("c", false));
  EXPECT_EQ(q.bytes(), 10u);
  EXPECT_EQ(q.frames(), 2u);

  SendQueue by_count(SendQueueLimits{100, 2});
  EXPECT_TRUE(by_count.Push("a", false));
  EXPECT_TRUE(by_count.Push("b", false));
  EXPECT_FALSE(by_count.HasRoomFor(0));
  EXPECT_FALSE(by_count.Push("c", false));
}

TEST(PeerSendQueue, ExemptFramesAlwaysGoIn) {
  SendQueue q(SendQueueLimits{4, 1});
  EXPECT_TRUE(q.Push("full", false));
  EXPECT_TRUE(q.Push("response", true));
  EXPECT_EQ(q.bytes(), 12u);
  EXPECT_FALSE(q.Push("x", false));
}

TEST(PeerSendQueue, BatchesKeepOrderAndTheByteBudget) {
  SendQueue q;
  for (const char* f : {"one", "two", "three", "a-very-long-frame", "x"}) q.Push(f, false);
  EXPECT_EQ(q.TakeBatch(11), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(q.TakeBatch(4), std::vector<std::string>{"a-very-long-frame"}) << "one at least";
  EXPECT_EQ(q.bytes(), 1u);
  EXPECT_EQ(q.TakeBatch(100), std::vector<std::string>{"x"});
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.TakeBatch(100).empty());
  EXPECT_EQ(q.bytes(), 0u);
}

}  // namespace
}  // namespace shoal::peer

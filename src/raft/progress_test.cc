#include "raft/progress.h"

#include <gtest/gtest.h>

namespace shoal::raft {
namespace {

TEST(Inflights, WindowFillsAndFrees) {
  Inflights in(3);
  in.Add(5);
  in.Add(7);
  in.Add(9);
  EXPECT_TRUE(in.Full());
  in.FreeLE(6);
  EXPECT_EQ(in.Count(), 2u);
  in.Add(11);  // wraps around the ring
  EXPECT_TRUE(in.Full());
  in.FreeLE(10);
  EXPECT_EQ(in.Count(), 1u);
  in.FreeFirstOne();
  EXPECT_EQ(in.Count(), 0u);
  in.FreeLE(100);
  EXPECT_EQ(in.Count(), 0u);
}

TEST(Progress, ProbeSendsOneAtATime) {
  Progress pr(5, 4);
  EXPECT_FALSE(pr.IsPaused());
  pr.probe_sent = true;
  EXPECT_TRUE(pr.IsPaused());
  EXPECT_TRUE(pr.MaybeUpdate(4));
  EXPECT_FALSE(pr.IsPaused());
  EXPECT_EQ(pr.next, 5u);
  EXPECT_FALSE(pr.MaybeUpdate(3)) << "stale ack moved match";
}

TEST(Progress, MaybeDecrToIgnoresStaleRejections) {
  Progress pr(10, 4);
  pr.match = 3;
  pr.BecomeReplicate();
  pr.OptimisticUpdate(9);  // next = 10
  EXPECT_FALSE(pr.MaybeDecrTo(2, 2)) << "rejection at or below match";
  EXPECT_TRUE(pr.MaybeDecrTo(7, 5));
  EXPECT_EQ(pr.next, 4u);  // back to match + 1
  pr.BecomeProbe();
  pr.next = 8;
  EXPECT_FALSE(pr.MaybeDecrTo(5, 4)) << "rejection of a probe we did not send";
  EXPECT_TRUE(pr.MaybeDecrTo(7, 5));
  EXPECT_EQ(pr.next, 6u);  // hint + 1
  EXPECT_TRUE(pr.MaybeDecrTo(5, 0));
  EXPECT_EQ(pr.next, 4u) << "never below match + 1";
}

TEST(Progress, SnapshotStatePausesAndResumesAfterIt) {
  Progress pr(3, 4);
  pr.match = 2;
  pr.BecomeSnapshot(20);
  EXPECT_TRUE(pr.IsPaused());
  pr.BecomeProbe();
  EXPECT_EQ(pr.next, 21u);
  EXPECT_EQ(pr.state, ProgressState::kProbe);
}

TEST(Quorum, CommittedIndexAndVotes) {
  ProgressMap prs;
  for (NodeId id : {1, 2, 3, 4, 5}) prs.emplace(id, Progress(1, 4));
  uint64_t matches[] = {9, 3, 7, 5, 1};
  int i = 0;
  for (auto& [id, pr] : prs) pr.match = matches[i++];
  EXPECT_EQ(QuorumCommittedIndex(prs), 5u);  // 9, 7, 5 are on three nodes
  std::map<NodeId, bool> votes = {{1, true}, {2, true}};
  EXPECT_EQ(TallyVotes(prs, votes, nullptr, nullptr), VoteResult::kPending);
  votes[3] = true;
  EXPECT_EQ(TallyVotes(prs, votes, nullptr, nullptr), VoteResult::kWon);
  votes = {{1, true}, {2, false}, {3, false}, {4, false}};
  EXPECT_EQ(TallyVotes(prs, votes, nullptr, nullptr), VoteResult::kLost);
  votes[9] = true;  // not a voter: ignored
  EXPECT_EQ(TallyVotes(prs, votes, nullptr, nullptr), VoteResult::kLost);
}

}  // namespace
}  // namespace shoal::raft

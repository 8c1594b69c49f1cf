// Unit tests mapped to the rules of the Raft paper ("In Search of an Understandable
// Consensus Algorithm", extended version) and of Ongaro's thesis for PreVote, CheckQuorum,
// ReadIndex, membership and leader transfer. Each test names the section it checks.
#include <gtest/gtest.h>

#include <set>

#include "raft/errors.h"
#include "raft/raft.h"
#include "raft/raft_test_util.h"

namespace shoal::raft::testing {
namespace {

void ElectLeader(Network& net, NodeId id) {
  net.Campaign(id);
  ASSERT_EQ(net.raft(id).role(), StateRole::kLeader);
}

// §5.1: "If one server's current term is smaller than the other's, then it updates its
// current term to the larger value. If a candidate or leader discovers that its term is out
// of date, it immediately reverts to follower state."
TEST(RaftPaper, UpdatesTermFromMessageAndStepsDown) {
  for (StateRole role : {StateRole::kFollower, StateRole::kCandidate, StateRole::kLeader}) {
    Network net({1, 2, 3});
    if (role == StateRole::kCandidate) {
      net.Isolate(1);
      net.Campaign(1);
    } else if (role == StateRole::kLeader) {
      ElectLeader(net, 1);
      net.Isolate(1);
    }
    ASSERT_EQ(net.raft(1).role(), role);
    uint64_t term = net.raft(1).term();
    (void)net.raft(1).Step(Msg(MessageType::kApp, 2, 1, term + 5));
    EXPECT_EQ(net.raft(1).term(), term + 5);
    EXPECT_EQ(net.raft(1).role(), StateRole::kFollower);
    EXPECT_EQ(net.raft(1).lead(), 2u);
  }
}

// §5.1: "If a server receives a request with a stale term number, it rejects the request."
TEST(RaftPaper, IgnoresStaleTermMessages) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  ElectLeader(net, 2);
  Raft& r = net.raft(3);
  uint64_t term = r.term();
  Message app = Msg(MessageType::kApp, 1, 3, term - 1);
  app.index = r.log().LastIndex();
  app.log_term = r.log().LastTerm();
  app.entries.push_back(Entry{term - 1, r.log().LastIndex() + 1, {}, "stale"});
  (void)r.Step(app);
  EXPECT_EQ(r.term(), term);
  EXPECT_EQ(r.lead(), 2u);
  EXPECT_TRUE(r.log().UnstableEntries().empty());
}

// §5.2: "When servers start up, they begin as followers."
TEST(RaftPaper, StartsAsFollower) {
  Network net({1, 2, 3});
  EXPECT_EQ(net.raft(1).role(), StateRole::kFollower);
  EXPECT_EQ(net.raft(1).term(), 0u);
}

// §5.2: "Leaders send periodic heartbeats to all followers in order to maintain their
// authority."
TEST(RaftPaper, LeaderBroadcastsHeartbeats) {
  Network net({1, 2, 3}, [](Config& c) { c.heartbeat_tick = 2; });
  ElectLeader(net, 1);
  Raft& r = net.raft(1);
  r.Tick();
  EXPECT_TRUE(r.TakeMessages().empty());
  r.Tick();
  auto msgs = r.TakeMessages();
  std::set<NodeId> to;
  for (const auto& m : msgs) {
    EXPECT_EQ(m.type, MessageType::kHeartbeat);
    to.insert(m.to);
  }
  EXPECT_EQ(to, (std::set<NodeId>{2, 3}));
}

// §5.2: "To begin an election, a follower increments its current term and transitions to
// candidate state. It then votes for itself and issues RequestVote RPCs in parallel."
TEST(RaftPaper, FollowerStartsElectionOnTimeout) {
  Network net({1, 2, 3});
  Raft& r = net.raft(1);
  for (int i = 0; i < r.randomized_election_timeout(); ++i) r.Tick();
  EXPECT_EQ(r.role(), StateRole::kCandidate);
  EXPECT_EQ(r.term(), 1u);
  EXPECT_EQ(r.vote(), 1u);
  auto msgs = r.TakeMessages();
  ASSERT_EQ(msgs.size(), 2u);
  for (const auto& m : msgs) {
    EXPECT_EQ(m.type, MessageType::kVote);
    EXPECT_EQ(m.term, 1u);
  }
}

// §5.2: a candidate wins with votes from a majority; loses on a majority of rejections;
// waits otherwise.
TEST(RaftPaper, ElectionOutcomeByVotes) {
  struct Case {
    std::vector<NodeId> ids;
    std::map<NodeId, bool> votes;
    StateRole want;
  };
  std::vector<Case> cases = {
      {{1}, {}, StateRole::kLeader},
      {{1, 2, 3}, {{2, true}}, StateRole::kLeader},
      {{1, 2, 3}, {{2, false}}, StateRole::kCandidate},
      {{1, 2, 3}, {{2, false}, {3, false}}, StateRole::kFollower},
      {{1, 2, 3, 4, 5}, {{2, true}}, StateRole::kCandidate},
      {{1, 2, 3, 4, 5}, {{2, true}, {3, true}}, StateRole::kLeader},
      {{1, 2, 3, 4, 5}, {{2, false}, {3, false}, {4, true}}, StateRole::kCandidate},
      {{1, 2, 3, 4, 5}, {{2, false}, {3, false}, {4, false}}, StateRole::kFollower},
  };
  for (const auto& c : cases) {
    Network net(c.ids);
    net.Isolate(1);
    net.Campaign(1);
    for (const auto& [from, granted] : c.votes) {
      Message m = Msg(MessageType::kVoteResp, from, 1, 1);
      m.reject = !granted;
      (void)net.raft(1).Step(m);
    }
    EXPECT_EQ(net.raft(1).role(), c.want) << c.ids.size() << " nodes";
  }
}

// §5.2: "Each server will vote for at most one candidate in a given term, on a
// first-come-first-served basis."
TEST(RaftPaper, VotesOncePerTerm) {
  Network net({1, 2, 3});
  Raft& r = net.raft(1);
  (void)r.Step(Msg(MessageType::kVote, 2, 1, 1));
  (void)r.Step(Msg(MessageType::kVote, 3, 1, 1));
  (void)r.Step(Msg(MessageType::kVote, 2, 1, 1));  // a repeat of the granted vote
  auto msgs = r.TakeMessages();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_FALSE(msgs[0].reject);
  EXPECT_TRUE(msgs[1].reject);
  EXPECT_FALSE(msgs[2].reject);
  EXPECT_EQ(r.vote(), 2u);
}

// §5.2: "If the AppendEntries RPC is from a leader whose term is at least as large as the
// candidate's current term, then the candidate recognizes the leader as legitimate."
TEST(RaftPaper, CandidateFallsBackOnLeaderMessage) {
  Network net({1, 2, 3});
  net.Isolate(1);
  net.Campaign(1);
  Raft& r = net.raft(1);
  ASSERT_EQ(r.role(), StateRole::kCandidate);
  (void)r.Step(Msg(MessageType::kHeartbeat, 2, 1, r.term()));
  EXPECT_EQ(r.role(), StateRole::kFollower);
  EXPECT_EQ(r.lead(), 2u);
}

// §5.2: "election timeouts are chosen randomly from a fixed interval", here
// [election_tick, 2 * election_tick), and reproducible from the seed.
TEST(RaftPaper, ElectionTimeoutIsRandomizedAndSeeded) {
  std::set<int> seen;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    MemoryStorage s;
    Config c;
    c.id = 1;
    c.storage = &s;
    c.random_seed = seed;
    auto a = Raft::Create(c);
    auto b = Raft::Create(c);
    ASSERT_TRUE(a.ok());
    int t = (*a)->randomized_election_timeout();
    EXPECT_GE(t, 10);
    EXPECT_LT(t, 20);
    EXPECT_EQ(t, (*b)->randomized_election_timeout());
    seen.insert(t);
  }
  EXPECT_GT(seen.size(), 5u);
}

// §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the
// candidate" (compare last term, then length).
TEST(RaftPaper, VoterRejectsCandidateWithStaleLog) {
  struct Case {
    uint64_t log_term, index;
    bool granted;
  };
  // The voter's log: terms [1, 2, 2] (last 2/3).
  std::vector<Case> cases = {
      {1, 3, false}, {1, 5, false}, {2, 2, false}, {2, 3, true},
      {2, 4, true},  {3, 1, true},  {3, 3, true},
  };
  for (const auto& c : cases) {
    Network net({1, 2}, {}, {{1, {1, 2, 2}}});
    Raft& r = net.raft(1);
    Message m = Msg(MessageType::kVote, 2, 1, 3);
    m.log_term = c.log_term;
    m.index = c.index;
    (void)r.Step(m);
    auto msgs = r.TakeMessages();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(!msgs[0].reject, c.granted) << c.log_term << "/" << c.index;
  }
}

// §5.3: the leader commits an entry once it is replicated on a majority, and followers learn
// the commit index from later AppendEntries.
TEST(RaftPaper, LeaderCommitsOnQuorumAndFollowersLearn) {
  Network net({1, 2, 3, 4, 5});
  ElectLeader(net, 1);
  net.Isolate(4);
  net.Isolate(5);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  uint64_t idx = net.raft(1).log().LastIndex();
  EXPECT_EQ(net.raft(1).log().committed(), idx);
  EXPECT_EQ(net.raft(2).log().committed(), idx);
  EXPECT_EQ(net.applied(3), std::vector<std::string>{"x"});
  // Only 2 of 5: not committed.
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "y").ok());
  EXPECT_EQ(net.raft(1).log().committed(), idx);
}

// §5.4.2 / Figure 8: "Raft never commits log entries from previous terms by counting
// replicas." A leader of term 4 holding an entry of term 2 on a majority must not commit it
// until an entry of term 4 is also on a majority.
TEST(RaftPaper, CommitsOnlyCurrentTermEntriesFigure8) {
  // 1's log: [1, 2]. 2 and 3 have [1]. 1 becomes leader of term 3 (the next after 2).
  Network net({1, 2, 3}, {}, {{1, {1, 2}}, {2, {1}}, {3, {1}}});
  net.DropType(MessageType::kApp);  // nothing is replicated by itself
  net.Campaign(1);
  Raft& r = net.raft(1);
  ASSERT_EQ(r.role(), StateRole::kLeader);
  ASSERT_EQ(r.term(), 3u);
  ASSERT_EQ(r.log().LastIndex(), 3u);  // the empty entry of term 3 at index 3
  // Followers acknowledge index 2 (the term-2 entry): a majority has it, yet no commit.
  for (NodeId f : {2, 3}) {
    Message resp = Msg(MessageType::kAppResp, f, 1, 3);
    resp.index = 2;
    (void)r.Step(resp);
  }
  EXPECT_EQ(r.log().committed(), 0u) << "committed an entry of an older term by counting";
  // Once the term-3 entry is on a majority, everything up to it commits.
  Message resp = Msg(MessageType::kAppResp, 2, 1, 3);
  resp.index = 3;
  (void)r.Step(resp);
  EXPECT_EQ(r.log().committed(), 3u);
}

// §5.3: "If an existing entry conflicts with a new one (same index but different terms),
// delete the existing entry and all that follow it; append any new entries not already in
// the log." And: reject when the log lacks an entry matching prevLogIndex/prevLogTerm.
TEST(RaftPaper, FollowerAppendsTruncatesAndRejects) {
  struct Case {
    uint64_t index, log_term;
    std::vector<uint64_t> new_terms;  // entries from index+1
    bool reject;
    std::vector<uint64_t> want_terms;
  };
  // The follower's log: [1, 2, 2].
  std::vector<Case> cases = {
      {3, 2, {3}, false, {1, 2, 2, 3}},  // append
      {1, 1, {2, 2}, false, {1, 2, 2}},  // already there: nothing truncated
      {1, 1, {3}, false, {1, 3}},        // conflict at 2: truncate and append
      {2, 2, {}, false, {1, 2, 2}},      // heartbeat-like, matches
      {3, 3, {3}, true, {1, 2, 2}},      // term mismatch at prev
      {5, 2, {2}, true, {1, 2, 2}},      // prev beyond our log
  };
  for (const auto& c : cases) {
    Network net({1, 2}, {}, {{1, {1, 2, 2}}});
    Raft& r = net.raft(1);
    Message m = Msg(MessageType::kApp, 2, 1, 3);
    m.index = c.index;
    m.log_term = c.log_term;
    for (size_t i = 0; i < c.new_terms.size(); ++i) {
      m.entries.push_back(Entry{c.new_terms[i], c.index + 1 + i, {}, {}});
    }
    (void)r.Step(m);
    auto msgs = r.TakeMessages();
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_EQ(msgs[0].reject, c.reject) << c.index << "/" << c.log_term;
    std::vector<uint64_t> terms;
    for (const auto& e : r.log().AllEntries()) terms.push_back(e.term);
    EXPECT_EQ(terms, c.want_terms) << c.index << "/" << c.log_term;
  }
}

// §5.3 / Figure 7: whatever a follower's log looks like, the leader brings it to its own.
TEST(RaftPaper, LeaderMakesFollowerLogsMatch) {
  std::vector<std::vector<uint64_t>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},           // (a) missing entries
      {1, 1, 1, 4},                          // (b)
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},     // (c) extra uncommitted entries
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},  // (d)
      {1, 1, 1, 4, 4, 4, 4},                 // (e)
      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},     // (f)
  };
  std::vector<uint64_t> leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  for (const auto& f : followers) {
    // 3 votes for 1 (its log is not longer in term) so 1 wins term 8.
    Network net({1, 2, 3}, {}, {{1, leader}, {2, f}, {3, leader}});
    (void)net.raft(1).Step(Msg(MessageType::kApp, 3, 1, 7));  // move 1 to term 7
    net.Flush(1);
    net.Campaign(1);
    ASSERT_EQ(net.raft(1).role(), StateRole::kLeader);
    net.Tick(1);  // a heartbeat round finishes probing
    std::vector<Entry> want = net.raft(1).log().AllEntries();
    EXPECT_EQ(net.raft(2).log().AllEntries(), want);
    EXPECT_EQ(net.raft(2).log().committed(), net.raft(1).log().committed());
  }
}

// Thesis §9.6 (PreVote): a partitioned node does not raise its term, so when it returns the
// stable leader is not disrupted.
TEST(RaftPaper, PreVoteDoesNotDisruptStableLeader) {
  Network net({1, 2, 3}, [](Config& c) { c.pre_vote = true; });
  ElectLeader(net, 1);
  uint64_t term = net.raft(1).term();
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "3-misses-this").ok());  // 3's log falls behind
  for (int i = 0; i < 5; ++i) net.Tick(3, 2 * 10);
  EXPECT_EQ(net.raft(3).term(), term);
  EXPECT_EQ(net.raft(3).role(), StateRole::kPreCandidate);
  net.Recover();
  net.Tick(3, 2 * 10);  // campaigns again, now reaching the others
  EXPECT_EQ(net.raft(1).role(), StateRole::kLeader);
  EXPECT_EQ(net.raft(1).term(), term);
  net.Tick(1);
  EXPECT_EQ(net.raft(3).role(), StateRole::kFollower);
  EXPECT_EQ(net.raft(3).lead(), 1u);
}

TEST(RaftPaper, WithoutPreVoteAReturningNodeDisruptsTheLeader) {
  // The counterpart of the test above: the rule matters.
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  uint64_t term = net.raft(1).term();
  net.Isolate(3);
  net.Tick(3, 2 * 10);
  EXPECT_GT(net.raft(3).term(), term);
  net.Recover();
  net.Tick(1);  // the heartbeat answer (or a vote) carries the higher term
  net.Tick(3, 2 * 10);
  EXPECT_GT(net.raft(1).term(), term);
}

// Thesis §6.2 (CheckQuorum): a leader that cannot reach a quorum within an election timeout
// steps down.
TEST(RaftPaper, CheckQuorumLeaderStepsDown) {
  Network net({1, 2, 3}, [](Config& c) { c.check_quorum = true; });
  ElectLeader(net, 1);
  net.Isolate(1);
  net.Tick(1, 10);
  EXPECT_EQ(net.raft(1).role(), StateRole::kLeader);  // activity of the last interval
  net.Tick(1, 10);
  EXPECT_EQ(net.raft(1).role(), StateRole::kFollower);
}

TEST(RaftPaper, CheckQuorumLeaderStaysWithQuorum) {
  Network net({1, 2, 3}, [](Config& c) { c.check_quorum = true; });
  ElectLeader(net, 1);
  net.Isolate(3);
  for (int i = 0; i < 50; ++i) net.Tick(1);
  EXPECT_EQ(net.raft(1).role(), StateRole::kLeader);
}

// Thesis §4.2.3: with CheckQuorum, a server that heard from a leader within the minimum
// election timeout ignores RequestVote (no vote, no term change) — unless it is a transfer.
TEST(RaftPaper, LeaseIgnoresVoteRequests) {
  Network net({1, 2, 3}, [](Config& c) { c.check_quorum = true; });
  ElectLeader(net, 1);
  Raft& r = net.raft(2);
  uint64_t term = r.term();
  Message vote = Msg(MessageType::kVote, 3, 2, term + 1);
  vote.index = r.log().LastIndex();
  vote.log_term = r.log().LastTerm();
  (void)r.Step(vote);
  EXPECT_EQ(r.term(), term);
  EXPECT_TRUE(r.TakeMessages().empty());
  vote.context = std::string(kCampaignTransfer);
  (void)r.Step(vote);
  EXPECT_EQ(r.term(), term + 1);
  EXPECT_EQ(r.vote(), 3u);
}

// Thesis §6.4 (ReadIndex): the read index is the commit index at the request, released once
// a quorum acknowledged a heartbeat; never before the leader committed in its term.
TEST(RaftPaper, ReadIndexNeedsQuorumAndCurrentTermCommit) {
  Network net({1, 2, 3});
  net.DropType(MessageType::kApp);
  net.Campaign(1);
  Raft& r = net.raft(1);
  ASSERT_EQ(r.role(), StateRole::kLeader);
  Message read = Msg(MessageType::kReadIndex, kNone, 1);
  read.entries.push_back(Entry{0, 0, {}, "ctx1"});
  (void)net.Local(1, read);
  EXPECT_TRUE(r.TakeReadStates().empty()) << "answered before committing in its term";
  net.Recover();
  net.Tick(1);  // heartbeat -> probes -> entries replicated -> commit -> release
  auto rs = net.raft(1).TakeReadStates();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].request_ctx, "ctx1");
  EXPECT_EQ(rs[0].index, r.log().committed());

  net.Isolate(1);
  read.entries[0].data = "ctx2";
  (void)net.Local(1, read);
  EXPECT_TRUE(r.TakeReadStates().empty()) << "answered without a quorum";
  net.Recover();
  net.Tick(1);
  rs = r.TakeReadStates();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].request_ctx, "ctx2");
}

TEST(RaftPaper, ReadIndexFromFollower) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  Message read = Msg(MessageType::kReadIndex, kNone, 2);
  read.entries.push_back(Entry{0, 0, {}, "f"});
  (void)net.Local(2, read);
  auto rs = net.raft(2).TakeReadStates();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].index, net.raft(1).log().committed());
}

// §7: a follower that lags behind the leader's compacted log gets InstallSnapshot; the
// leader stops sending until it hears back.
TEST(RaftPaper, SnapshotCatchesUpLaggingFollower) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  net.Isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(net.Propose(1, "e" + std::to_string(i)).ok());
  uint64_t applied = net.raft(1).log().applied();
  ConfState cs = net.raft(1).GetConfState();
  ASSERT_TRUE(net.storage(1).CreateSnapshot(applied, &cs, "state").ok());
  ASSERT_TRUE(net.storage(1).Compact(applied).ok());

  // While the snapshot is being produced, nothing is sent.
  net.storage(1).set_snapshot_unavailable(true);
  net.Recover();
  net.Tick(1);
  EXPECT_NE(net.raft(1).progress().at(3).state, ProgressState::kSnapshot);
  EXPECT_LT(net.raft(3).log().LastIndex(), applied);

  net.storage(1).set_snapshot_unavailable(false);
  net.Isolate(3);
  // Let the probe reach 3 and its rejection come back, but hold the snapshot.
  net.filter = [](const Message& m) { return m.type == MessageType::kSnap; };
  net.Recover();
  net.Tick(1);
  const Progress& pr = net.raft(1).progress().at(3);
  EXPECT_EQ(pr.state, ProgressState::kSnapshot);
  EXPECT_EQ(pr.pending_snapshot, applied);
  EXPECT_TRUE(pr.IsPaused());
  // The snapshot was lost: the application reports failure, the leader probes again.
  Message status = Msg(MessageType::kSnapStatus, 3, 1);
  status.reject = true;
  (void)net.Local(1, status);
  EXPECT_EQ(net.raft(1).progress().at(3).state, ProgressState::kProbe);

  net.filter = nullptr;
  net.Tick(1);
  EXPECT_EQ(net.raft(3).log().committed(), net.raft(1).log().committed());
  EXPECT_EQ(net.storage(3).GetSnapshot()->data, "state");
  EXPECT_EQ(net.raft(1).progress().at(3).state, ProgressState::kReplicate);
  ASSERT_TRUE(net.Propose(1, "after").ok());
  EXPECT_EQ(net.raft(3).log().LastIndex(), net.raft(1).log().LastIndex());
}

TEST(RaftPaper, FollowerIgnoresSnapshotBehindItsCommit) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  ASSERT_TRUE(net.Propose(1, "x").ok());
  Raft& r = net.raft(2);
  uint64_t commit = r.log().committed();
  Message snap = Msg(MessageType::kSnap, 1, 2, r.term());
  snap.snapshot = Snapshot{};
  snap.snapshot->metadata.index = commit - 1;
  snap.snapshot->metadata.term = 1;
  snap.snapshot->metadata.conf_state.voters = {1, 2, 3};
  (void)r.Step(snap);
  EXPECT_FALSE(r.log().HasPendingSnapshot());
  auto msgs = r.TakeMessages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].index, commit);
}

// §6 (single-server changes) with the fix from the raft-dev "bug in single-server
// membership changes" thread: a leader may propose a change only once an entry of its
// term is committed, and only one change may be pending.
TEST(RaftPaper, ConfChangeRefusedBeforeCurrentTermCommitAndWhilePending) {
  Network net({1, 2, 3});
  net.DropType(MessageType::kApp);
  net.Campaign(1);
  ASSERT_EQ(net.raft(1).role(), StateRole::kLeader);
  Status s = net.ProposeConfChange(1, ConfChangeType::kAddNode, 4);
  EXPECT_TRUE(IsError(s, kErrProposalDropped)) << "accepted before committing in its term";
  net.Recover();
  net.Tick(1);
  ASSERT_EQ(net.raft(1).log().TermOrZero(net.raft(1).log().committed()), net.raft(1).term());

  net.DropType(MessageType::kApp);
  EXPECT_TRUE(net.ProposeConfChange(1, ConfChangeType::kAddNode, 4).ok());
  s = net.ProposeConfChange(1, ConfChangeType::kRemoveNode, 3);
  EXPECT_TRUE(IsError(s, kErrProposalDropped)) << "two conf changes pending";
  net.Recover();
  net.Tick(1);  // the first change commits and is applied
  EXPECT_EQ(net.raft(1).GetConfState().voters, (std::vector<NodeId>{1, 2, 3, 4}));
  EXPECT_TRUE(net.ProposeConfChange(1, ConfChangeType::kRemoveNode, 3).ok());
}

TEST(RaftPaper, ConfChangeAddAndRemoveChangeTheQuorum) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  ASSERT_TRUE(net.ProposeConfChange(1, ConfChangeType::kRemoveNode, 3).ok());
  EXPECT_EQ(net.raft(1).GetConfState().voters, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(net.raft(1).progress().count(3), 0u);
  // With 3 removed, {1, 2} is the whole group; 3 cannot campaign any more.
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "two-of-two").ok());
  EXPECT_EQ(net.applied(2).back(), "two-of-two");

  // Removing a voter that does not answer lets the rest commit at once.
  Network net2({1, 2, 3});
  ElectLeader(net2, 1);
  net2.Isolate(3);
  net2.Isolate(2);
  ASSERT_TRUE(net2.Propose(1, "stuck").ok());
  EXPECT_LT(net2.raft(1).log().committed(), net2.raft(1).log().LastIndex());
  ConfChange cc;
  cc.type = ConfChangeType::kRemoveNode;
  cc.node_id = 3;
  net2.raft(1).ApplyConfChange(cc);
  cc.node_id = 2;
  net2.raft(1).ApplyConfChange(cc);
  EXPECT_EQ(net2.raft(1).log().committed(), net2.raft(1).log().LastIndex());
}

TEST(RaftPaper, RemovedLeaderStepsDownAndNonMembersDoNotCampaign) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  ASSERT_TRUE(net.ProposeConfChange(1, ConfChangeType::kRemoveNode, 1).ok());
  EXPECT_EQ(net.raft(1).role(), StateRole::kFollower);
  net.Tick(1, 100);
  EXPECT_NE(net.raft(1).role(), StateRole::kCandidate);
  EXPECT_NE(net.raft(1).role(), StateRole::kLeader);
  net.Tick(2, 2 * 10);
  EXPECT_EQ(net.raft(2).role(), StateRole::kLeader);
}

// Thesis §3.10 (leadership transfer).
TEST(RaftPaper, LeaderTransferToUpToDateFollower) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  (void)net.Local(1, Msg(MessageType::kTransferLeader, 3, 1));
  EXPECT_EQ(net.raft(3).role(), StateRole::kLeader);
  EXPECT_EQ(net.raft(1).role(), StateRole::kFollower);
  EXPECT_EQ(net.raft(1).lead(), 3u);
}

TEST(RaftPaper, LeaderTransferCatchesUpFirstAndDropsProposals) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  net.Isolate(3);
  ASSERT_TRUE(net.Propose(1, "a").ok());
  net.Recover();
  net.Cut(1, 3);
  (void)net.Local(1, Msg(MessageType::kTransferLeader, 3, 1));
  EXPECT_EQ(net.raft(1).lead_transferee(), 3u);
  EXPECT_TRUE(IsError(net.Propose(1, "b"), kErrProposalDropped));
  net.Recover();
  net.Tick(1);  // heartbeat -> 3 catches up -> TimeoutNow
  EXPECT_EQ(net.raft(3).role(), StateRole::kLeader);
}

TEST(RaftPaper, LeaderTransferAbortsAfterElectionTimeout) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  net.Isolate(3);
  (void)net.Local(1, Msg(MessageType::kTransferLeader, 3, 1));
  EXPECT_EQ(net.raft(1).lead_transferee(), 3u);
  net.Tick(1, 10);
  EXPECT_EQ(net.raft(1).lead_transferee(), kNone);
  EXPECT_TRUE(net.Propose(1, "ok-again").ok());
  EXPECT_EQ(net.raft(1).role(), StateRole::kLeader);
}

TEST(RaftPaper, LeaderTransferToSelfOrNonMemberIsIgnored) {
  Network net({1, 2, 3});
  ElectLeader(net, 1);
  (void)net.Local(1, Msg(MessageType::kTransferLeader, 1, 1));
  (void)net.Local(1, Msg(MessageType::kTransferLeader, 9, 1));
  EXPECT_EQ(net.raft(1).lead_transferee(), kNone);
  EXPECT_EQ(net.raft(1).role(), StateRole::kLeader);
}

// §5.3 flow control: a rejected append moves a replicating follower back to probing; the
// leader skips a divergent tail a term at a time.
TEST(RaftPaper, RejectionHintSkipsDivergentTerms) {
  // Leader log terms 1 3 3 3 5 5 5 5 5 (after election also 6), follower 1 1 1 1 2 2.
  std::vector<uint64_t> leader = {1, 3, 3, 3, 5, 5, 5, 5, 5};
  Network net({1, 2, 3}, {}, {{1, leader}, {2, {1, 1, 1, 1, 2, 2}}, {3, leader}});
  (void)net.raft(1).Step(Msg(MessageType::kApp, 3, 1, 5));
  net.Flush(1);
  int apps_to_2 = 0;
  net.filter = [&](const Message& m) {
    if (m.type == MessageType::kApp && m.to == 2) ++apps_to_2;
    return false;
  };
  net.Campaign(1);
  ASSERT_EQ(net.raft(1).role(), StateRole::kLeader);
  net.Tick(1);
  EXPECT_EQ(net.raft(2).log().AllEntries(), net.raft(1).log().AllEntries());
  EXPECT_LE(apps_to_2, 5) << "probed index by index";
}

}  // namespace
}  // namespace shoal::raft::testing

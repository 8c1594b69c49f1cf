#include "raft/raw_node.h"

#include <gtest/gtest.h>

#include "raft/errors.h"

namespace shoal::raft {
namespace {

struct Single {
  Single() {
    ConfState cs;
    cs.voters = {1};
    storage.SetInitialConfState(cs);
    Config c;
    c.id = 1;
    c.storage = &storage;
    auto r = RawNode::Create(c);
    EXPECT_TRUE(r.ok());
    node = std::move(r).value();
  }
  // Persists and applies one Ready; returns it.
  Ready Handle() {
    Ready rd = node->GetReady();
    if (rd.snapshot) {
      EXPECT_TRUE(storage.ApplySnapshot(*rd.snapshot).ok());
    }
    EXPECT_TRUE(storage.Append(rd.entries).ok());
    if (rd.hard_state) storage.SetHardState(*rd.hard_state);
    for (const auto& e : rd.committed_entries) {
      if (!e.data.empty()) applied.push_back(e.data);
    }
    node->Advance();
    return rd;
  }
  MemoryStorage storage;
  std::unique_ptr<RawNode> node;
  std::vector<std::string> applied;
};

TEST(RawNode, ConfigIsValidated) {
  MemoryStorage s;
  Config c;
  c.storage = &s;
  EXPECT_FALSE(RawNode::Create(c).ok()) << "id 0";
  c.id = 1;
  c.election_tick = 1;
  EXPECT_FALSE(RawNode::Create(c).ok()) << "election <= heartbeat";
  c.election_tick = 10;
  c.storage = nullptr;
  EXPECT_FALSE(RawNode::Create(c).ok());
}

TEST(RawNode, ProposalWithoutLeaderIsDropped) {
  Single s;
  EXPECT_TRUE(IsError(s.node->Propose("x"), kErrProposalDropped));
}

TEST(RawNode, ReadyCarriesStateThenCommitsOnlyAfterPersisting) {
  Single s;
  EXPECT_FALSE(s.node->HasReady());
  ASSERT_TRUE(s.node->Campaign().ok());
  ASSERT_TRUE(s.node->HasReady());
  Ready rd = s.Handle();
  ASSERT_TRUE(rd.soft_state.has_value());
  EXPECT_EQ(rd.soft_state->role, StateRole::kLeader);
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->term, 1u);
  EXPECT_EQ(rd.hard_state->vote, 1u);
  EXPECT_TRUE(rd.must_sync);
  ASSERT_EQ(rd.entries.size(), 1u);  // the leader's empty entry
  // Not committed in the same Ready: the leader counts its own entry only once persisted.
  EXPECT_TRUE(rd.committed_entries.empty());

  ASSERT_TRUE(s.node->HasReady());
  rd = s.Handle();
  EXPECT_FALSE(rd.must_sync) << "a commit-only change needs no sync";
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_FALSE(s.node->HasReady());

  ASSERT_TRUE(s.node->Propose("hello").ok());
  rd = s.Handle();
  EXPECT_EQ(rd.entries.size(), 1u);
  EXPECT_TRUE(rd.committed_entries.empty());
  rd = s.Handle();
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(s.applied, std::vector<std::string>{"hello"});
  EXPECT_EQ(s.storage.hard_state().commit, 2u);  // 1: the empty entry, 2: "hello"
  EXPECT_FALSE(s.node->HasReady());
}

TEST(RawNode, RestartsFromStorage) {
  Single s;
  ASSERT_TRUE(s.node->Campaign().ok());
  while (s.node->HasReady()) s.Handle();
  ASSERT_TRUE(s.node->Propose("a").ok());
  while (s.node->HasReady()) s.Handle();
  // A new node on the same storage: same term, commit, log; it re-applies from the start.
  Config c;
  c.id = 1;
  c.storage = &s.storage;
  auto r = RawNode::Create(c);
  ASSERT_TRUE(r.ok());
  auto& n = *r;
  EXPECT_EQ(n->GetStatus().hard_state, s.storage.hard_state());
  EXPECT_EQ(n->raft().role(), StateRole::kFollower);
  ASSERT_TRUE(n->HasReady());
  Ready rd = n->GetReady();
  EXPECT_EQ(rd.committed_entries.size(), 2u);
  EXPECT_TRUE(rd.entries.empty());
}

TEST(RawNode, RejectsLocalMessagesFromTheNetwork) {
  Single s;
  Message m;
  m.type = MessageType::kHup;
  m.from = 2;
  EXPECT_TRUE(IsError(s.node->Step(m), kErrStepLocalMsg));
  m.type = MessageType::kAppResp;
  m.from = 7;
  m.term = 1;
  EXPECT_TRUE(IsError(s.node->Step(m), kErrStepPeerNotFound));
}

TEST(RawNode, SingleNodeReadIndexIsImmediate) {
  Single s;
  ASSERT_TRUE(s.node->Campaign().ok());
  while (s.node->HasReady()) s.Handle();
  s.node->ReadIndex("r");
  Ready rd = s.Handle();
  ASSERT_EQ(rd.read_states.size(), 1u);
  EXPECT_EQ(rd.read_states[0].request_ctx, "r");
  EXPECT_EQ(rd.read_states[0].index, 1u);
}

}  // namespace
}  // namespace shoal::raft

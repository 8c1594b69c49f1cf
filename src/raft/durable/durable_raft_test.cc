// DurableStorage under a real Raft group: three RawNodes, each on its own FaultInjectionEnv,
// driven through many Ready cycles from one seed. Nodes lose power at random points of the
// cycle (after Save, after sending, between cycles), keeping random torn tails of what they
// did not sync, and restart from their directory. After every restart the node must hold
// everything it had synced: term, vote, snapshot and every log entry exactly, and a commit
// between the last synced one and the last saved one. Across the group, no two leaders in a
// term and no two nodes applying different entries at an index (what a forgotten vote or a
// lost acknowledged entry would cause). No clock, no threads: a seed replays a run exactly.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/fault_injection_env.h"
#include "raft/durable/durable_storage.h"
#include "raft/rand.h"
#include "raft/raw_node.h"

namespace shoal::raft::durable {
namespace {

constexpr const char* kDir = "/raft";
constexpr int kNodes = 3;

// What a node's storage held at some moment.
struct Persisted {
  HardState hs;
  uint64_t snap_index = 0;
  uint64_t snap_term = 0;
  uint64_t first = 1;
  std::vector<Entry> entries;  // [first, last]

  uint64_t last() const { return first + entries.size() - 1; }
};

Persisted Capture(const DurableStorage& s) {
  Persisted p;
  p.hs = s.hard_state();
  auto snap = s.GetSnapshot();
  EXPECT_TRUE(snap.ok());
  p.snap_index = snap->metadata.index;
  p.snap_term = snap->metadata.term;
  p.first = s.FirstIndex();
  if (s.LastIndex() >= p.first) p.entries = *s.Entries(p.first, s.LastIndex() + 1, kNoLimit);
  return p;
}

// Empty when `rec` (recovered) keeps everything `synced` had and commits within bounds.
std::string CheckRecovered(const Persisted& rec, const Persisted& synced, uint64_t last_commit) {
  if (rec.hs.term != synced.hs.term || rec.hs.vote != synced.hs.vote) {
    return fmt::format("term/vote {}/{}, synced {}/{}", rec.hs.term, rec.hs.vote, synced.hs.term,
                       synced.hs.vote);
  }
  if (rec.snap_index != synced.snap_index || rec.snap_term != synced.snap_term) {
    return fmt::format("snapshot {}/{}, synced {}/{}", rec.snap_index, rec.snap_term,
                       synced.snap_index, synced.snap_term);
  }
  if (rec.last() != synced.last()) {
    return fmt::format("last index {}, synced {}", rec.last(), synced.last());
  }
  // The recovered log may start later (compacted to the snapshot) or earlier (compacted below
  // it in memory only); every index both hold must match.
  for (uint64_t i = std::max(rec.first, synced.first); i <= rec.last(); ++i) {
    if (rec.entries[i - rec.first] != synced.entries[i - synced.first]) {
      return fmt::format("entry {} differs from the synced one", i);
    }
  }
  // A commit-only Ready is not synced (docs/raft-storage.md §3): the commit may fall back to
  // the last synced one, never further; and a snapshot holds only committed state.
  uint64_t lo = std::max(synced.hs.commit, synced.snap_index);
  uint64_t hi = std::max(last_commit, synced.snap_index);
  if (rec.hs.commit < lo || rec.hs.commit > hi) {
    return fmt::format("commit {} outside [{}, {}]", rec.hs.commit, lo, hi);
  }
  return "";
}

struct Node {
  NodeId id = kNone;
  FaultInjectionEnv env;
  std::unique_ptr<DurableStorage> storage;  // both null while the node is down
  std::unique_ptr<RawNode> raw;
  Persisted synced;          // the storage as of the last sync
  uint64_t last_commit = 0;  // the last commit saved, synced or not
  uint64_t applied = 0;
  int incarnation = 0;
};

struct Stats {
  int crashes = 0;
  int installs = 0;
  int snapshots = 0;
  uint64_t max_commit = 0;
};

class Cluster {
 public:
  Cluster(uint64_t seed, DurableOptions options) : rng_(seed), seed_(seed), options_(options) {
    ConfState cs;
    for (int i = 1; i <= kNodes; ++i) cs.voters.push_back(static_cast<NodeId>(i));
    for (int i = 1; i <= kNodes; ++i) {
      auto n = std::make_unique<Node>();
      n->id = static_cast<NodeId>(i);
      auto s = DurableStorage::Open(&n->env, kDir, options_);
      EXPECT_TRUE(s.ok()) << s.status().message();
      EXPECT_TRUE((*s)->Bootstrap(cs).ok());
      n->storage = std::move(s).value();
      n->synced = Capture(*n->storage);
      StartRaft(*n);
      nodes_.push_back(std::move(n));
    }
  }

  const Stats& stats() const { return stats_; }

  // One round: deliver some messages, tick, maybe propose, process every Ready, maybe crash
  // or restart a node.
  void Step(int round) {
    Deliver();
    for (auto& n : nodes_) {
      if (n->raw) n->raw->Tick();
    }
    for (auto& n : nodes_) {
      if (n->raw && n->raw->raft().role() == StateRole::kLeader && rng_.Chance(1, 2)) {
        (void)n->raw->Propose(fmt::format("v{}.{}", round, n->id));
      }
    }
    for (auto& n : nodes_) ProcessReady(*n);
    Node& victim = *nodes_[rng_.Uniform(kNodes)];
    if (victim.raw && rng_.Chance(1, 25)) Crash(victim);
    for (auto& n : nodes_) {
      if (!n->raw && rng_.Chance(1, 8)) Restart(*n);
    }
  }

  // Restarts every node that is down (for a final check of each).
  void RestartAll() {
    for (auto& n : nodes_) {
      if (!n->raw) Restart(*n);
    }
  }

 private:
  void StartRaft(Node& n) {
    Config c;
    c.id = n.id;
    c.storage = n.storage.get();
    c.election_tick = 10;
    c.heartbeat_tick = 2;
    c.max_inflight_msgs = 4;
    c.max_size_per_msg = 64;
    c.pre_vote = true;
    c.random_seed = seed_ * 1000003 + n.id * 101 + static_cast<uint64_t>(n.incarnation);
    auto raw = RawNode::Create(c);
    ASSERT_TRUE(raw.ok()) << raw.status().message();
    n.raw = std::move(raw).value();
    n.applied = n.synced.snap_index;  // the state machine restarts from the snapshot
  }

  void Crash(Node& n) {
    n.raw.reset();
    n.storage.reset();
    n.env.Crash(FaultInjectionEnv::RandomTornTails(rng_.Next()));
    n.incarnation++;
    stats_.crashes++;
  }

  void Restart(Node& n) {
    SCOPED_TRACE(fmt::format("node {} incarnation {}", n.id, n.incarnation));
    auto s = DurableStorage::Open(&n.env, kDir, options_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    n.storage = std::move(s).value();
    Persisted rec = Capture(*n.storage);
    std::string why = CheckRecovered(rec, n.synced, n.last_commit);
    ASSERT_EQ(why, "") << "lost synced state after a crash";
    n.synced = rec;
    n.last_commit = rec.hs.commit;
    StartRaft(n);
  }

  void ProcessReady(Node& n) {
    while (n.raw && n.raw->HasReady()) {
      Ready rd = n.raw->GetReady();
      if (rd.soft_state && rd.soft_state->role == StateRole::kLeader) CheckLeader(n);
      ASSERT_TRUE(n.storage->Save(rd).ok());
      if (rd.snapshot) stats_.installs++;
      if (rd.hard_state) n.last_commit = rd.hard_state->commit;
      if (rd.snapshot || rd.must_sync) n.synced = Capture(*n.storage);
      if (rng_.Chance(1, 150)) {  // persisted, nothing sent
        Crash(n);
        return;
      }
      for (Message& m : rd.messages) network_.push_back(std::move(m));
      if (rng_.Chance(1, 150)) {  // sent, not applied
        Crash(n);
        return;
      }
      if (rd.snapshot) n.applied = rd.snapshot->metadata.index;
      for (const Entry& e : rd.committed_entries) Apply(n, e);
      n.raw->Advance();
      MaybeSnapshot(n);
    }
  }

  void Apply(Node& n, const Entry& e) {
    ASSERT_EQ(e.index, n.applied + 1) << "node " << n.id;
    n.applied = e.index;
    stats_.max_commit = std::max(stats_.max_commit, e.index);
    auto [it, inserted] = applied_.emplace(e.index, e);
    ASSERT_TRUE(inserted || it->second == e)
        << "state machine safety: node " << n.id << " applied a different entry at " << e.index;
  }

  void CheckLeader(const Node& n) {
    uint64_t term = n.raw->raft().term();
    auto [it, inserted] = leader_of_term_.emplace(term, n.id);
    ASSERT_TRUE(inserted || it->second == n.id)
        << "election safety: nodes " << it->second << " and " << n.id << " lead term " << term;
  }

  // Now and then snapshots the applied state and compacts the log up to it, so that a node
  // that was down long enough is sent a snapshot.
  void MaybeSnapshot(Node& n) {
    if (n.applied <= n.storage->GetSnapshot()->metadata.index || !rng_.Chance(1, 10)) return;
    auto snap = n.storage->CreateSnapshot(n.applied, nullptr, fmt::format("upto {}", n.applied));
    ASSERT_TRUE(snap.ok()) << snap.status().message();
    ASSERT_TRUE(n.storage->Compact(n.applied).ok());
    n.synced = Capture(*n.storage);  // CreateSnapshot synced everything written before it
    stats_.snapshots++;
  }

  // Delivers each in-flight message with probability 1/2 (the others wait: reordering). A
  // message to a node that is down is lost.
  void Deliver() {
    std::vector<Message> later;
    for (Message& m : std::exchange(network_, {})) {
      if (rng_.Chance(1, 2)) {
        later.push_back(std::move(m));
        continue;
      }
      Node& to = *nodes_[m.to - 1];
      Node& from = *nodes_[m.from - 1];
      if (m.type == MessageType::kSnap && from.raw)
        from.raw->ReportSnapshot(m.to, to.raw != nullptr);
      if (to.raw) (void)to.raw->Step(std::move(m));
    }
    network_.insert(network_.end(), std::make_move_iterator(later.begin()),
                    std::make_move_iterator(later.end()));
  }

  Rng rng_;
  uint64_t seed_;
  DurableOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Message> network_;
  std::map<uint64_t, Entry> applied_;          // index -> the entry every node applied there
  std::map<uint64_t, NodeId> leader_of_term_;  // term -> its leader
  Stats stats_;
};

TEST(DurableRaft, RandomPowerLossesKeepWhatWasSynced) {
  Stats total;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    DurableOptions o;
    o.segment_bytes = 512 + seed * 64;  // small segments: rotation and compaction happen
    Cluster c(seed, o);
    for (int round = 0; round < 400 && !HasFatalFailure(); ++round) c.Step(round);
    if (!HasFatalFailure()) c.RestartAll();
    if (HasFatalFailure()) return;
    total.crashes += c.stats().crashes;
    total.installs += c.stats().installs;
    total.snapshots += c.stats().snapshots;
    EXPECT_GT(c.stats().max_commit, 50u) << "the group made progress";
  }
  EXPECT_GT(total.crashes, 200);
  EXPECT_GT(total.snapshots, 100);
  EXPECT_GT(total.installs, 5);
  std::printf("durable raft: %d crashes, %d snapshots, %d snapshots installed\n", total.crashes,
              total.snapshots, total.installs);
}

}  // namespace
}  // namespace shoal::raft::durable

// RaftSim: a deterministic simulation of a Raft group. N RawNodes run in one thread from
// one seed over a fake network that drops, delays (so reorders), duplicates and partitions
// messages; nodes crash (losing everything not yet handed to storage) and restart from their
// durable MemoryStorage; clients propose; nodes compact their logs. After every step the
// safety properties of Raft (paper Figure 3) are checked:
//   election safety, log matching, leader completeness, state machine safety.
// The same seed replays the same run exactly (no clock, no threads, no global state).
//
// Thread-safety: one owner.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raft/rand.h"
#include "raft/raw_node.h"
#include "raft/storage.h"

namespace shoal::sim {

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  int steps = 600;  // ticks with faults, then a quiet period
  int quiet_steps = 300;
  bool pre_vote = true;
  bool check_quorum = true;
  // Print every event to stderr (replaying a failing seed).
  bool trace = false;
};

struct SimResult {
  // The first violated property with its context; nullopt when the run was clean.
  std::optional<std::string> violation;
  uint64_t committed = 0;  // highest commit index reached
  int leaders_elected = 0;
  int crashes = 0;
  uint64_t messages = 0;
};

class RaftSim {
 public:
  explicit RaftSim(const SimOptions& options);
  ~RaftSim();
  SimResult Run();

 private:
  struct Node;
  struct InFlight {
    uint64_t deliver_at;
    raft::Message msg;
  };

  void Step(bool faults);
  void Crash(Node& n);
  void Restart(Node& n);
  void ProcessReady(Node& n);
  void Apply(Node& n, const raft::Entry& e);
  void Send(raft::Message m, bool faults);
  void Deliver();
  void ReportSnapshot(const raft::Message& m, bool delivered);
  void MaybeCompact(Node& n);
  void ChangePartition();
  bool Linked(raft::NodeId a, raft::NodeId b) const;
  void Check();
  void Fail(std::string what);
  void Trace(const std::string& line);

  SimOptions opt_;
  raft::Rng rng_;
  uint64_t now_ = 0;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<InFlight> network_;
  std::map<raft::NodeId, int> group_;  // partition groups; equal group = connected
  // Checker state.
  std::map<uint64_t, raft::NodeId> leader_of_term_;
  std::map<uint64_t, std::pair<uint64_t, std::string>> applied_;  // index -> (term, data)
  // index -> (entry term, term of the leader that committed it)
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> committed_;
  uint64_t next_value_ = 1;
  bool proposals_ = true;
  bool faults_ = true;
  SimResult result_;
};

}  // namespace shoal::sim

// RaftSim: a deterministic simulation of a Raft group. N RawNodes run in one thread from
// one seed over a fake network that drops, delays (so reorders), duplicates and partitions
// messages; nodes crash (losing everything not yet handed to storage) and restart from their
// durable MemoryStorage; nodes compact their logs. The applied log drives a KV register store
// on every node (kv_state_machine.h) used by a few simulated clients (kv_clients.h). After
// every step the safety properties of Raft (paper Figure 3) are checked:
//   election safety, log matching, leader completeness, state machine safety;
// at the end, the clients' history must be linearizable (linearizability.h).
// The same seed replays the same run exactly (no clock, no threads, no global state).
// docs/raft-sim.md describes the model.
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
#include "sim/kv_clients.h"
#include "sim/kv_state_machine.h"

namespace shoal::sim {

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  int steps = 600;  // ticks with faults, then a quiet period
  int quiet_steps = 300;
  bool pre_vote = true;
  bool check_quorum = true;
  // The clients and how their reads are served (the unsafe modes only to test the checker).
  ClientOptions clients;
  // Bounds the linearizability search per key; giving up is reported as a violation, so a
  // limit never silently passes a run. Linearizable histories of a run (a few hundred
  // operations per key, unique values) need far fewer steps; proving a history NOT
  // linearizable may take many more (every order of the operations without a response).
  uint64_t check_max_steps = 5'000'000;
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
  uint64_t ops_completed = 0;   // client operations answered
  uint64_t ops_unanswered = 0;  // accepted but left without a response
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
  Admission Submit(const ClientRequest& req);
  void CheckHistory();
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
  // The KV state after each index of applied_, built from applied_ alone ([0] is empty): what
  // a snapshot at that index must hold.
  KvStateMachine reference_;
  std::vector<std::string> state_at_{""};
  KvClients clients_;
  bool invoking_ = true;  // clients start new operations
  bool faults_ = true;
  SimResult result_;
};

}  // namespace shoal::sim

// InteractionEnv (tests only): a cluster of RawNodes in one thread driven by text commands,
// for the transcript tests in testdata/*.txt. The env is the "application": it persists
// every Ready into the node's MemoryStorage, queues its messages on a network of per-node
// mailboxes (dropping those that cross a partition), applies committed entries and calls
// Advance. Commands and their output: see the comment at the top of interaction_env.cc.
// Thread-safety: one owner.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raft/raw_node.h"
#include "raft/storage.h"

namespace shoal::raft::testing {

// A parsed command line: `name pos1 pos2 key=value key=(a,b)`.
struct Command {
  std::string name;
  std::vector<std::string> args;          // positional
  std::map<std::string, std::string> kv;  // key=value (parentheses kept for lists)
  int line = 0;
};

Command ParseCommand(const std::string& line);

// MemoryStorage whose GetSnapshot() returns the owner's snapshot of its applied state (as
// etcd's interaction env does), so a leader can always catch a new member up.
class EnvStorage final : public Storage {
 public:
  Result<InitialState> GetInitialState() const override { return mem.GetInitialState(); }
  Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max) const override {
    return mem.Entries(lo, hi, max);
  }
  Result<uint64_t> Term(uint64_t i) const override { return mem.Term(i); }
  uint64_t FirstIndex() const override { return mem.FirstIndex(); }
  uint64_t LastIndex() const override { return mem.LastIndex(); }
  Result<Snapshot> GetSnapshot() const override;

  MemoryStorage mem;
  const RawNode* node = nullptr;
  const std::vector<std::string>* applied_data = nullptr;
};

class InteractionEnv {
 public:
  // Runs one command; returns its output (never empty: "ok" when there is nothing to say).
  std::string Handle(const Command& cmd);

 private:
  struct Node {
    NodeId id = kNone;
    std::unique_ptr<EnvStorage> storage;
    std::unique_ptr<RawNode> raw;
    Config config;
    // The data of every applied normal entry, in order (the "state machine").
    std::vector<std::string> applied;
  };

  Node* Find(NodeId id);
  Node& Get(const std::string& id);
  std::vector<NodeId> Ids(const Command& cmd) const;

  std::string AddNodes(const Command& cmd);
  std::string ProcessReady(Node& n, const std::string& indent);
  std::string DeliverMsgs(NodeId id, const std::string& indent, bool drop);
  std::string Stabilize(const std::vector<NodeId>& ids);
  std::string TickElection(Node& n);
  std::string NodeStatusText(Node& n);
  std::string RaftLog(Node& n);
  std::string RaftState();
  std::string Compact(Node& n, uint64_t index);
  bool Partitioned(NodeId a, NodeId b) const;

  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<NodeId, std::vector<Message>> mailbox_;
  // Node id -> partition group; nodes in different groups cannot talk. Empty: healed.
  std::map<NodeId, int> groups_;
};

}  // namespace shoal::raft::testing

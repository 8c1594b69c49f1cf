// RawNode: the application's handle on one Raft node. Inputs (Tick, Step, Propose, ...) go in;
// GetReady() returns what to persist, send and apply; Advance() says it was done. The
// contract — persist BEFORE send, apply only persisted entries — is in docs/raft.md §1.
//
// Thread-safety: one owner. The RawNode, its Storage and the Ready it returns are used by
// one thread (in Shoal, the shard thread that owns the Raft group).
// Invariants: GetReady() is called only when HasReady(), and Advance() after each
// GetReady() before the next; a Ready never repeats what an earlier Ready delivered.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "raft/raft.h"
#include "raft/types.h"

namespace shoal::raft {

struct Ready {
  // Present when the leader or role changed. Volatile: not persisted.
  std::optional<SoftState> soft_state;
  // Present when term, vote or commit changed: persist before sending `messages`.
  std::optional<HardState> hard_state;
  std::vector<ReadState> read_states;
  // Entries to append to storage (replacing any suffix from entries[0].index).
  std::vector<Entry> entries;
  // A snapshot to install in storage before `entries`.
  std::optional<Snapshot> snapshot;
  // Entries to apply to the state machine, in order (after persisting `entries`).
  std::vector<Entry> committed_entries;
  // Messages to send after everything above is durable.
  std::vector<Message> messages;
  // Whether the writes must be synced (fsync) before sending: entries, term or vote changed.
  bool must_sync = false;
};

// A snapshot of a node's state for status pages and tests.
struct NodeStatus {
  NodeId id = kNone;
  HardState hard_state;
  SoftState soft_state;
  uint64_t applied = 0;
  NodeId lead_transferee = kNone;
  // The followers' progress; filled only on the leader.
  ProgressMap progress;
};

class RawNode {
 public:
  static Result<std::unique_ptr<RawNode>> Create(const Config& config);

  void Tick() { raft_->Tick(); }
  // Starts an election now (pre-vote first when enabled).
  Status Campaign();
  // Proposes data to be appended; ErrProposalDropped when no leader can take it now.
  Status Propose(std::string data);
  // Proposes a membership change (docs/raft.md §3 for when it is refused).
  Status ProposeConfChange(const ConfChange& cc);
  // Feeds a message received from a peer. Local message types are refused.
  Status Step(Message m);
  // Requests a linearizable read point; the answer arrives as a ReadState with this ctx.
  void ReadIndex(std::string ctx);
  // Asks the leader to hand leadership to `to`.
  void TransferLeader(NodeId to);
  // The transport failed to reach `id` (leader: stop optimistic replication to it).
  void ReportUnreachable(NodeId id);
  // The snapshot sent to `id` was installed (ok) or failed.
  void ReportSnapshot(NodeId id, bool ok);
  // Applies a committed conf change entry; returns the new membership.
  ConfState ApplyConfChange(const ConfChange& cc) { return raft_->ApplyConfChange(cc); }

  bool HasReady() const;
  Ready GetReady();
  // Everything in the last Ready was persisted, sent and applied.
  void Advance();

  NodeStatus GetStatus() const;
  const Raft& raft() const { return *raft_; }

 private:
  explicit RawNode(std::unique_ptr<Raft> raft);

  std::unique_ptr<Raft> raft_;
  SoftState prev_soft_state_;
  HardState prev_hard_state_;
  // What the outstanding Ready (between GetReady and Advance) delivered.
  bool ready_outstanding_ = false;
  std::optional<std::pair<uint64_t, uint64_t>> ready_last_entry_;  // (index, term)
  uint64_t ready_snapshot_index_ = 0;
  uint64_t ready_last_committed_ = 0;
};

}  // namespace shoal::raft

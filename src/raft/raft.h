// Raft: one node's consensus state machine (term, vote, role, log, followers' progress), as
// in etcd-io/raft. It turns inputs (Step, Tick) into state changes and outgoing messages; it
// does no I/O, reads no clock and keeps no global state. Applications use RawNode
// (raw_node.h), which packages the outputs into Ready and takes Advance; tests may drive
// Raft directly. Rules implemented: docs/raft.md §3.
//
// Thread-safety: one owner. Neither Raft nor its Storage may be touched concurrently.
// Invariants: role_ == kLeader implies lead_ == id_; vote_ is only set in term_; the leader's
// own progress match is the last index it has persisted (never an unpersisted one); a
// committed entry is never truncated.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "raft/progress.h"
#include "raft/raft_log.h"
#include "raft/rand.h"
#include "raft/read_only.h"
#include "raft/storage.h"
#include "raft/types.h"

namespace shoal::raft {

// The context of a MsgVote sent for a leader transfer: bypasses the CheckQuorum lease.
inline constexpr std::string_view kCampaignTransfer = "CampaignTransfer";

struct Config {
  NodeId id = kNone;
  // Ticks without hearing from a leader before a follower campaigns; the actual timeout is
  // drawn from [election_tick, 2 * election_tick). Must be > heartbeat_tick.
  int election_tick = 10;
  // Ticks between a leader's heartbeats.
  int heartbeat_tick = 1;
  // The node's log, hard state and membership; must outlive the node.
  const Storage* storage = nullptr;
  // The last index the application has applied (restart with a persistent state machine).
  uint64_t applied = 0;
  // Bytes of entry data per MsgApp (at least one entry is always sent).
  uint64_t max_size_per_msg = 1 << 20;
  // Bytes of committed entry data per Ready (at least one entry).
  uint64_t max_committed_size_per_ready = kNoLimit;
  // MsgApps in flight per follower in Replicate state.
  size_t max_inflight_msgs = 256;
  bool check_quorum = false;
  bool pre_vote = false;
  // Seeds the randomized election timeout; the only source of randomness.
  uint64_t random_seed = 0;

  Status Validate() const;
};

class Raft {
 public:
  static Result<std::unique_ptr<Raft>> Create(const Config& config);

  // Feeds one message (from the network, or a local input such as MsgHup or MsgProp).
  // ErrProposalDropped when a proposal cannot be accepted now.
  Status Step(Message m);
  // Advances logical time by one tick.
  void Tick();

  // The application persisted the log through (index, term) / the snapshot at index; it
  // applied entries through index. Called by RawNode::Advance.
  void OnPersisted(uint64_t index, uint64_t term);
  void OnSnapshotPersisted(uint64_t index);
  void OnApplied(uint64_t index);

  // Applies a committed membership change; returns the new membership.
  ConfState ApplyConfChange(const ConfChange& cc);

  // Outputs, moved out by RawNode::GetReady.
  std::vector<Message> TakeMessages();
  std::vector<ReadState> TakeReadStates();
  bool HasMessages() const { return !msgs_.empty(); }
  bool HasReadStates() const { return !read_states_.empty(); }

  SoftState GetSoftState() const { return SoftState{lead_, role_}; }
  HardState GetHardState() const;
  ConfState GetConfState() const;

  NodeId id() const { return id_; }
  uint64_t term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId lead() const { return lead_; }
  StateRole role() const { return role_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  const RaftLog& log() const { return log_; }
  const ProgressMap& progress() const { return prs_; }
  // Tests: the drawn election timeout and the ticks since the last reset.
  int randomized_election_timeout() const { return randomized_election_timeout_; }
  int election_elapsed() const { return election_elapsed_; }

 private:
  explicit Raft(const Config& c);

  enum class CampaignType { kPreElection, kElection, kTransfer };

  void BecomeFollower(uint64_t term, NodeId lead);
  void BecomeCandidate();
  void BecomePreCandidate();
  void BecomeLeader();
  void Reset(uint64_t term);
  void ResetRandomizedElectionTimeout();

  void TickElection();
  void TickHeartbeat();
  bool PastElectionTimeout() const { return election_elapsed_ >= randomized_election_timeout_; }
  bool Promotable() const;
  bool HasUnappliedConfChanges() const;

  void Hup(CampaignType t);
  void Campaign(CampaignType t);
  VoteResult Poll(NodeId id, bool granted, int* granted_count, int* rejected_count);

  Status StepLeader(Message& m);
  Status StepCandidate(Message& m);
  Status StepFollower(Message& m);
  void HandleVoteRequest(const Message& m);
  void HandleAppendEntries(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  bool Restore(const Snapshot& s);
  void HandleAppResp(const Message& m, Progress& pr);
  void HandleHeartbeatResp(const Message& m, Progress& pr);
  void HandleTransferLeader(const Message& m, Progress& pr);

  void Send(Message m);
  void SendAppend(NodeId to) { MaybeSendAppend(to, true); }
  bool MaybeSendAppend(NodeId to, bool send_if_empty);
  bool MaybeSendSnapshot(NodeId to, Progress& pr);
  void SendHeartbeat(NodeId to, const std::string& ctx);
  void BcastAppend();
  void BcastHeartbeat();
  void BcastHeartbeatWithCtx(const std::string& ctx);
  void SendTimeoutNow(NodeId to);
  void AbortLeaderTransfer() { lead_transferee_ = kNone; }

  bool AppendEntries(std::vector<Entry> es);
  bool MaybeCommit();
  bool CommittedEntryInCurrentTerm() const;
  bool QuorumActive() const;

  void SendReadIndex(const Message& m);
  void RespondToReadIndex(const Message& req, uint64_t read_index);
  void ReleasePendingReadIndexMessages();

  void RebuildProgress(const ConfState& cs);
  Progress NewProgress(NodeId id) const;
  uint64_t StableLastIndex() const;

  NodeId id_;
  uint64_t term_ = 0;
  NodeId vote_ = kNone;
  NodeId lead_ = kNone;
  StateRole role_ = StateRole::kFollower;
  RaftLog log_;

  uint64_t max_msg_size_;
  size_t max_inflight_;
  ProgressMap prs_;
  std::map<NodeId, bool> votes_;
  std::vector<Message> msgs_;
  std::vector<ReadState> read_states_;

  NodeId lead_transferee_ = kNone;
  // The index of the last conf change proposed by this leader; a new one is refused until
  // the log is applied past it.
  uint64_t pending_conf_index_ = 0;
  ReadOnly read_only_;
  // ReadIndex requests that arrived before the leader committed an entry of its term.
  std::vector<Message> pending_read_index_msgs_;

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  bool check_quorum_;
  bool pre_vote_;
  int heartbeat_timeout_;
  int election_timeout_;
  int randomized_election_timeout_ = 0;
  Rng rng_;
};

}  // namespace shoal::raft

#include "raft/raft.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "raft/errors.h"

namespace shoal::raft {

Status Config::Validate() const {
  if (id == kNone) return Status::Error("raft: cannot use none as id");
  if (heartbeat_tick <= 0) return Status::Error("raft: heartbeat tick must be greater than 0");
  if (election_tick <= heartbeat_tick) {
    return Status::Error("raft: election tick must be greater than heartbeat tick");
  }
  if (storage == nullptr) return Status::Error("raft: storage cannot be nil");
  if (max_inflight_msgs == 0) {
    return Status::Error("raft: max inflight messages must be greater than 0");
  }
  return Status::Ok();
}

Raft::Raft(const Config& c)
    : id_(c.id),
      log_(c.storage, c.max_committed_size_per_ready),
      max_msg_size_(c.max_size_per_msg),
      max_inflight_(c.max_inflight_msgs),
      check_quorum_(c.check_quorum),
      pre_vote_(c.pre_vote),
      heartbeat_timeout_(c.heartbeat_tick),
      election_timeout_(c.election_tick),
      rng_(c.random_seed) {}

Result<std::unique_ptr<Raft>> Raft::Create(const Config& c) {
  if (Status s = c.Validate(); !s.ok()) return s;
  auto initial = c.storage->GetInitialState();
  if (!initial.ok()) return initial.status();
  std::unique_ptr<Raft> r(new Raft(c));
  r->RebuildProgress(initial->conf_state);
  const HardState& hs = initial->hard_state;
  if (!hs.Empty()) {
    if (hs.commit < r->log_.committed() || hs.commit > r->log_.LastIndex()) {
      return Status::Error(fmt::format("raft: hard state commit {} is out of range [{}, {}]",
                                       hs.commit, r->log_.committed(), r->log_.LastIndex()));
    }
    r->log_.CommitTo(hs.commit);
    r->term_ = hs.term;
    r->vote_ = hs.vote;
  }
  if (c.applied > 0) {
    if (c.applied > r->log_.committed()) {
      return Status::Error(
          fmt::format("raft: applied {} is beyond commit {}", c.applied, r->log_.committed()));
    }
    if (c.applied > r->log_.applied()) r->log_.AppliedTo(c.applied);
  }
  r->BecomeFollower(r->term_, kNone);
  return r;
}

HardState Raft::GetHardState() const {
  HardState hs;
  hs.term = term_;
  hs.vote = vote_;
  hs.commit = log_.committed();
  return hs;
}

ConfState Raft::GetConfState() const {
  ConfState cs;
  for (const auto& [id, pr] : prs_) cs.voters.push_back(id);
  return cs;
}

std::vector<Message> Raft::TakeMessages() { return std::exchange(msgs_, {}); }

std::vector<ReadState> Raft::TakeReadStates() { return std::exchange(read_states_, {}); }

// ---- Roles ----------------------------------------------------------------------------

Progress Raft::NewProgress(NodeId id) const {
  Progress pr(log_.LastIndex() + 1, max_inflight_);
  if (id == id_) {
    pr.match = std::min(StableLastIndex(), log_.LastIndex());
    pr.recent_active = true;
  }
  return pr;
}

uint64_t Raft::StableLastIndex() const { return log_.StableLastIndex(); }

void Raft::RebuildProgress(const ConfState& cs) {
  prs_.clear();
  for (NodeId id : cs.voters) prs_.emplace(id, NewProgress(id));
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      election_timeout_ + static_cast<int>(rng_.Uniform(static_cast<uint64_t>(election_timeout_)));
}

void Raft::Reset(uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = kNone;
  }
  lead_ = kNone;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  votes_.clear();
  for (auto& [id, pr] : prs_) {
    // Keep recent_active: CheckQuorum compares against the previous interval.
    bool active = pr.recent_active;
    pr = NewProgress(id);
    pr.recent_active = active || id == id_;
  }
  pending_conf_index_ = 0;
  read_only_.Reset();
  pending_read_index_msgs_.clear();
}

void Raft::BecomeFollower(uint64_t term, NodeId lead) {
  Reset(term);
  lead_ = lead;
  role_ = StateRole::kFollower;
}

void Raft::BecomeCandidate() {
  RAFT_CHECK(role_ != StateRole::kLeader, "invalid transition [leader -> candidate]");
  Reset(term_ + 1);
  vote_ = id_;
  role_ = StateRole::kCandidate;
}

void Raft::BecomePreCandidate() {
  RAFT_CHECK(role_ != StateRole::kLeader, "invalid transition [leader -> pre-candidate]");
  // A pre-candidate keeps its term and vote: it only asks whether it could win.
  votes_.clear();
  lead_ = kNone;
  role_ = StateRole::kPreCandidate;
}

void Raft::BecomeLeader() {
  RAFT_CHECK(role_ != StateRole::kFollower, "invalid transition [follower -> leader]");
  Reset(term_);
  lead_ = id_;
  role_ = StateRole::kLeader;
  auto self = prs_.find(id_);
  if (self != prs_.end()) self->second.BecomeReplicate();
  // Conf changes in the log may be uncommitted: refuse new ones until all of the log up to
  // here is applied (which, with the empty entry below, needs a commit in this term).
  pending_conf_index_ = log_.LastIndex();
  // An empty entry of the new term: committing it commits every earlier entry (§5.4.2).
  AppendEntries({Entry{}});
}

bool Raft::Promotable() const { return prs_.count(id_) != 0 && !log_.HasPendingSnapshot(); }

bool Raft::HasUnappliedConfChanges() const {
  if (log_.applied() >= log_.committed()) return false;
  auto ents = log_.Slice(log_.applied() + 1, log_.committed() + 1, kNoLimit);
  if (!ents.ok()) return false;
  for (const Entry& e : *ents) {
    if (e.type == EntryType::kConfChange) return true;
  }
  return false;
}

// ---- Ticks ----------------------------------------------------------------------------

void Raft::Tick() {
  if (role_ == StateRole::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (Promotable() && PastElectionTimeout()) {
    election_elapsed_ = 0;
    Message m;
    m.type = MessageType::kHup;
    m.from = id_;
    (void)Step(std::move(m));
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (check_quorum_) {
      Message m;
      m.type = MessageType::kCheckQuorum;
      m.from = id_;
      (void)Step(std::move(m));
    }
    // A transfer that did not finish within an election timeout is abandoned.
    if (role_ == StateRole::kLeader && lead_transferee_ != kNone) AbortLeaderTransfer();
  }
  if (role_ != StateRole::kLeader) return;
  if (heartbeat_elapsed_ >= heartbeat_timeout_) {
    heartbeat_elapsed_ = 0;
    Message m;
    m.type = MessageType::kBeat;
    m.from = id_;
    (void)Step(std::move(m));
  }
}

// ---- Elections ------------------------------------------------------------------------

void Raft::Hup(CampaignType t) {
  if (role_ == StateRole::kLeader) return;
  if (!Promotable()) return;
  // A node must know the membership it would lead: apply committed conf changes first.
  if (HasUnappliedConfChanges()) return;
  Campaign(t);
}

VoteResult Raft::Poll(NodeId id, bool granted, int* granted_count, int* rejected_count) {
  votes_.emplace(id, granted);  // the first answer of a voter counts
  return TallyVotes(prs_, votes_, granted_count, rejected_count);
}

void Raft::Campaign(CampaignType t) {
  uint64_t term;
  MessageType vote_type;
  if (t == CampaignType::kPreElection) {
    BecomePreCandidate();
    vote_type = MessageType::kPreVote;
    term = term_ + 1;  // the term we would campaign in; not adopted yet
  } else {
    BecomeCandidate();
    vote_type = MessageType::kVote;
    term = term_;
  }
  if (Poll(id_, true, nullptr, nullptr) == VoteResult::kWon) {
    // A one-voter group wins at once.
    if (t == CampaignType::kPreElection) {
      Campaign(CampaignType::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (const auto& [id, pr] : prs_) {
    if (id == id_) continue;
    Message m;
    m.type = vote_type;
    m.to = id;
    m.term = term;
    m.index = log_.LastIndex();
    m.log_term = log_.LastTerm();
    if (t == CampaignType::kTransfer) m.context = std::string(kCampaignTransfer);
    Send(std::move(m));
  }
}

void Raft::HandleVoteRequest(const Message& m) {
  // We can vote if this is a repeat of our vote, if we have not voted and know no leader in
  // this term, or if this is a PreVote for a future term...
  bool can_vote = vote_ == m.from || (vote_ == kNone && lead_ == kNone) ||
                  (m.type == MessageType::kPreVote && m.term > term_);
  // ...and the candidate's log is at least as up to date as ours (§5.4.1).
  Message resp;
  resp.to = m.from;
  resp.type = VoteResponseType(m.type);
  if (can_vote && log_.IsUpToDate(m.index, m.log_term)) {
    // Answer with the request's term: a pre-candidate ignores responses of other terms.
    resp.term = m.term;
    if (m.type == MessageType::kVote) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    resp.term = term_;
    resp.reject = true;
  }
  Send(std::move(resp));
}

// ---- Step -----------------------------------------------------------------------------

Status Raft::Step(Message m) {
  if (m.term == 0) {
    // A local message (or a forwarded proposal / read request).
  } else if (m.term > term_) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      bool force = m.context == kCampaignTransfer;
      bool in_lease = check_quorum_ && lead_ != kNone && election_elapsed_ < election_timeout_;
      // Within the lease of a current leader a vote request neither raises our term nor
      // gets our vote (thesis §4.2.3): a removed or partitioned node cannot disrupt.
      if (!force && in_lease) return Status::Ok();
    }
    if (m.type == MessageType::kPreVote) {
      // Never change our term in response to a PreVote.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // A granted pre-vote carries the future term; we adopt it only with a quorum.
    } else if (m.type == MessageType::kApp || m.type == MessageType::kHeartbeat ||
               m.type == MessageType::kSnap) {
      BecomeFollower(m.term, m.from);
    } else {
      BecomeFollower(m.term, kNone);
    }
  } else if (m.term < term_) {
    if ((check_quorum_ || pre_vote_) &&
        (m.type == MessageType::kHeartbeat || m.type == MessageType::kApp)) {
      // A leader of an older term: tell it our term so it steps down. Without this a node
      // whose term rose while partitioned (it cannot win with PreVote/CheckQuorum) would
      // stay cut off.
      Message resp;
      resp.to = m.from;
      resp.type = MessageType::kAppResp;
      Send(std::move(resp));
    } else if (m.type == MessageType::kPreVote) {
      Message resp;
      resp.to = m.from;
      resp.type = MessageType::kPreVoteResp;
      resp.term = term_;
      resp.reject = true;
      Send(std::move(resp));
    }
    return Status::Ok();
  }

  switch (m.type) {
    case MessageType::kHup:
      Hup(pre_vote_ ? CampaignType::kPreElection : CampaignType::kElection);
      return Status::Ok();
    case MessageType::kVote:
    case MessageType::kPreVote:
      HandleVoteRequest(m);
      return Status::Ok();
    default:
      break;
  }
  switch (role_) {
    case StateRole::kLeader:
      return StepLeader(m);
    case StateRole::kCandidate:
    case StateRole::kPreCandidate:
      return StepCandidate(m);
    case StateRole::kFollower:
      return StepFollower(m);
  }
  return Status::Ok();
}

Status Raft::StepLeader(Message& m) {
  // Messages that need no progress of the sender.
  switch (m.type) {
    case MessageType::kBeat:
      BcastHeartbeat();
      return Status::Ok();
    case MessageType::kCheckQuorum:
      if (!QuorumActive()) {
        BecomeFollower(term_, kNone);
        return Status::Ok();
      }
      for (auto& [id, pr] : prs_) {
        if (id != id_) pr.recent_active = false;
      }
      return Status::Ok();
    case MessageType::kProp: {
      RAFT_CHECK(!m.entries.empty(), "stepped empty MsgProp");
      if (prs_.count(id_) == 0) return ErrProposalDropped();  // removed from the group
      if (lead_transferee_ != kNone) return ErrProposalDropped();
      for (size_t i = 0; i < m.entries.size(); ++i) {
        if (m.entries[i].type != EntryType::kConfChange) continue;
        // One membership change at a time, and only once this leader has committed an
        // entry of its own term (the fix to the single-server change bug).
        if (!CommittedEntryInCurrentTerm() || pending_conf_index_ > log_.applied()) {
          return ErrProposalDropped();
        }
        pending_conf_index_ = log_.LastIndex() + i + 1;
      }
      if (!AppendEntries(std::move(m.entries))) return ErrProposalDropped();
      BcastAppend();
      return Status::Ok();
    }
    case MessageType::kReadIndex:
      if (prs_.size() == 1 && prs_.count(id_) != 0) {
        RespondToReadIndex(m, log_.committed());
        return Status::Ok();
      }
      // Our commit index is only known to be current once an entry of our term committed.
      if (!CommittedEntryInCurrentTerm()) {
        pending_read_index_msgs_.push_back(std::move(m));
        return Status::Ok();
      }
      SendReadIndex(m);
      return Status::Ok();
    default:
      break;
  }
  auto it = prs_.find(m.from);
  if (it == prs_.end()) return Status::Ok();
  Progress& pr = it->second;
  switch (m.type) {
    case MessageType::kAppResp:
      HandleAppResp(m, pr);
      break;
    case MessageType::kHeartbeatResp:
      HandleHeartbeatResp(m, pr);
      break;
    case MessageType::kSnapStatus:
      if (pr.state != ProgressState::kSnapshot) break;
      if (m.reject) pr.pending_snapshot = 0;  // probe from match, not from the snapshot
      pr.BecomeProbe();
      // Wait for the follower's answer (or a heartbeat) before the next MsgApp.
      pr.probe_sent = true;
      break;
    case MessageType::kUnreachable:
      // A MsgApp was likely lost: stop optimistic replication.
      if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
      break;
    case MessageType::kTransferLeader:
      HandleTransferLeader(m, pr);
      break;
    default:
      break;
  }
  return Status::Ok();
}

void Raft::HandleAppResp(const Message& m, Progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) {
      // Skip every index whose term in our log is above the follower's term at the hint:
      // none of them can match.
      next_probe = log_.FindConflictByTerm(m.reject_hint, m.log_term).first;
    }
    if (pr.MaybeDecrTo(m.index, next_probe)) {
      if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
      SendAppend(m.from);
    }
    return;
  }
  bool was_paused = pr.IsPaused();
  if (!pr.MaybeUpdate(m.index) && !(pr.match == m.index && pr.state == ProgressState::kProbe)) {
    return;
  }
  switch (pr.state) {
    case ProgressState::kProbe:
      pr.BecomeReplicate();
      break;
    case ProgressState::kSnapshot:
      if (pr.match + 1 >= log_.FirstIndex()) {
        // The follower can continue from the log: resume replication.
        pr.BecomeProbe();
        pr.BecomeReplicate();
      }
      break;
    case ProgressState::kReplicate:
      pr.inflights.FreeLE(m.index);
      break;
  }
  if (MaybeCommit()) {
    ReleasePendingReadIndexMessages();
    BcastAppend();
  } else if (was_paused && m.from != id_) {
    SendAppend(m.from);
  }
  if (m.from != id_) {
    while (MaybeSendAppend(m.from, false)) {
    }
  }
  if (m.from == lead_transferee_ && pr.match == log_.LastIndex()) SendTimeoutNow(m.from);
}

void Raft::HandleHeartbeatResp(const Message& m, Progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;
  // All MsgApps of a full window may have been lost: let one more through.
  if (pr.state == ProgressState::kReplicate && pr.inflights.Full()) pr.inflights.FreeFirstOne();
  if (pr.match < log_.LastIndex()) SendAppend(m.from);

  if (m.context.empty()) return;
  const std::set<NodeId>* acks = read_only_.RecvAck(m.from, m.context);
  if (acks == nullptr) return;
  size_t voters_acked = 0;
  for (NodeId id : *acks) voters_acked += prs_.count(id);
  if (voters_acked < prs_.size() / 2 + 1) return;
  for (ReadIndexStatus& rs : read_only_.Advance(m.context)) RespondToReadIndex(rs.req, rs.index);
}

void Raft::HandleTransferLeader(const Message& m, Progress& pr) {
  NodeId transferee = m.from;
  if (lead_transferee_ != kNone) {
    if (lead_transferee_ == transferee) return;  // already in progress
    AbortLeaderTransfer();
  }
  if (transferee == id_) return;  // already leader
  // The transfer must finish within an election timeout.
  election_elapsed_ = 0;
  lead_transferee_ = transferee;
  if (pr.match == log_.LastIndex()) {
    SendTimeoutNow(transferee);
  } else {
    SendAppend(transferee);
  }
}

Status Raft::StepCandidate(Message& m) {
  // Only responses of our own kind count (a candidate may still get stale pre-votes).
  MessageType my_resp =
      role_ == StateRole::kPreCandidate ? MessageType::kPreVoteResp : MessageType::kVoteResp;
  switch (m.type) {
    case MessageType::kProp:
      return ErrProposalDropped();
    case MessageType::kApp:
      BecomeFollower(m.term, m.from);  // m.term == term_: someone else won
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      break;
    case MessageType::kSnap:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      break;
    default:
      if (m.type == my_resp) {
        switch (Poll(m.from, !m.reject, nullptr, nullptr)) {
          case VoteResult::kWon:
            if (role_ == StateRole::kPreCandidate) {
              Campaign(CampaignType::kElection);
            } else {
              BecomeLeader();
              BcastAppend();
            }
            break;
          case VoteResult::kLost:
            // A pre-vote response carries a future term; stay in ours.
            BecomeFollower(term_, kNone);
            break;
          case VoteResult::kPending:
            break;
        }
      }
      break;
  }
  return Status::Ok();
}

Status Raft::StepFollower(Message& m) {
  switch (m.type) {
    case MessageType::kProp:
      if (lead_ == kNone) return ErrProposalDropped();
      m.to = lead_;
      Send(std::move(m));
      break;
    case MessageType::kApp:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleHeartbeat(m);
      break;
    case MessageType::kSnap:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleSnapshot(m);
      break;
    case MessageType::kTransferLeader:
    case MessageType::kReadIndex:
      if (lead_ == kNone) break;  // dropped: nobody to forward to
      m.to = lead_;
      Send(std::move(m));
      break;
    case MessageType::kTimeoutNow:
      // Leader transfer: campaign now, without pre-vote and bypassing leases.
      Hup(CampaignType::kTransfer);
      break;
    case MessageType::kReadIndexResp:
      if (m.entries.size() != 1) break;
      read_states_.push_back(ReadState{m.index, m.entries[0].data});
      break;
    default:
      break;
  }
  return Status::Ok();
}

void Raft::HandleAppendEntries(const Message& m) {
  Message resp;
  resp.to = m.from;
  resp.type = MessageType::kAppResp;
  if (m.index < log_.committed()) {
    // Everything up to commit is already settled here.
    resp.index = log_.committed();
    Send(std::move(resp));
    return;
  }
  if (auto last_new = log_.MaybeAppend(m.index, m.log_term, m.commit, m.entries)) {
    resp.index = *last_new;
    Send(std::move(resp));
    return;
  }
  // Our log does not contain (m.index, m.log_term): hint the largest (index, term) that may
  // match, skipping our entries with terms above m.log_term.
  auto [hint_index, hint_term] =
      log_.FindConflictByTerm(std::min(m.index, log_.LastIndex()), m.log_term);
  resp.index = m.index;
  resp.reject = true;
  resp.reject_hint = hint_index;
  resp.log_term = hint_term;
  Send(std::move(resp));
}

void Raft::HandleHeartbeat(const Message& m) {
  log_.CommitTo(std::min(m.commit, log_.LastIndex()));
  Message resp;
  resp.to = m.from;
  resp.type = MessageType::kHeartbeatResp;
  resp.context = m.context;
  Send(std::move(resp));
}

void Raft::HandleSnapshot(const Message& m) {
  Message resp;
  resp.to = m.from;
  resp.type = MessageType::kAppResp;
  if (m.snapshot.has_value() && Restore(*m.snapshot)) {
    resp.index = log_.LastIndex();
  } else {
    resp.index = log_.committed();
  }
  Send(std::move(resp));
}

bool Raft::Restore(const Snapshot& s) {
  if (s.metadata.index <= log_.committed()) return false;
  if (role_ != StateRole::kFollower) {
    // Defense in depth; cannot happen through Step.
    BecomeFollower(term_ + 1, kNone);
    return false;
  }
  const auto& voters = s.metadata.conf_state.voters;
  if (std::find(voters.begin(), voters.end(), id_) == voters.end()) return false;
  if (log_.MatchTerm(s.metadata.index, s.metadata.term)) {
    // We have the snapshot's last entry: the log matches up to it; just move commit.
    log_.CommitTo(s.metadata.index);
    return false;
  }
  log_.Restore(s);
  RebuildProgress(s.metadata.conf_state);
  return true;
}

// ---- Sending --------------------------------------------------------------------------

void Raft::Send(Message m) {
  m.from = id_;
  if (m.type == MessageType::kVote || m.type == MessageType::kVoteResp ||
      m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResp) {
    RAFT_CHECK(m.term != 0, "term must be set for vote messages");
  } else if (m.type != MessageType::kProp && m.type != MessageType::kReadIndex) {
    // Proposals and read requests are forwarded as local messages (term 0).
    m.term = term_;
  }
  msgs_.push_back(std::move(m));
}

bool Raft::MaybeSendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = prs_.at(to);
  if (pr.IsPaused()) return false;
  uint64_t prev_index = pr.next - 1;
  auto prev_term = log_.Term(prev_index);
  auto ents = log_.EntriesFrom(pr.next, max_msg_size_);
  if (ents.ok() && ents->empty() && !send_if_empty) return false;
  if (!prev_term.ok() || !ents.ok()) return MaybeSendSnapshot(to, pr);

  Message m;
  m.to = to;
  m.type = MessageType::kApp;
  m.index = prev_index;
  m.log_term = *prev_term;
  m.commit = log_.committed();
  m.entries = std::move(ents).value();
  if (!m.entries.empty()) {
    uint64_t last = m.entries.back().index;
    if (pr.state == ProgressState::kReplicate) {
      pr.OptimisticUpdate(last);
      pr.inflights.Add(last);
    } else {
      pr.probe_sent = true;
    }
  } else if (pr.state == ProgressState::kProbe) {
    pr.probe_sent = true;
  }
  Send(std::move(m));
  return true;
}

bool Raft::MaybeSendSnapshot(NodeId to, Progress& pr) {
  // Only to a follower known to be alive: a snapshot is expensive.
  if (!pr.recent_active) return false;
  auto snap = log_.GetSnapshot();
  if (!snap.ok()) {
    if (IsError(snap.status(), kErrSnapshotTemporarilyUnavailable)) return false;
    RaftPanic("snapshot unavailable: " + snap.status().message());
  }
  RAFT_CHECK(!snap->Empty(), "need a non-empty snapshot");
  pr.BecomeSnapshot(snap->metadata.index);
  Message m;
  m.to = to;
  m.type = MessageType::kSnap;
  m.snapshot = std::move(snap).value();
  Send(std::move(m));
  return true;
}

void Raft::SendHeartbeat(NodeId to, const std::string& ctx) {
  // Never tell a follower to commit beyond what it is known to have.
  Message m;
  m.to = to;
  m.type = MessageType::kHeartbeat;
  m.commit = std::min(prs_.at(to).match, log_.committed());
  m.context = ctx;
  Send(std::move(m));
}

void Raft::BcastAppend() {
  for (const auto& [id, pr] : prs_) {
    if (id != id_) SendAppend(id);
  }
}

void Raft::BcastHeartbeat() { BcastHeartbeatWithCtx(read_only_.LastPendingRequestCtx()); }

void Raft::BcastHeartbeatWithCtx(const std::string& ctx) {
  for (const auto& [id, pr] : prs_) {
    if (id != id_) SendHeartbeat(id, ctx);
  }
}

void Raft::SendTimeoutNow(NodeId to) {
  Message m;
  m.to = to;
  m.type = MessageType::kTimeoutNow;
  Send(std::move(m));
}

// ---- Log and commit -------------------------------------------------------------------

bool Raft::AppendEntries(std::vector<Entry> es) {
  uint64_t li = log_.LastIndex();
  for (size_t i = 0; i < es.size(); ++i) {
    es[i].term = term_;
    es[i].index = li + 1 + i;
  }
  log_.Append(es);
  // The leader's own progress advances only when the entries are persisted (OnPersisted).
  return true;
}

bool Raft::MaybeCommit() { return log_.MaybeCommit(QuorumCommittedIndex(prs_), term_); }

bool Raft::CommittedEntryInCurrentTerm() const {
  return log_.TermOrZero(log_.committed()) == term_;
}

bool Raft::QuorumActive() const {
  size_t active = 0;
  for (const auto& [id, pr] : prs_) {
    if (id == id_ || pr.recent_active) ++active;
  }
  return active >= prs_.size() / 2 + 1;
}

void Raft::OnPersisted(uint64_t index, uint64_t term) {
  log_.StableTo(index, term);
  if (role_ != StateRole::kLeader || !log_.MatchTerm(index, term)) return;
  auto self = prs_.find(id_);
  if (self == prs_.end()) return;
  // The leader's own acknowledgement, as if it had sent itself a MsgAppResp.
  Message m;
  m.type = MessageType::kAppResp;
  m.from = id_;
  m.term = term_;
  m.index = index;
  HandleAppResp(m, self->second);
}

void Raft::OnSnapshotPersisted(uint64_t index) {
  log_.StableSnapTo(index);
  if (index > log_.applied() && index <= log_.committed()) log_.AppliedTo(index);
}

void Raft::OnApplied(uint64_t index) {
  if (index > log_.applied()) log_.AppliedTo(index);
}

// ---- ReadIndex ------------------------------------------------------------------------

void Raft::SendReadIndex(const Message& m) {
  read_only_.AddRequest(log_.committed(), m);
  read_only_.RecvAck(id_, m.entries.front().data);
  BcastHeartbeatWithCtx(m.entries.front().data);
}

void Raft::RespondToReadIndex(const Message& req, uint64_t read_index) {
  if (req.from == kNone || req.from == id_) {
    read_states_.push_back(ReadState{read_index, req.entries.front().data});
    return;
  }
  Message resp;
  resp.to = req.from;
  resp.type = MessageType::kReadIndexResp;
  resp.index = read_index;
  resp.entries = req.entries;
  Send(std::move(resp));
}

void Raft::ReleasePendingReadIndexMessages() {
  if (pending_read_index_msgs_.empty() || !CommittedEntryInCurrentTerm()) return;
  for (const Message& m : std::exchange(pending_read_index_msgs_, {})) SendReadIndex(m);
}

// ---- Membership -----------------------------------------------------------------------

ConfState Raft::ApplyConfChange(const ConfChange& cc) {
  if (cc.type == ConfChangeType::kAddNode) {
    if (prs_.count(cc.node_id) == 0) {
      Progress pr = NewProgress(cc.node_id);
      // Give the new member an election timeout before CheckQuorum counts it as inactive.
      pr.recent_active = true;
      prs_.emplace(cc.node_id, std::move(pr));
    }
  } else {
    prs_.erase(cc.node_id);
    if (cc.node_id == lead_transferee_) AbortLeaderTransfer();
  }
  if (role_ == StateRole::kLeader) {
    if (prs_.count(id_) == 0) {
      // Removed: stop leading so the remaining members elect a leader.
      BecomeFollower(term_, kNone);
    } else if (MaybeCommit()) {
      // A smaller quorum may commit more at once.
      BcastAppend();
    } else if (cc.type == ConfChangeType::kAddNode && cc.node_id != id_) {
      SendAppend(cc.node_id);
    }
  }
  return GetConfState();
}

}  // namespace shoal::raft

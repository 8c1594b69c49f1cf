#include "raft/raw_node.h"

#include <utility>

#include "raft/errors.h"

namespace shoal::raft {

Result<std::unique_ptr<RawNode>> RawNode::Create(const Config& config) {
  auto r = Raft::Create(config);
  if (!r.ok()) return r.status();
  return std::unique_ptr<RawNode>(new RawNode(std::move(r).value()));
}

RawNode::RawNode(std::unique_ptr<Raft> raft)
    : raft_(std::move(raft)),
      prev_soft_state_(raft_->GetSoftState()),
      prev_hard_state_(raft_->GetHardState()) {}

Status RawNode::Campaign() {
  Message m;
  m.type = MessageType::kHup;
  return raft_->Step(std::move(m));
}

Status RawNode::Propose(std::string data) {
  Message m;
  m.type = MessageType::kProp;
  m.from = raft_->id();
  m.entries.push_back(Entry{0, 0, EntryType::kNormal, std::move(data)});
  return raft_->Step(std::move(m));
}

Status RawNode::ProposeConfChange(const ConfChange& cc) {
  Message m;
  m.type = MessageType::kProp;
  m.from = raft_->id();
  m.entries.push_back(Entry{0, 0, EntryType::kConfChange, EncodeConfChange(cc)});
  return raft_->Step(std::move(m));
}

Status RawNode::Step(Message m) {
  if (IsLocalMessage(m.type)) return ErrStepLocalMsg();
  if (IsResponseMessage(m.type) && raft_->progress().count(m.from) == 0) {
    return ErrStepPeerNotFound();
  }
  return raft_->Step(std::move(m));
}

void RawNode::ReadIndex(std::string ctx) {
  Message m;
  m.type = MessageType::kReadIndex;
  m.entries.push_back(Entry{0, 0, EntryType::kNormal, std::move(ctx)});
  (void)raft_->Step(std::move(m));
}

void RawNode::TransferLeader(NodeId to) {
  Message m;
  m.type = MessageType::kTransferLeader;
  m.from = to;
  (void)raft_->Step(std::move(m));
}

void RawNode::ReportUnreachable(NodeId id) {
  Message m;
  m.type = MessageType::kUnreachable;
  m.from = id;
  (void)raft_->Step(std::move(m));
}

void RawNode::ReportSnapshot(NodeId id, bool ok) {
  Message m;
  m.type = MessageType::kSnapStatus;
  m.from = id;
  m.reject = !ok;
  (void)raft_->Step(std::move(m));
}

bool RawNode::HasReady() const {
  const Raft& r = *raft_;
  if (r.GetSoftState() != prev_soft_state_) return true;
  HardState hs = r.GetHardState();
  if (!hs.Empty() && hs != prev_hard_state_) return true;
  if (r.log().HasPendingSnapshot()) return true;
  if (!r.log().UnstableEntries().empty()) return true;
  if (r.HasMessages() || r.HasReadStates()) return true;
  return r.log().HasNextCommittedEntries();
}

Ready RawNode::GetReady() {
  RAFT_CHECK(!ready_outstanding_, "GetReady called twice without Advance");
  Ready rd;
  const Raft& r = *raft_;
  SoftState ss = r.GetSoftState();
  if (ss != prev_soft_state_) {
    rd.soft_state = ss;
    prev_soft_state_ = ss;
  }
  HardState hs = r.GetHardState();
  if (!hs.Empty() && hs != prev_hard_state_) {
    rd.hard_state = hs;
    rd.must_sync = hs.term != prev_hard_state_.term || hs.vote != prev_hard_state_.vote;
    prev_hard_state_ = hs;
  }
  rd.entries = r.log().UnstableEntries();
  if (!rd.entries.empty()) rd.must_sync = true;
  if (r.log().HasPendingSnapshot()) {
    rd.snapshot = *r.log().UnstableSnapshot();
    rd.must_sync = true;
  }
  rd.committed_entries = r.log().NextCommittedEntries();
  rd.messages = raft_->TakeMessages();
  rd.read_states = raft_->TakeReadStates();

  ready_outstanding_ = true;
  ready_last_entry_.reset();
  if (!rd.entries.empty()) {
    ready_last_entry_ = std::make_pair(rd.entries.back().index, rd.entries.back().term);
  }
  ready_snapshot_index_ = rd.snapshot.has_value() ? rd.snapshot->metadata.index : 0;
  ready_last_committed_ = rd.committed_entries.empty() ? 0 : rd.committed_entries.back().index;
  return rd;
}

void RawNode::Advance() {
  RAFT_CHECK(ready_outstanding_, "Advance called without GetReady");
  ready_outstanding_ = false;
  if (ready_snapshot_index_ != 0) raft_->OnSnapshotPersisted(ready_snapshot_index_);
  if (ready_last_entry_.has_value()) {
    raft_->OnPersisted(ready_last_entry_->first, ready_last_entry_->second);
  }
  if (ready_last_committed_ != 0) raft_->OnApplied(ready_last_committed_);
}

NodeStatus RawNode::GetStatus() const {
  NodeStatus st;
  st.id = raft_->id();
  st.hard_state = raft_->GetHardState();
  st.soft_state = raft_->GetSoftState();
  st.applied = raft_->log().applied();
  st.lead_transferee = raft_->lead_transferee();
  if (raft_->role() == StateRole::kLeader) st.progress = raft_->progress();
  return st;
}

}  // namespace shoal::raft

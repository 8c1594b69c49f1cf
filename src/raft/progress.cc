#include "raft/progress.h"

#include <algorithm>

#include <fmt/format.h>

#include "raft/errors.h"

namespace shoal::raft {

void Inflights::Add(uint64_t index) {
  RAFT_CHECK(!Full(), "cannot add into a full inflights window");
  buffer_[(start_ + count_) % buffer_.size()] = index;
  ++count_;
}

void Inflights::FreeLE(uint64_t to) {
  while (count_ > 0 && buffer_[start_] <= to) {
    start_ = (start_ + 1) % buffer_.size();
    --count_;
  }
  if (count_ == 0) start_ = 0;
}

void Inflights::FreeFirstOne() {
  if (count_ == 0) return;
  start_ = (start_ + 1) % buffer_.size();
  if (--count_ == 0) start_ = 0;
}

std::string_view ProgressStateName(ProgressState s) {
  switch (s) {
    case ProgressState::kProbe:
      return "StateProbe";
    case ProgressState::kReplicate:
      return "StateReplicate";
    case ProgressState::kSnapshot:
      return "StateSnapshot";
  }
  return "StateUnknown";
}

void Progress::ResetState(ProgressState s) {
  probe_sent = false;
  pending_snapshot = 0;
  state = s;
  inflights.Reset();
}

void Progress::BecomeProbe() {
  // Coming back from a snapshot, the follower has at least the snapshot.
  if (state == ProgressState::kSnapshot) {
    uint64_t pending = pending_snapshot;
    ResetState(ProgressState::kProbe);
    next = std::max(match + 1, pending + 1);
  } else {
    ResetState(ProgressState::kProbe);
    next = match + 1;
  }
}

void Progress::BecomeReplicate() {
  ResetState(ProgressState::kReplicate);
  next = match + 1;
}

void Progress::BecomeSnapshot(uint64_t snapshot_index) {
  ResetState(ProgressState::kSnapshot);
  pending_snapshot = snapshot_index;
}

bool Progress::MaybeUpdate(uint64_t n) {
  bool updated = false;
  if (match < n) {
    match = n;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, n + 1);
  return updated;
}

bool Progress::MaybeDecrTo(uint64_t rejected, uint64_t match_hint) {
  if (state == ProgressState::kReplicate) {
    // Stale if the rejected index is already matched; otherwise fall back to match + 1.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // Probe: only the answer to the probe we sent (at next - 1) counts.
  if (next - 1 != rejected) return false;
  next = std::max(std::min(rejected, match_hint + 1), uint64_t{1});
  next = std::max(next, match + 1);
  probe_sent = false;
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe:
      return probe_sent;
    case ProgressState::kReplicate:
      return inflights.Full();
    case ProgressState::kSnapshot:
      return true;
  }
  return true;
}

std::string Progress::ToString() const {
  std::string out = fmt::format("{} match={} next={}", ProgressStateName(state), match, next);
  if (IsPaused()) out += " paused";
  if (pending_snapshot > 0) out += fmt::format(" pendingSnap={}", pending_snapshot);
  if (!recent_active) out += " inactive";
  if (inflights.Count() > 0) {
    out += fmt::format(" inflight={}", inflights.Count());
    if (inflights.Full()) out += "[full]";
  }
  return out;
}

uint64_t QuorumCommittedIndex(const ProgressMap& prs) {
  if (prs.empty()) return 0;
  std::vector<uint64_t> matches;
  matches.reserve(prs.size());
  for (const auto& [id, pr] : prs) matches.push_back(pr.match);
  std::sort(matches.begin(), matches.end(), std::greater<>());
  // The q-th largest match (q = majority) is on at least q nodes.
  return matches[prs.size() / 2];
}

VoteResult TallyVotes(const ProgressMap& prs, const std::map<NodeId, bool>& votes, int* granted,
                      int* rejected) {
  int yes = 0, no = 0, missing = 0;
  for (const auto& [id, pr] : prs) {
    auto it = votes.find(id);
    if (it == votes.end()) {
      ++missing;
    } else if (it->second) {
      ++yes;
    } else {
      ++no;
    }
  }
  if (granted != nullptr) *granted = yes;
  if (rejected != nullptr) *rejected = no;
  int quorum = static_cast<int>(prs.size() / 2 + 1);
  if (yes >= quorum) return VoteResult::kWon;
  if (yes + missing >= quorum) return VoteResult::kPending;
  return VoteResult::kLost;
}

}  // namespace shoal::raft

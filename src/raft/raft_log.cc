#include "raft/raft_log.h"

#include <algorithm>
#include <string>

#include "raft/errors.h"

namespace shoal::raft {

RaftLog::RaftLog(const Storage* storage, uint64_t max_applying_size)
    : storage_(storage),
      unstable_(storage->LastIndex() + 1),
      max_applying_size_(max_applying_size) {
  // Everything up to the snapshot is committed and applied.
  committed_ = storage->FirstIndex() - 1;
  applied_ = committed_;
}

uint64_t RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return storage_->FirstIndex();
}

uint64_t RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return storage_->LastIndex();
}

uint64_t RaftLog::LastTerm() const {
  auto t = Term(LastIndex());
  RAFT_CHECK(t.ok(), "term of the last entry must be known");
  return *t;
}

Result<uint64_t> RaftLog::Term(uint64_t i) const {
  // The dummy entry before the first index carries the snapshot's term.
  uint64_t dummy = FirstIndex() - 1;
  if (i < dummy) return ErrCompacted();
  if (i > LastIndex()) return ErrUnavailable();
  if (auto t = unstable_.MaybeTerm(i)) return *t;
  return storage_->Term(i);
}

uint64_t RaftLog::TermOrZero(uint64_t i) const {
  auto t = Term(i);
  return t.ok() ? *t : 0;
}

bool RaftLog::MatchTerm(uint64_t i, uint64_t term) const {
  auto t = Term(i);
  return t.ok() && *t == term;
}

bool RaftLog::IsUpToDate(uint64_t last_index, uint64_t term) const {
  uint64_t our_term = LastTerm();
  return term > our_term || (term == our_term && last_index >= LastIndex());
}

std::optional<uint64_t> RaftLog::MaybeAppend(uint64_t index, uint64_t log_term, uint64_t committed,
                                             const std::vector<Entry>& ents) {
  if (!MatchTerm(index, log_term)) return std::nullopt;
  uint64_t last_new = index + ents.size();
  uint64_t conflict = FindConflict(ents);
  if (conflict != 0) {
    RAFT_CHECK(conflict > committed_,
               "entry " + std::to_string(conflict) + " conflicts with committed entry");
    std::vector<Entry> tail(ents.begin() + static_cast<ptrdiff_t>(conflict - (index + 1)),
                            ents.end());
    Append(tail);
  }
  CommitTo(std::min(committed, last_new));
  return last_new;
}

uint64_t RaftLog::Append(const std::vector<Entry>& ents) {
  if (ents.empty()) return LastIndex();
  RAFT_CHECK(ents.front().index > committed_, "append would truncate committed entries");
  RAFT_CHECK(ents.front().index <= LastIndex() + 1, "append leaves a gap in the log");
  unstable_.TruncateAndAppend(ents);
  return LastIndex();
}

uint64_t RaftLog::FindConflict(const std::vector<Entry>& ents) const {
  for (const Entry& e : ents) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<uint64_t, uint64_t> RaftLog::FindConflictByTerm(uint64_t index, uint64_t term) const {
  for (;;) {
    auto t = Term(index);
    if (!t.ok()) return {index, 0};  // compacted or beyond the end: no better guess
    if (*t <= term) return {index, *t};
    if (index == 0) return {0, 0};
    --index;
  }
}

bool RaftLog::MaybeCommit(uint64_t max_index, uint64_t term) {
  // Only an entry of the leader's current term is committed by counting replicas; earlier
  // entries commit with it (Raft §5.4.2, Figure 8).
  if (max_index > committed_ && TermOrZero(max_index) == term) {
    CommitTo(max_index);
    return true;
  }
  return false;
}

void RaftLog::CommitTo(uint64_t to_commit) {
  if (to_commit <= committed_) return;  // never decrease commit
  RAFT_CHECK(to_commit <= LastIndex(), "commit " + std::to_string(to_commit) +
                                           " is out of range [last index " +
                                           std::to_string(LastIndex()) + "]");
  committed_ = to_commit;
}

void RaftLog::AppliedTo(uint64_t i) {
  if (i == 0) return;
  RAFT_CHECK(i <= committed_ && i >= applied_,
             "applied " + std::to_string(i) + " out of range [applied " + std::to_string(applied_) +
                 ", committed " + std::to_string(committed_) + "]");
  applied_ = i;
}

void RaftLog::Restore(const Snapshot& snap) {
  committed_ = snap.metadata.index;
  unstable_.Restore(snap);
}

Result<std::vector<Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi, uint64_t max_size) const {
  RAFT_CHECK(lo <= hi, "invalid slice");
  if (lo < FirstIndex()) return ErrCompacted();
  RAFT_CHECK(hi <= LastIndex() + 1, "slice beyond the end of the log");
  std::vector<Entry> out;
  if (lo == hi) return out;
  uint64_t split = unstable_.offset();
  if (lo < split) {
    auto stored = storage_->Entries(lo, std::min(hi, split), max_size);
    if (!stored.ok()) {
      if (IsError(stored.status(), kErrCompacted)) return stored.status();
      RaftPanic("entries [" + std::to_string(lo) + ", " + std::to_string(std::min(hi, split)) +
                ") unavailable from storage: " + stored.status().message());
    }
    out = std::move(stored).value();
    // Storage cut the result short for size: do not add unstable entries after a gap.
    if (out.size() < std::min(hi, split) - lo) return out;
  }
  if (hi > split) {
    std::vector<Entry> tail = unstable_.Slice(std::max(lo, split), hi);
    out.insert(out.end(), tail.begin(), tail.end());
  }
  LimitSize(&out, max_size);
  return out;
}

Result<std::vector<Entry>> RaftLog::EntriesFrom(uint64_t i, uint64_t max_size) const {
  if (i > LastIndex()) return std::vector<Entry>{};
  return Slice(i, LastIndex() + 1, max_size);
}

std::vector<Entry> RaftLog::AllEntries() const {
  auto ents = EntriesFrom(FirstIndex(), kNoLimit);
  RAFT_CHECK(ents.ok(), "all entries must be readable");
  return std::move(ents).value();
}

bool RaftLog::HasNextCommittedEntries() const {
  if (HasPendingSnapshot()) return false;  // the snapshot must be applied first
  uint64_t lo = std::max(applied_ + 1, FirstIndex());
  return committed_ + 1 > lo;
}

std::vector<Entry> RaftLog::NextCommittedEntries() const {
  if (!HasNextCommittedEntries()) return {};
  uint64_t lo = std::max(applied_ + 1, FirstIndex());
  auto ents = Slice(lo, committed_ + 1, max_applying_size_);
  RAFT_CHECK(ents.ok(), "unexpected error reading committed entries");
  return std::move(ents).value();
}

Result<Snapshot> RaftLog::GetSnapshot() const {
  if (unstable_.snapshot().has_value()) return *unstable_.snapshot();
  return storage_->GetSnapshot();
}

}  // namespace shoal::raft

// RaftLog: a node's whole log as one sequence — the persisted part in Storage followed by the
// Unstable tail — with the commit and applied indices and the log-matching operations.
// Thread-safety: one owner (the thread driving the RawNode).
// Invariants: applied <= committed <= LastIndex(); FirstIndex() - 1 <= applied once a
// snapshot is installed; a committed entry is never truncated (RaftPanic otherwise).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "base/status.h"
#include "raft/log_unstable.h"
#include "raft/storage.h"
#include "raft/types.h"

namespace shoal::raft {

class RaftLog {
 public:
  // `storage` must outlive the log. max_applying_size bounds NextCommittedEntries.
  RaftLog(const Storage* storage, uint64_t max_applying_size);

  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  uint64_t LastTerm() const;
  // Term of entry i for i in [FirstIndex()-1, LastIndex()]; ErrCompacted below,
  // ErrUnavailable above.
  Result<uint64_t> Term(uint64_t i) const;
  // Term(i), or 0 when it is not available.
  uint64_t TermOrZero(uint64_t i) const;
  bool MatchTerm(uint64_t i, uint64_t term) const;
  // §5.4.1: is a log ending at (last_index, term) at least as up to date as ours?
  bool IsUpToDate(uint64_t last_index, uint64_t term) const;

  // The follower side of AppendEntries: if we have (index, log_term), appends `ents` (which
  // follow it), truncating at the first conflict, raises commit to min(committed, last new
  // index) and returns the last new index. nullopt when (index, log_term) does not match.
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term, uint64_t committed,
                                      const std::vector<Entry>& ents);
  // Appends entries that follow a matching prefix; returns the new last index.
  uint64_t Append(const std::vector<Entry>& ents);
  // The index of the first entry of `ents` whose term differs from ours (or that we do not
  // have), or 0 if we have all of them.
  uint64_t FindConflict(const std::vector<Entry>& ents) const;
  // The largest (index', term') with index' <= index and term' <= term in our log: the
  // best guess of where a log whose entry at `index` has `term` may match ours.
  std::pair<uint64_t, uint64_t> FindConflictByTerm(uint64_t index, uint64_t term) const;

  // Leader: commits max_index if it has the current term (§5.4.2). True if commit moved.
  bool MaybeCommit(uint64_t max_index, uint64_t term);
  void CommitTo(uint64_t to_commit);
  void AppliedTo(uint64_t i);
  void StableTo(uint64_t i, uint64_t t) { unstable_.StableTo(i, t); }
  void StableSnapTo(uint64_t i) { unstable_.StableSnapTo(i); }
  // Replaces the log by a snapshot (follower installing InstallSnapshot).
  void Restore(const Snapshot& snap);

  // Entries in [lo, hi), limited to max_size bytes of data (at least one entry).
  Result<std::vector<Entry>> Slice(uint64_t lo, uint64_t hi, uint64_t max_size) const;
  Result<std::vector<Entry>> EntriesFrom(uint64_t i, uint64_t max_size) const;
  // Every entry from FirstIndex() (tests).
  std::vector<Entry> AllEntries() const;

  const std::vector<Entry>& UnstableEntries() const { return unstable_.entries(); }
  const std::optional<Snapshot>& UnstableSnapshot() const { return unstable_.snapshot(); }
  bool HasPendingSnapshot() const { return unstable_.snapshot().has_value(); }
  // Committed entries not yet applied (may include unstable ones: the caller persists a
  // Ready's entries before applying its committed entries).
  bool HasNextCommittedEntries() const;
  std::vector<Entry> NextCommittedEntries() const;
  // The latest snapshot: the unstable one, else the one in storage.
  Result<Snapshot> GetSnapshot() const;

  // The last index known to be persisted (the unstable tail starts after it). Meaningless
  // while an unstable snapshot is pending.
  uint64_t StableLastIndex() const { return unstable_.offset() - 1; }

  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }
  const Storage* storage() const { return storage_; }

 private:
  const Storage* storage_;
  Unstable unstable_;
  uint64_t committed_ = 0;
  uint64_t applied_ = 0;
  uint64_t max_applying_size_;
};

}  // namespace shoal::raft

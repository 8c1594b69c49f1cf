// Unstable: the tail of the log (and possibly an incoming snapshot) that the state machine
// has accepted but the application has not yet persisted to Storage.
// Thread-safety: one owner (the thread driving the RawNode).
// Invariants: entries_[i].index == offset_ + i; if snapshot_ is set, offset_ ==
// snapshot_->metadata.index + 1 at the time it was set, and it precedes every entry.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "raft/types.h"

namespace shoal::raft {

class Unstable {
 public:
  explicit Unstable(uint64_t offset) : offset_(offset) {}

  // The first index, if there is an unstable snapshot.
  std::optional<uint64_t> MaybeFirstIndex() const;
  // The last index, if there are unstable entries or an unstable snapshot.
  std::optional<uint64_t> MaybeLastIndex() const;
  // The term of entry i, if this unstable part knows it.
  std::optional<uint64_t> MaybeTerm(uint64_t i) const;

  // Entries up to (i, t) are now persisted; ignored if (i, t) is no longer in this log.
  void StableTo(uint64_t i, uint64_t t);
  // The snapshot at index i is now persisted.
  void StableSnapTo(uint64_t i);
  void Restore(const Snapshot& snap);
  // Appends, replacing any existing suffix that starts at ents[0].index.
  void TruncateAndAppend(const std::vector<Entry>& ents);
  // Entries in [lo, hi); requires offset_ <= lo <= hi <= offset_ + size.
  std::vector<Entry> Slice(uint64_t lo, uint64_t hi) const;

  const std::vector<Entry>& entries() const { return entries_; }
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }
  uint64_t offset() const { return offset_; }

 private:
  std::optional<Snapshot> snapshot_;
  std::vector<Entry> entries_;
  uint64_t offset_;
};

}  // namespace shoal::raft

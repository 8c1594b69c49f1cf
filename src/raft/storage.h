// Storage: the read side of a node's durable Raft log, as the state machine sees it, and
// MemoryStorage, an in-memory implementation (tests, the simulator, and the cache the real
// write-ahead log will sit behind).
//
// Thread-safety: one owner. The thread that drives the RawNode both writes the storage
// (persisting a Ready) and lets the RawNode read it; nothing here locks.
//
// Invariants of MemoryStorage: entries_[0] is a dummy whose (index, term) are those of the
// last snapshot (0/0 when there is none); entries_[i].index == entries_[0].index + i; the
// first readable index is entries_[0].index + 1.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "base/status.h"
#include "raft/types.h"

namespace shoal::raft {

inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

struct InitialState {
  HardState hard_state;
  ConfState conf_state;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // The persisted HardState and the configuration as of the last snapshot.
  virtual Result<InitialState> GetInitialState() const = 0;
  // Entries in [lo, hi), at least one if any, then as many as fit into max_size bytes of
  // data. ErrCompacted if lo is at or below the snapshot; ErrUnavailable beyond the end.
  virtual Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_size) const = 0;
  // Term of entry i, i in [FirstIndex()-1, LastIndex()]. ErrCompacted / ErrUnavailable.
  virtual Result<uint64_t> Term(uint64_t i) const = 0;
  virtual uint64_t FirstIndex() const = 0;
  virtual uint64_t LastIndex() const = 0;
  // The most recent snapshot; ErrSnapshotTemporarilyUnavailable if it is being made.
  virtual Result<Snapshot> GetSnapshot() const = 0;
};

class MemoryStorage final : public Storage {
 public:
  MemoryStorage();

  Result<InitialState> GetInitialState() const override;
  Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_size) const override;
  Result<uint64_t> Term(uint64_t i) const override;
  uint64_t FirstIndex() const override;
  uint64_t LastIndex() const override;
  Result<Snapshot> GetSnapshot() const override;

  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  const HardState& hard_state() const { return hard_state_; }

  // The membership of a new group before it has any snapshot (bootstrap).
  void SetInitialConfState(const ConfState& cs) { snapshot_.metadata.conf_state = cs; }
  // Replaces the whole log by the snapshot. ErrSnapOutOfDate if it is older than ours.
  Status ApplySnapshot(const Snapshot& snap);
  // Makes a snapshot at applied index i (<= LastIndex) with the given state; does not compact.
  Result<Snapshot> CreateSnapshot(uint64_t i, const ConfState* cs, std::string data);
  // Drops entries up to and including compact_index. ErrCompacted if already compacted.
  Status Compact(uint64_t compact_index);
  // Appends entries, replacing any existing suffix from entries[0].index on. Entries at or
  // below the snapshot are ignored. Invariant: entries[0].index <= LastIndex() + 1.
  Status Append(const std::vector<Entry>& entries);

  // Test hook: makes GetSnapshot() fail with ErrSnapshotTemporarilyUnavailable.
  void set_snapshot_unavailable(bool v) { snapshot_unavailable_ = v; }

 private:
  uint64_t Offset() const { return entries_[0].index; }

  HardState hard_state_;
  Snapshot snapshot_;
  std::vector<Entry> entries_;  // entries_[0] is the dummy (see the invariants above)
  bool snapshot_unavailable_ = false;
};

// Keeps a prefix of `entries` whose data sizes sum to at most max_size; always keeps one.
void LimitSize(std::vector<Entry>* entries, uint64_t max_size);

}  // namespace shoal::raft

// DurableStorage: raft::Storage on disk. A write-ahead log of entries, hard states and snapshot
// markers plus snapshot files in one directory, through an Env (docs/raft-storage.md). Open()
// recovers the state a node had persisted; Save() persists a Ready (snapshot, entries, hard
// state) and syncs it when the Ready demands, so the caller may send the Ready's messages when
// Save returns ok. Everything is also held in memory (a MemoryStorage), so reads never touch
// the disk.
//
// Thread-safety: one owner (the thread that drives the RawNode reading this storage).
// Invariants:
//   - the in-memory state equals what Open() would recover from the files written so far,
//     except that unsynced writes may be lost (kNever, or a Ready without must_sync);
//   - a snapshot file counts only once its marker is in the WAL; older snapshot files and
//     segments are removed only after a newer snapshot's marker is synced;
//   - after a failed write or sync every write returns that error (the storage is "failed"):
//     memory and disk may differ, and the node must stop and recover with Open().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "io/env.h"
#include "raft/durable/wal.h"
#include "raft/raw_node.h"
#include "raft/storage.h"

namespace shoal::raft::durable {

struct DurableOptions {
  enum class Sync {
    kAlways,  // fsync each Ready that has must_sync (safe; the default)
    kNever,   // never fsync in Save: a power loss can forget votes and acknowledged entries
  };
  Sync sync = Sync::kAlways;
  // The active segment is rotated once it is at least this long.
  uint64_t segment_bytes = 64u << 20;
  // Truncate at damage in the last segment even when intact records follow it (operator's
  // choice to accept losing them).
  bool repair_corrupt_tail = false;
};

// What Open() found and repaired, for logs and tests.
struct RecoveryInfo {
  uint64_t snapshot_index = 0;
  uint64_t first_index = 0;
  uint64_t last_index = 0;
  uint64_t truncated_bytes = 0;  // torn tail dropped
  int segments = 0;              // segments replayed
  int removed_files = 0;         // leftovers removed (old segments, stale snapshots, .tmp)
};

class DurableStorage final : public Storage {
 public:
  // Opens (creating it if needed) the storage in `dir` and recovers its state. Errors name the
  // damaged file and offset; see docs/raft-storage.md §4 for what is repaired and what stops.
  static Result<std::unique_ptr<DurableStorage>> Open(Env* env, std::string dir,
                                                      const DurableOptions& options);
  ~DurableStorage() override;

  // raft::Storage
  Result<InitialState> GetInitialState() const override { return mem_.GetInitialState(); }
  Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_size) const override {
    return mem_.Entries(lo, hi, max_size);
  }
  Result<uint64_t> Term(uint64_t i) const override { return mem_.Term(i); }
  uint64_t FirstIndex() const override { return mem_.FirstIndex(); }
  uint64_t LastIndex() const override { return mem_.LastIndex(); }
  Result<Snapshot> GetSnapshot() const override { return mem_.GetSnapshot(); }

  // Records the membership of a new group (before anything else is written; durable).
  Status Bootstrap(const ConfState& cs);
  // Persists a Ready's snapshot, entries and hard state, in that order, and syncs when
  // rd.must_sync (per DurableOptions::sync; always when there is a snapshot).
  Status Save(const Ready& rd);
  Status Save(const std::optional<Snapshot>& snapshot, const std::vector<Entry>& entries,
              const std::optional<HardState>& hard_state, bool must_sync);
  // Makes everything written so far durable.
  Status Sync();
  // Snapshots the applied state at index i (<= LastIndex(), beyond the current snapshot):
  // the file is written and its marker synced. The log is unchanged.
  Result<Snapshot> CreateSnapshot(uint64_t i, const ConfState* cs, std::string data);
  // Drops entries up to i (at most the snapshot index) and removes WAL segments whose live
  // entries are all at or below i.
  Status Compact(uint64_t i);

  const HardState& hard_state() const { return mem_.hard_state(); }
  const RecoveryInfo& recovery_info() const { return recovery_; }
  const std::vector<SegmentInfo>& segments() const { return wal_->segments(); }
  uint64_t wal_syncs() const { return wal_->syncs(); }
  // Not ok once a write failed (see the invariants above).
  const Status& failed() const { return failed_; }

 private:
  DurableStorage(Env* env, std::string dir, const DurableOptions& options);
  // Open(), docs/raft-storage.md §4, one step per function below.
  Status Recover();
  // Removes leftover *.tmp files; the snapshot files by index.
  Result<std::map<uint64_t, std::string>> ListSnapshotFiles();
  // The newest snapshot file that a WAL marker acknowledges (or the bootstrap snapshot 0);
  // removes the other snapshot files.
  Result<std::optional<Snapshot>> LoadSnapshot(const std::map<uint64_t, std::string>& files,
                                               const std::vector<SegmentContents>& segs);
  // The position in `segs` of the first segment to replay; removes the segments before it.
  Result<size_t> FirstSegmentToReplay(const std::vector<SegmentContents>& segs,
                                      uint64_t snap_index);
  // Rebuilds the log after the snapshot (already in mem_) from `segs` into mem_, and the last
  // hard state into *hs.
  Status Replay(std::vector<SegmentContents>& segs, uint64_t snap_index, HardState* hs);
  // Removes a file of the directory, counting it in recovery_ (the caller syncs the dir).
  Status RemoveFile(const std::string& name);
  Status MaybeRotate();
  // The records a new segment starts with: the hard state and the newest snapshot.
  std::string SegmentStartRecords() const;
  Status WriteSnapshotFile(const Snapshot& snap);
  // Removes snapshot files older than `index` (best effort: leftovers are removed at open).
  void RemoveSnapshotsBefore(uint64_t index);
  Status Fail(Status s);

  Env* env_;
  std::string dir_;
  DurableOptions options_;
  MemoryStorage mem_;
  std::unique_ptr<WalWriter> wal_;
  RecoveryInfo recovery_;
  Status failed_;
};

}  // namespace shoal::raft::durable

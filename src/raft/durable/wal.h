// The Raft write-ahead log as files: ScanWal reads a directory's segments back (repairing a
// torn tail of the last one) and WalWriter appends records to the active segment, syncs,
// rotates and removes segments made obsolete by a snapshot. What the records mean (replay) is
// DurableStorage's business; the format is in docs/raft-storage.md and raft/durable/wal_format.h.
//
// Thread-safety: one owner (the thread that owns the Raft group's storage).
// Invariants of WalWriter: segments() is sorted by seq, contiguous, and its last element is the
// active segment (open for appending); every segment but the active one is fully synced.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "io/env.h"
#include "raft/durable/wal_format.h"

namespace shoal::raft::durable {

struct SegmentInfo {
  uint64_t seq = 0;
  uint64_t start_index = 0;
};

struct SegmentContents {
  SegmentInfo info;
  std::vector<WalRecord> records;  // the valid records, in order
};

struct WalScan {
  std::vector<SegmentContents> segments;  // sorted by seq
  // What recovery dropped from the end of the last segment (torn write), for the log line.
  uint64_t truncated_bytes = 0;
  bool removed_torn_segment = false;
};

// Reads every segment in `dir` in seq order. In the last segment a torn tail (no intact record
// after the first bad one) is truncated away, durably, and a last segment whose header is torn
// is removed. Damage anywhere else is an error naming the segment and offset, unless
// `repair_corrupt_tail` (then the last segment is truncated at the damage anyway).
Result<WalScan> ScanWal(Env* env, const std::string& dir, bool repair_corrupt_tail);

class WalWriter {
 public:
  // Continues the last of `segments` (as left by ScanWal), or, when there is none, creates the
  // first segment (seq 1) starting at `start_index` with `initial_records`.
  static Result<std::unique_ptr<WalWriter>> Open(Env* env, std::string dir,
                                                 std::vector<SegmentInfo> segments,
                                                 uint64_t start_index,
                                                 std::string_view initial_records);
  ~WalWriter();

  // Appends encoded records to the active segment (not synced).
  Status Write(std::string_view records);
  // Makes everything written durable.
  Status Sync();
  // Syncs and closes the active segment, then creates segment seq + 1 starting at
  // `start_index` whose first records are `initial_records`, syncs it and the directory.
  Status Rotate(uint64_t start_index, std::string_view initial_records);
  // Removes, oldest first, the segments before the last one whose start_index <=
  // snapshot_index + 1 (never the active one), then syncs the directory.
  Status RemoveSegmentsBefore(uint64_t snapshot_index);

  uint64_t active_size() const;
  const std::vector<SegmentInfo>& segments() const { return segments_; }
  uint64_t syncs() const { return syncs_; }

 private:
  WalWriter(Env* env, std::string dir);
  Status Create(uint64_t seq, uint64_t start_index, std::string_view initial_records);

  Env* env_;
  std::string dir_;
  std::vector<SegmentInfo> segments_;
  std::unique_ptr<WritableFile> active_;
  uint64_t syncs_ = 0;
};

}  // namespace shoal::raft::durable

#include "raft/durable/durable_storage.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "base/logging.h"
#include "raft/errors.h"

namespace shoal::raft::durable {
namespace {

Status StorageError(const std::string& what) { return Status::Error("raft storage: " + what); }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

DurableStorage::DurableStorage(Env* env, std::string dir, const DurableOptions& options)
    : env_(env), dir_(std::move(dir)), options_(options) {}

DurableStorage::~DurableStorage() = default;

Result<std::unique_ptr<DurableStorage>> DurableStorage::Open(Env* env, std::string dir,
                                                             const DurableOptions& options) {
  std::unique_ptr<DurableStorage> s(new DurableStorage(env, std::move(dir), options));
  if (Status st = s->Recover(); !st.ok()) return st;
  return s;
}

Status DurableStorage::Fail(Status s) {
  if (failed_.ok()) {
    SHOAL_LOG(error, "raft_storage_failed dir={} error=\"{}\"", dir_, s.message());
    failed_ = s;
  }
  return s;
}

Status DurableStorage::RemoveFile(const std::string& name) {
  if (Status s = env_->RemoveFile(JoinPath(dir_, name)); !s.ok()) return s;
  recovery_.removed_files++;
  return Status::Ok();
}

Result<std::map<uint64_t, std::string>> DurableStorage::ListSnapshotFiles() {
  auto names = env_->ListDir(dir_);
  if (!names.ok()) return names.status();
  std::map<uint64_t, std::string> snapshot_files;  // index -> name
  for (const std::string& name : *names) {
    if (EndsWith(name, ".tmp")) {
      // Left over by an interrupted WriteFileAtomically.
      if (Status s = RemoveFile(name); !s.ok()) return s;
    } else if (auto index = ParseSnapshotFileName(name)) {
      snapshot_files[*index] = name;
    }
  }
  return snapshot_files;
}

Result<std::optional<Snapshot>> DurableStorage::LoadSnapshot(
    const std::map<uint64_t, std::string>& files, const std::vector<SegmentContents>& segs) {
  std::set<std::pair<uint64_t, uint64_t>> markers;  // (index, term) of snapshots the WAL names
  for (const SegmentContents& seg : segs) {
    for (const WalRecord& r : seg.records) {
      if (r.type == RecordType::kSnapshot) markers.emplace(r.snapshot.index, r.snapshot.term);
    }
  }
  std::optional<Snapshot> snap;
  for (auto it = files.rbegin(); it != files.rend() && !snap; ++it) {
    std::string path = JoinPath(dir_, it->second);
    auto data = env_->ReadFile(path);
    if (!data.ok()) return data.status();
    auto decoded = DecodeSnapshotFile(*data);
    if (!decoded.ok()) {
      return StorageError(
          fmt::format("snapshot file {} is corrupt ({})", path, decoded.status().message()));
    }
    if (decoded->metadata.index != it->first) {
      return StorageError(
          fmt::format("snapshot file {} holds index {}", path, decoded->metadata.index));
    }
    // The bootstrap snapshot 0 needs no marker.
    if (it->first == 0 || markers.count({it->first, decoded->metadata.term}) != 0) {
      snap = std::move(decoded).value();
    }
  }
  // The other files are older than the chosen one, or their marker never made it to the WAL.
  for (const auto& [index, name] : files) {
    if (snap && index == snap->metadata.index) continue;
    if (Status s = RemoveFile(name); !s.ok()) return s;
  }
  return snap;
}

Result<size_t> DurableStorage::FirstSegmentToReplay(const std::vector<SegmentContents>& segs,
                                                    uint64_t snap_index) {
  if (segs.empty()) return size_t{0};
  // The last segment that starts at or below snap_index + 1: every live entry written before
  // it is in the snapshot (the meaning of start_index).
  size_t first = segs.size();
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].info.start_index <= snap_index + 1) first = i;
  }
  if (first == segs.size()) {
    return StorageError(fmt::format(
        "WAL in {} begins at index {} but the newest snapshot ends at {}: entries are missing",
        dir_, segs.front().info.start_index, snap_index));
  }
  for (size_t i = first + 1; i < segs.size(); ++i) {
    if (segs[i].info.seq != segs[i - 1].info.seq + 1) {
      return StorageError(
          fmt::format("WAL segment {} is missing in {}", segs[i - 1].info.seq + 1, dir_));
    }
  }
  // The ones before it are left over from an interrupted compaction.
  for (size_t i = 0; i < first; ++i) {
    if (Status s = RemoveFile(SegmentFileName(segs[i].info.seq)); !s.ok()) return s;
  }
  return first;
}

Status DurableStorage::Replay(std::vector<SegmentContents>& segs, uint64_t snap_index,
                              HardState* hs) {
  std::vector<Entry> log;  // the entries after the snapshot, log[k].index == snap_index + 1 + k
  for (SegmentContents& seg : segs) {
    for (WalRecord& r : seg.records) {
      switch (r.type) {
        case RecordType::kEntry: {
          const uint64_t index = r.entry.index;
          if (index <= snap_index) {
            log.clear();  // it replaced everything from `index` on
            break;
          }
          if (index > snap_index + log.size() + 1) {
            return StorageError(fmt::format("WAL segment {} in {} has entry {} after {}: a gap",
                                            seg.info.seq, dir_, index, snap_index + log.size()));
          }
          log.resize(index - snap_index - 1);
          log.push_back(std::move(r.entry));
          break;
        }
        case RecordType::kHardState:
          *hs = r.hard_state;
          break;
        case RecordType::kSnapshot:
          if (r.snapshot.kind != SnapshotKind::kInstalled) break;
          if (r.snapshot.index > snap_index) {
            return StorageError(
                fmt::format("WAL in {} names installed snapshot {} but its file is missing", dir_,
                            r.snapshot.index));
          }
          log.clear();  // the snapshot replaced the whole log
          break;
        case RecordType::kInvalid:
          break;
      }
    }
  }
  return mem_.Append(log);
}

Status DurableStorage::Recover() {
  if (Status s = env_->CreateDir(dir_); !s.ok()) return s;
  if (Status s = env_->SyncDir(DirName(dir_)); !s.ok()) return s;
  auto snapshot_files = ListSnapshotFiles();
  if (!snapshot_files.ok()) return snapshot_files.status();
  // Every segment (a torn tail of the last one is truncated here).
  auto scan = ScanWal(env_, dir_, options_.repair_corrupt_tail);
  if (!scan.ok()) return scan.status();
  recovery_.truncated_bytes = scan->truncated_bytes;
  // The newest snapshot the WAL acknowledges.
  auto snap = LoadSnapshot(*snapshot_files, scan->segments);
  if (!snap.ok()) return snap.status();
  const uint64_t snap_index = *snap ? (*snap)->metadata.index : 0;
  auto first = FirstSegmentToReplay(scan->segments, snap_index);
  if (!first.ok()) return first.status();
  if (recovery_.removed_files > 0) {
    if (Status s = env_->SyncDir(dir_); !s.ok()) return s;
  }
  std::vector<SegmentContents> segs(
      std::make_move_iterator(scan->segments.begin() + static_cast<ptrdiff_t>(*first)),
      std::make_move_iterator(scan->segments.end()));

  if (*snap) {
    if (snap_index == 0) {
      mem_.SetInitialConfState((*snap)->metadata.conf_state);
    } else if (Status s = mem_.ApplySnapshot(**snap); !s.ok()) {
      return s;
    }
  }
  HardState hs;
  if (Status s = Replay(segs, snap_index, &hs); !s.ok()) return s;
  if (!hs.Empty() || snap_index > 0) {
    // A snapshot holds only committed state.
    hs.commit = std::max(hs.commit, snap_index);
    if (hs.commit > mem_.LastIndex()) {
      return StorageError(fmt::format(
          "hard state commit {} is beyond the last entry {} in {}: synced entries are missing",
          hs.commit, mem_.LastIndex(), dir_));
    }
    mem_.SetHardState(hs);
  }

  // Continue the last segment, or start the first one.
  std::vector<SegmentInfo> infos;
  for (const SegmentContents& seg : segs) infos.push_back(seg.info);
  recovery_.segments = static_cast<int>(infos.size());
  auto wal =
      WalWriter::Open(env_, dir_, std::move(infos), mem_.LastIndex() + 1, SegmentStartRecords());
  if (!wal.ok()) return wal.status();
  wal_ = std::move(wal).value();
  recovery_.snapshot_index = snap_index;
  recovery_.first_index = mem_.FirstIndex();
  recovery_.last_index = mem_.LastIndex();
  SHOAL_LOG(info,
            "raft_storage_recovered dir={} snapshot={} first={} last={} term={} commit={} "
            "segments={} truncated_bytes={} removed_files={}",
            dir_, snap_index, recovery_.first_index, recovery_.last_index, hs.term, hs.commit,
            recovery_.segments, recovery_.truncated_bytes, recovery_.removed_files);
  return Status::Ok();
}

std::string DurableStorage::SegmentStartRecords() const {
  std::string out;
  AppendHardStateRecord(&out, mem_.hard_state());
  auto snap = mem_.GetSnapshot();
  if (snap.ok() && snap->metadata.index > 0) {
    AppendSnapshotRecord(&out, {snap->metadata.index, snap->metadata.term, SnapshotKind::kCreated});
  }
  return out;
}

Status DurableStorage::MaybeRotate() {
  if (wal_->active_size() < options_.segment_bytes) return Status::Ok();
  return wal_->Rotate(mem_.LastIndex() + 1, SegmentStartRecords());
}

Status DurableStorage::WriteSnapshotFile(const Snapshot& snap) {
  return WriteFileAtomically(env_, JoinPath(dir_, SnapshotFileName(snap.metadata.index)),
                             EncodeSnapshotFile(snap));
}

void DurableStorage::RemoveSnapshotsBefore(uint64_t index) {
  auto names = env_->ListDir(dir_);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    auto i = ParseSnapshotFileName(name);
    if (i && *i < index) {
      if (Status s = env_->RemoveFile(JoinPath(dir_, name)); !s.ok()) {
        SHOAL_LOG(warn, "raft_storage_remove_failed file={} error=\"{}\"", name, s.message());
      }
    }
  }
}

Status DurableStorage::Bootstrap(const ConfState& cs) {
  if (!failed_.ok()) return failed_;
  auto current = mem_.GetSnapshot();
  if (mem_.LastIndex() != 0 || !mem_.hard_state().Empty() || !current.ok() ||
      !current->metadata.conf_state.voters.empty()) {
    return StorageError("bootstrap of a storage that already has state in " + dir_);
  }
  Snapshot snap;
  snap.metadata.conf_state = cs;
  if (Status s = WriteSnapshotFile(snap); !s.ok()) return Fail(s);
  mem_.SetInitialConfState(cs);
  return Status::Ok();
}

Status DurableStorage::Save(const Ready& rd) {
  return Save(rd.snapshot, rd.entries, rd.hard_state, rd.must_sync);
}

Status DurableStorage::Save(const std::optional<Snapshot>& snapshot,
                            const std::vector<Entry>& entries,
                            const std::optional<HardState>& hard_state, bool must_sync) {
  if (!failed_.ok()) return failed_;
  // Validate everything before writing anything.
  auto current = mem_.GetSnapshot();
  uint64_t first = mem_.FirstIndex();
  uint64_t last = mem_.LastIndex();
  if (snapshot) {
    if (!current.ok()) return current.status();
    if (snapshot->metadata.index <= current->metadata.index) return ErrSnapOutOfDate();
    first = snapshot->metadata.index + 1;
    last = snapshot->metadata.index;
  }
  // Entries below the first index are already compacted (MemoryStorage ignores them too).
  size_t skip = 0;
  while (skip < entries.size() && entries[skip].index < first) ++skip;
  if (skip < entries.size() && entries[skip].index > last + 1) {
    return StorageError(fmt::format("missing log entries before {}", entries[skip].index));
  }
  for (size_t i = skip + 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[i - 1].index + 1) {
      return StorageError("entries are not consecutive");
    }
  }

  if (Status s = MaybeRotate(); !s.ok()) return Fail(s);
  std::string batch;
  if (snapshot) {
    // The file first: a marker must never name a snapshot that is not on disk.
    if (Status s = WriteSnapshotFile(*snapshot); !s.ok()) return Fail(s);
    AppendSnapshotRecord(
        &batch, {snapshot->metadata.index, snapshot->metadata.term, SnapshotKind::kInstalled});
    if (Status s = mem_.ApplySnapshot(*snapshot); !s.ok()) return Fail(s);
  }
  for (size_t i = skip; i < entries.size(); ++i) AppendEntryRecord(&batch, entries[i]);
  if (Status s = mem_.Append(entries); !s.ok()) return Fail(s);
  if (hard_state) {
    AppendHardStateRecord(&batch, *hard_state);
    mem_.SetHardState(*hard_state);
  }
  if (!batch.empty()) {
    if (Status s = wal_->Write(batch); !s.ok()) return Fail(s);
  }
  // An installed snapshot is always synced: older snapshot files go away right after.
  if (snapshot || (must_sync && options_.sync == DurableOptions::Sync::kAlways)) {
    if (Status s = wal_->Sync(); !s.ok()) return Fail(s);
  }
  if (snapshot) RemoveSnapshotsBefore(snapshot->metadata.index);
  return Status::Ok();
}

Status DurableStorage::Sync() {
  if (!failed_.ok()) return failed_;
  if (Status s = wal_->Sync(); !s.ok()) return Fail(s);
  return Status::Ok();
}

Result<Snapshot> DurableStorage::CreateSnapshot(uint64_t i, const ConfState* cs, std::string data) {
  if (!failed_.ok()) return failed_;
  auto current = mem_.GetSnapshot();
  if (!current.ok()) return current.status();
  if (i <= current->metadata.index) return ErrSnapOutOfDate();
  if (i > mem_.LastIndex()) return ErrUnavailable();
  auto term = mem_.Term(i);
  if (!term.ok()) return term.status();
  Snapshot snap = *current;
  snap.metadata.index = i;
  snap.metadata.term = *term;
  if (cs != nullptr) snap.metadata.conf_state = *cs;
  snap.data = std::move(data);

  if (Status s = MaybeRotate(); !s.ok()) return Fail(s);
  if (Status s = WriteSnapshotFile(snap); !s.ok()) return Fail(s);
  std::string batch;
  AppendSnapshotRecord(&batch, {i, *term, SnapshotKind::kCreated});
  if (Status s = wal_->Write(batch); !s.ok()) return Fail(s);
  if (Status s = wal_->Sync(); !s.ok()) return Fail(s);
  auto made = mem_.CreateSnapshot(i, cs, snap.data);
  if (!made.ok()) return Fail(made.status());
  RemoveSnapshotsBefore(i);
  return made;
}

Status DurableStorage::Compact(uint64_t i) {
  if (!failed_.ok()) return failed_;
  auto current = mem_.GetSnapshot();
  if (!current.ok()) return current.status();
  if (i > current->metadata.index) {
    return StorageError(
        fmt::format("compaction to {} beyond the snapshot at {}", i, current->metadata.index));
  }
  if (Status s = mem_.Compact(i); !s.ok()) return s;
  if (Status s = wal_->RemoveSegmentsBefore(i); !s.ok()) return Fail(s);
  return Status::Ok();
}

}  // namespace shoal::raft::durable

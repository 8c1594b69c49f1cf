#include "raft/storage.h"

#include "raft/errors.h"

namespace shoal::raft {

void LimitSize(std::vector<Entry>* entries, uint64_t max_size) {
  if (entries->empty()) return;
  uint64_t size = entries->front().data.size();
  size_t keep = 1;
  while (keep < entries->size()) {
    size += (*entries)[keep].data.size();
    if (size > max_size) break;
    ++keep;
  }
  entries->resize(keep);
}

MemoryStorage::MemoryStorage() : entries_(1) {}

Result<InitialState> MemoryStorage::GetInitialState() const {
  return InitialState{hard_state_, snapshot_.metadata.conf_state};
}

uint64_t MemoryStorage::FirstIndex() const { return Offset() + 1; }

uint64_t MemoryStorage::LastIndex() const { return Offset() + entries_.size() - 1; }

Result<std::vector<Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi,
                                                  uint64_t max_size) const {
  if (lo <= Offset()) return ErrCompacted();
  if (hi > LastIndex() + 1) return ErrUnavailable();
  std::vector<Entry> out(entries_.begin() + static_cast<ptrdiff_t>(lo - Offset()),
                         entries_.begin() + static_cast<ptrdiff_t>(hi - Offset()));
  LimitSize(&out, max_size);
  return out;
}

Result<uint64_t> MemoryStorage::Term(uint64_t i) const {
  if (i < Offset()) return ErrCompacted();
  if (i - Offset() >= entries_.size()) return ErrUnavailable();
  return entries_[i - Offset()].term;
}

Result<Snapshot> MemoryStorage::GetSnapshot() const {
  if (snapshot_unavailable_) return ErrSnapshotTemporarilyUnavailable();
  return snapshot_;
}

Status MemoryStorage::ApplySnapshot(const Snapshot& snap) {
  if (snapshot_.metadata.index >= snap.metadata.index) return ErrSnapOutOfDate();
  snapshot_ = snap;
  entries_.assign(1, Entry{snap.metadata.term, snap.metadata.index, EntryType::kNormal, {}});
  return Status::Ok();
}

Result<Snapshot> MemoryStorage::CreateSnapshot(uint64_t i, const ConfState* cs, std::string data) {
  if (i <= snapshot_.metadata.index) return ErrSnapOutOfDate();
  if (i > LastIndex()) return ErrUnavailable();
  snapshot_.metadata.index = i;
  snapshot_.metadata.term = entries_[i - Offset()].term;
  if (cs != nullptr) snapshot_.metadata.conf_state = *cs;
  snapshot_.data = std::move(data);
  return snapshot_;
}

Status MemoryStorage::Compact(uint64_t compact_index) {
  if (compact_index <= Offset()) return ErrCompacted();
  if (compact_index > LastIndex()) return ErrUnavailable();
  size_t drop = compact_index - Offset();
  // The entry at compact_index becomes the new dummy: keep its index and term, drop its data.
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(drop));
  entries_[0].data.clear();
  entries_[0].type = EntryType::kNormal;
  return Status::Ok();
}

Status MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return Status::Ok();
  uint64_t first = FirstIndex();
  uint64_t last = entries.back().index;
  if (last < first) return Status::Ok();  // all compacted away
  size_t skip = entries.front().index < first ? first - entries.front().index : 0;
  uint64_t start = entries[skip].index;
  if (start > LastIndex() + 1) {
    return Status::Error("raft: missing log entries before " + std::to_string(start));
  }
  entries_.resize(start - Offset());
  entries_.insert(entries_.end(), entries.begin() + static_cast<ptrdiff_t>(skip), entries.end());
  return Status::Ok();
}

}  // namespace shoal::raft

#include "raft/durable/wal.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/logging.h"

namespace shoal::raft::durable {
namespace {

Status Corrupt(const std::string& path, uint64_t offset, const std::string& why,
               std::optional<size_t> intact) {
  std::string follows = intact ? fmt::format(", intact data follows at offset {}", *intact)
                               : std::string(", not in the last segment");
  return Status::Error(fmt::format(
      "raft storage: corrupt WAL record in {} at offset {} ({}){}: refusing to drop synced "
      "entries (restore this node from its peers, or open with repair_corrupt_tail to truncate "
      "here)",
      path, offset, why, follows));
}

}  // namespace

Result<WalScan> ScanWal(Env* env, const std::string& dir, bool repair_corrupt_tail) {
  auto names = env->ListDir(dir);
  if (!names.ok()) return names.status();
  std::vector<std::pair<uint64_t, std::string>> files;
  for (const std::string& name : *names) {
    if (auto seq = ParseSegmentFileName(name)) files.emplace_back(*seq, name);
  }
  std::sort(files.begin(), files.end());
  WalScan scan;
  for (size_t i = 0; i < files.size(); ++i) {
    const bool last = i + 1 == files.size();
    const std::string path = JoinPath(dir, files[i].second);
    auto data = env->ReadFile(path);
    if (!data.ok()) return data.status();
    std::string_view bytes = *data;

    if (!SegmentHeaderIntact(bytes)) {
      // A segment being created when the node crashed: its header is torn (and nothing
      // intact follows). Anything else is damage.
      std::optional<size_t> intact;
      if (bytes.size() > kSegmentHeaderSize) intact = FindIntactRecord(bytes, kSegmentHeaderSize);
      if (last && (!intact || repair_corrupt_tail)) {
        SHOAL_LOG(warn, "raft_wal_torn_segment_removed path={} bytes={}", path, bytes.size());
        if (Status s = env->RemoveFile(path); !s.ok()) return s;
        if (Status s = env->SyncDir(dir); !s.ok()) return s;
        scan.removed_torn_segment = true;
        scan.truncated_bytes += bytes.size();
        break;
      }
      return Corrupt(path, 0, "segment header damaged", intact);
    }
    auto header = DecodeSegmentHeader(bytes);
    if (!header.ok())
      return Status::Error("raft storage: " + path + ": " + header.status().message());
    if (header->seq != files[i].first) {
      return Status::Error(fmt::format("raft storage: {} holds segment seq {} (name says {})", path,
                                       header->seq, files[i].first));
    }
    SegmentContents seg;
    seg.info = {header->seq, header->start_index};
    size_t off = kSegmentHeaderSize;
    while (off < bytes.size()) {
      ParsedRecord p = ParseRecord(bytes, off);
      if (p.outcome == ParsedRecord::kOk) {
        seg.records.push_back(std::move(p.record));
        off += p.size;
        continue;
      }
      if (p.outcome == ParsedRecord::kBadContent) {
        return Status::Error(
            fmt::format("raft storage: bad WAL record in {} at offset {}: {}", path, off, p.why));
      }
      std::optional<size_t> intact = FindIntactRecord(bytes, off + 1);
      if (!last || (intact && !repair_corrupt_tail)) return Corrupt(path, off, p.why, intact);
      // A torn write of the unsynced tail: drop it, durably.
      SHOAL_LOG(warn, "raft_wal_tail_truncated path={} offset={} dropped_bytes={} reason=\"{}\"",
                path, off, bytes.size() - off, p.why);
      if (Status s = env->Truncate(path, off); !s.ok()) return s;
      scan.truncated_bytes += bytes.size() - off;
      break;
    }
    scan.segments.push_back(std::move(seg));
  }
  return scan;
}

WalWriter::WalWriter(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}

WalWriter::~WalWriter() {
  if (active_) (void)active_->Close();
}

Result<std::unique_ptr<WalWriter>> WalWriter::Open(Env* env, std::string dir,
                                                   std::vector<SegmentInfo> segments,
                                                   uint64_t start_index,
                                                   std::string_view initial_records) {
  std::unique_ptr<WalWriter> w(new WalWriter(env, std::move(dir)));
  if (segments.empty()) {
    if (Status s = w->Create(1, start_index, initial_records); !s.ok()) return s;
    return w;
  }
  w->segments_ = std::move(segments);
  auto f = env->NewAppendableFile(JoinPath(w->dir_, SegmentFileName(w->segments_.back().seq)));
  if (!f.ok()) return f.status();
  w->active_ = std::move(f).value();
  return w;
}

Status WalWriter::Create(uint64_t seq, uint64_t start_index, std::string_view initial_records) {
  std::string path = JoinPath(dir_, SegmentFileName(seq));
  auto f = env_->NewWritableFile(path);
  if (!f.ok()) return f.status();
  std::string head = EncodeSegmentHeader(seq, start_index);
  head.append(initial_records);
  if (Status s = (*f)->Append(head); !s.ok()) return s;
  if (Status s = (*f)->Sync(); !s.ok()) return s;
  if (Status s = env_->SyncDir(dir_); !s.ok()) return s;
  syncs_ += 2;
  segments_.push_back({seq, start_index});
  active_ = std::move(f).value();
  return Status::Ok();
}

Status WalWriter::Write(std::string_view records) {
  if (!active_) return Status::Error("raft storage: no active WAL segment");
  return active_->Append(records);
}

Status WalWriter::Sync() {
  if (!active_) return Status::Error("raft storage: no active WAL segment");
  Status s = active_->Sync();
  if (s.ok()) syncs_++;
  return s;
}

Status WalWriter::Rotate(uint64_t start_index, std::string_view initial_records) {
  if (Status s = Sync(); !s.ok()) return s;
  Status s = active_->Close();
  active_.reset();
  if (!s.ok()) return s;
  return Create(segments_.back().seq + 1, start_index, initial_records);
}

Status WalWriter::RemoveSegmentsBefore(uint64_t snapshot_index) {
  size_t keep_from = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].start_index <= snapshot_index + 1) keep_from = i;
  }
  if (keep_from == 0) return Status::Ok();
  for (size_t i = 0; i < keep_from; ++i) {
    if (Status s = env_->RemoveFile(JoinPath(dir_, SegmentFileName(segments_[i].seq))); !s.ok()) {
      segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(i));
      return s;
    }
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(keep_from));
  return env_->SyncDir(dir_);
}

uint64_t WalWriter::active_size() const { return active_ ? active_->Size() : 0; }

}  // namespace shoal::raft::durable

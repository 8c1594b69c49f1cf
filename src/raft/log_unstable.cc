#include "raft/log_unstable.h"

#include <string>

#include "raft/errors.h"

namespace shoal::raft {

std::optional<uint64_t> Unstable::MaybeFirstIndex() const {
  if (snapshot_.has_value()) return snapshot_->metadata.index + 1;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_.has_value()) return snapshot_->metadata.index;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeTerm(uint64_t i) const {
  if (i < offset_) {
    if (snapshot_.has_value() && snapshot_->metadata.index == i) return snapshot_->metadata.term;
    return std::nullopt;
  }
  auto last = MaybeLastIndex();
  if (!last.has_value() || i > *last) return std::nullopt;
  if (entries_.empty()) return std::nullopt;  // only a snapshot, and i is not its index
  return entries_[i - offset_].term;
}

void Unstable::StableTo(uint64_t i, uint64_t t) {
  auto term = MaybeTerm(i);
  if (!term.has_value() || *term != t || i < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(i + 1 - offset_));
  offset_ = i + 1;
}

void Unstable::StableSnapTo(uint64_t i) {
  if (snapshot_.has_value() && snapshot_->metadata.index == i) snapshot_.reset();
}

void Unstable::Restore(const Snapshot& snap) {
  offset_ = snap.metadata.index + 1;
  entries_.clear();
  snapshot_ = snap;
}

void Unstable::TruncateAndAppend(const std::vector<Entry>& ents) {
  if (ents.empty()) return;
  uint64_t after = ents.front().index;
  if (after == offset_ + entries_.size()) {
    // Directly after what we have.
  } else if (after <= offset_) {
    // Replaces everything unstable; the log is truncated back to `after`.
    offset_ = after;
    entries_.clear();
  } else {
    // Keeps [offset_, after), drops the rest.
    entries_.resize(after - offset_);
  }
  entries_.insert(entries_.end(), ents.begin(), ents.end());
}

std::vector<Entry> Unstable::Slice(uint64_t lo, uint64_t hi) const {
  RAFT_CHECK(lo <= hi && lo >= offset_ && hi <= offset_ + entries_.size(),
             "unstable slice out of bounds");
  return std::vector<Entry>(entries_.begin() + static_cast<ptrdiff_t>(lo - offset_),
                            entries_.begin() + static_cast<ptrdiff_t>(hi - offset_));
}

}  // namespace shoal::raft

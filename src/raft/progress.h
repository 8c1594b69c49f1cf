// Progress: the leader's view of one follower's log (match/next) and the flow-control state
// machine that decides what to send it: Probe, Replicate (with an in-flight window) or
// Snapshot. Inflights is that window: the last indices of unacknowledged MsgApps.
// Thread-safety: one owner (the thread driving the RawNode).
// Invariants: match < next; in Snapshot state pending_snapshot > 0 and nothing is sent;
// Inflights holds at most its capacity of strictly increasing indices.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "raft/types.h"

namespace shoal::raft {

// A ring buffer of the last index of each MsgApp in flight.
class Inflights {
 public:
  explicit Inflights(size_t capacity) : buffer_(capacity) {}

  // Records a MsgApp whose last entry is `index`. Requires !Full() and increasing indices.
  void Add(uint64_t index);
  // Frees every in-flight message up to and including index `to` (acknowledged).
  void FreeLE(uint64_t to);
  // Frees the oldest in-flight message (its MsgApp was probably lost).
  void FreeFirstOne();
  void Reset() { start_ = count_ = 0; }
  bool Full() const { return count_ == buffer_.size(); }
  size_t Count() const { return count_; }
  size_t Capacity() const { return buffer_.size(); }

 private:
  std::vector<uint64_t> buffer_;
  size_t start_ = 0;
  size_t count_ = 0;
};

enum class ProgressState : uint8_t { kProbe = 0, kReplicate = 1, kSnapshot = 2 };
std::string_view ProgressStateName(ProgressState s);

class Progress {
 public:
  Progress(uint64_t next, size_t max_inflight) : next(next), inflights(max_inflight) {}

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);

  // An acknowledgement up to n: raises match (and next). False if n is stale.
  bool MaybeUpdate(uint64_t n);
  // Replicate state: entries up to n were sent optimistically.
  void OptimisticUpdate(uint64_t n) { next = n + 1; }
  // A rejection of the MsgApp at `rejected`, with the follower's hint of where the logs may
  // match. Lowers next; false if the rejection is stale.
  bool MaybeDecrTo(uint64_t rejected, uint64_t match_hint);
  // Whether sending a MsgApp must wait (probe already sent, window full, or snapshotting).
  bool IsPaused() const;

  std::string ToString() const;

  uint64_t match = 0;
  uint64_t next = 1;
  ProgressState state = ProgressState::kProbe;
  // Snapshot state: the index of the snapshot being sent.
  uint64_t pending_snapshot = 0;
  // Whether the follower sent anything since the last CheckQuorum.
  bool recent_active = false;
  // Probe state: a MsgApp was sent and no answer came since the last heartbeat.
  bool probe_sent = false;
  Inflights inflights;

 private:
  void ResetState(ProgressState s);
};

using ProgressMap = std::map<NodeId, Progress>;

// The largest index replicated on a majority of `prs` (by match).
uint64_t QuorumCommittedIndex(const ProgressMap& prs);

enum class VoteResult : uint8_t { kPending, kWon, kLost };
// Tallies votes (id -> granted) over the voters in `prs`.
VoteResult TallyVotes(const ProgressMap& prs, const std::map<NodeId, bool>& votes, int* granted,
                      int* rejected);

}  // namespace shoal::raft

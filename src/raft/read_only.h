// ReadOnly: the leader's queue of pending ReadIndex requests (the "safe" algorithm of the
// Raft thesis §6.4): each request remembers the commit index at arrival and is released once
// a quorum has acknowledged a heartbeat that carried its context.
// Thread-safety: one owner (the thread driving the RawNode).
// Invariants: queue_ and pending_ hold the same contexts; queue_ is in arrival order, so
// acknowledging a request also acknowledges every earlier one.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "raft/types.h"

namespace shoal::raft {

struct ReadIndexStatus {
  Message req;
  uint64_t index = 0;
  std::set<NodeId> acks;
};

class ReadOnly {
 public:
  // Queues a request (its context is req.entries[0].data); a duplicate context is ignored.
  void AddRequest(uint64_t index, const Message& req);
  // Records that `id` acknowledged the heartbeat carrying `ctx`; returns the acks so far
  // (nullptr when ctx is unknown).
  const std::set<NodeId>* RecvAck(NodeId id, const std::string& ctx);
  // Dequeues and returns every request up to and including `ctx`.
  std::vector<ReadIndexStatus> Advance(const std::string& ctx);
  // The context of the newest request, empty when none.
  std::string LastPendingRequestCtx() const;
  void Reset();
  size_t PendingCount() const { return queue_.size(); }

 private:
  std::map<std::string, ReadIndexStatus> pending_;
  std::deque<std::string> queue_;
};

}  // namespace shoal::raft

#include "raft/read_only.h"

namespace shoal::raft {

void ReadOnly::AddRequest(uint64_t index, const Message& req) {
  const std::string& ctx = req.entries.front().data;
  if (pending_.count(ctx) != 0) return;
  pending_[ctx] = ReadIndexStatus{req, index, {}};
  queue_.push_back(ctx);
}

const std::set<NodeId>* ReadOnly::RecvAck(NodeId id, const std::string& ctx) {
  auto it = pending_.find(ctx);
  if (it == pending_.end()) return nullptr;
  it->second.acks.insert(id);
  return &it->second.acks;
}

std::vector<ReadIndexStatus> ReadOnly::Advance(const std::string& ctx) {
  std::vector<ReadIndexStatus> out;
  if (pending_.count(ctx) == 0) return out;
  while (!queue_.empty()) {
    std::string front = std::move(queue_.front());
    queue_.pop_front();
    auto it = pending_.find(front);
    out.push_back(std::move(it->second));
    pending_.erase(it);
    if (front == ctx) break;
  }
  return out;
}

std::string ReadOnly::LastPendingRequestCtx() const {
  return queue_.empty() ? std::string() : queue_.back();
}

void ReadOnly::Reset() {
  pending_.clear();
  queue_.clear();
}

}  // namespace shoal::raft

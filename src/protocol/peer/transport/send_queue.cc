#include "protocol/peer/transport/send_queue.h"

#include <utility>

namespace shoal::peer {

bool SendQueue::HasRoomFor(size_t size) const {
  return queue_.size() < limits_.max_frames && bytes_ + size <= limits_.max_bytes;
}

bool SendQueue::Push(std::string frame, bool exempt) {
  if (!exempt && !HasRoomFor(frame.size())) return false;
  bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  return true;
}

std::vector<std::string> SendQueue::TakeBatch(size_t max_bytes) {
  std::vector<std::string> batch;
  size_t total = 0;
  while (!queue_.empty() && (batch.empty() || total + queue_.front().size() <= max_bytes)) {
    total += queue_.front().size();
    bytes_ -= queue_.front().size();
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

}  // namespace shoal::peer

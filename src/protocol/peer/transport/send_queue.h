// SendQueue: the bounded queue of encoded frames waiting to be written to one peer connection
// (docs/peer-protocol.md §9). Requests, one-way messages and stream chunks are refused when
// the queue is full (the caller fails the request with OVERLOADED, drops and counts the
// one-way message, or makes the stream wait); responses and control frames (PONG, ERROR,
// GOAWAY, handshake) are exempt, since they are bounded by what the peer sent.
//
// Thread: used by the connection's thread only. Pure: no I/O.
// Invariants: frames leave in the order they were accepted; bytes() and frames() count what
// is queued; a non-exempt Push never takes the queue past either limit.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace shoal::peer {

struct SendQueueLimits {
  size_t max_bytes = 64 * 1024 * 1024;
  size_t max_frames = 4096;
};

class SendQueue {
 public:
  explicit SendQueue(SendQueueLimits limits = {}) : limits_(limits) {}

  // Queues one encoded frame; false (and nothing queued) when it does not fit and is not
  // exempt.
  bool Push(std::string frame, bool exempt);
  // Whether a non-exempt frame of `size` bytes would be accepted now.
  bool HasRoomFor(size_t size) const;

  // Takes the frames at the front for one gathered write: at least one when not empty, and
  // more while their total stays within max_bytes.
  std::vector<std::string> TakeBatch(size_t max_bytes);

  bool empty() const { return queue_.empty(); }
  size_t bytes() const { return bytes_; }
  size_t frames() const { return queue_.size(); }

 private:
  SendQueueLimits limits_;
  std::deque<std::string> queue_;
  size_t bytes_ = 0;
};

}  // namespace shoal::peer

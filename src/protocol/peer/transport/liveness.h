// Liveness: the heartbeat and failure-detection rules of one peer connection
// (docs/peer-protocol.md §7). A PING goes out when nothing was sent for interval_us; the
// connection is dead when nothing at all was received for timeout_us. Timeout-based on
// purpose: whether a node is down is Raft's decision; this only decides when to drop and
// redial a TCP connection, and must behave the same under the simulator.
//
// Thread: used by the connection's thread only. Pure: the caller passes its monotonic clock.
// Invariants: ping ids are 1, 2, 3, ... per connection; once Tick said kDead it keeps saying
// it.
#pragma once

#include <cstdint>

namespace shoal::peer {

struct HeartbeatPolicy {
  int64_t interval_us = 500'000;
  int64_t timeout_us = 3'000'000;
};

class Liveness {
 public:
  enum class Action { kNone, kSendPing, kDead };

  Liveness(HeartbeatPolicy policy, int64_t now_us);

  // Any frame received (not only PONG) is a sign of life.
  void OnFrameReceived(int64_t now_us) { last_received_us_ = now_us; }
  void OnFrameSent(int64_t now_us) { last_sent_us_ = now_us; }

  // What to do now. After kSendPing the caller sends PING with NextPingId() and calls
  // OnFrameSent.
  Action Tick(int64_t now_us);
  uint64_t NextPingId() { return ++last_ping_id_; }
  // When Tick next has something to say, for the connection's timer.
  int64_t NextTickUs() const;

 private:
  HeartbeatPolicy policy_;
  int64_t last_received_us_;
  int64_t last_sent_us_;
  uint64_t last_ping_id_ = 0;
  bool dead_ = false;
};

}  // namespace shoal::peer

#include "protocol/peer/transport/liveness.h"

#include <algorithm>

namespace shoal::peer {

Liveness::Liveness(HeartbeatPolicy policy, int64_t now_us)
    : policy_(policy), last_received_us_(now_us), last_sent_us_(now_us) {}

Liveness::Action Liveness::Tick(int64_t now_us) {
  if (dead_ || now_us - last_received_us_ >= policy_.timeout_us) {
    dead_ = true;
    return Action::kDead;
  }
  if (now_us - last_sent_us_ >= policy_.interval_us) return Action::kSendPing;
  return Action::kNone;
}

int64_t Liveness::NextTickUs() const {
  return std::min(last_received_us_ + policy_.timeout_us, last_sent_us_ + policy_.interval_us);
}

}  // namespace shoal::peer

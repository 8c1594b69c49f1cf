// PeerCounters: what the peer transport dropped, refused and closed, and why
// (docs/peer-protocol.md §4, §5, §7, §9). One struct per LinkManager, shared by its
// connections and its call table; the owner reads it (and exports it as the `peer_*` metrics
// named beside each field).
//
// Thread: plain counters, written and read on the link manager's thread only.
// Invariant: every connection close, refused frame, dropped response or one-way message and
// every call that ended without the peer's RESPONSE is counted exactly once, under the reason
// its log line names.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace shoal::peer {

// Counts by label (a reason or an error code name), ordered for stable output.
using LabelledCounter = std::map<std::string, uint64_t, std::less<>>;

inline void Count(LabelledCounter& counter, std::string_view label) {
  auto it = counter.find(label);
  if (it == counter.end()) it = counter.emplace(std::string(label), 0).first;
  it->second++;
}

struct PeerCounters {
  // Connections.
  uint64_t connections_opened = 0;     // peer_connections_opened_total
  LabelledCounter connections_closed;  // peer_connections_closed_total{reason}
  LabelledCounter handshake_failures;  // peer_handshake_failures_total{code}
  LabelledCounter frames_rejected;     // peer_frames_rejected_total{reason}
  uint64_t connection_timeouts = 0;    // peer_connection_timeouts_total
  // Links (the LinkManager).
  uint64_t dials = 0;          // peer_dials_total
  uint64_t dial_failures = 0;  // peer_dial_failures_total: no TCP connection
  uint64_t surplus_links = 0;  // peer_surplus_links_total: crossed dials resolved
  // Calls and messages.
  uint64_t late_responses = 0;     // peer_late_responses_total
  LabelledCounter calls_failed;    // peer_calls_failed_total{code}: no peer RESPONSE
  uint64_t calls_retried = 0;      // peer_calls_retried_total
  uint64_t responses_dropped = 0;  // peer_responses_dropped_total: link gone first
  uint64_t one_way_dropped = 0;    // peer_one_way_dropped_total: no handler for it
};

}  // namespace shoal::peer

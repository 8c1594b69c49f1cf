// CallTable: the calls one node has made to one peer and not yet seen answered
// (docs/peer-protocol.md §5). It numbers the REQUESTs on each of the peer's connections 1, 2,
// 3, ..., puts the caller's remaining budget in Request.timeout_ms, matches RESPONSE (and
// ERROR naming a request) frames to their calls, fails calls with DEADLINE_EXCEEDED at their
// deadline, and when a connection closes fails its calls with UNAVAILABLE, or, for idempotent
// calls with retries left, keeps them until the next connection is current and resends them
// there. A GOAWAY's unstarted calls (above its last_request_id) are resent whatever their
// method, since the peer ran none of them.
//
// Thread: one table per peer, used on the link manager's thread only. Pure: no I/O and no
// clock (every call takes `now_us`, the caller's monotonic microseconds); frames leave
// through the Sender the owner gives.
//
// Invariants:
//  - Every call's CallDone runs exactly once, with the peer's Response or one made here
//    (status UNAVAILABLE, DEADLINE_EXCEEDED, OVERLOADED, or the code of the peer's ERROR),
//    and only once the table is consistent again (a CallDone may call back into it). A call
//    refused at once by Call has its CallDone run before Call returns.
//  - Request ids on one connection increase by one per REQUEST sent on it.
//  - A call is in flight on at most one connection; a call with no connection waits for a
//    retry and is failed at its deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/peer/frame.h"
#include "protocol/peer/transport/peer_counters.h"
#include "protocol/peer/transport/rpc.h"

namespace shoal::peer {

class CallTable {
 public:
  // Names one of the peer's connections; chosen by the owner, non-zero, never reused.
  using ConnId = uint64_t;
  // Queues a REQUEST on a connection; false when the connection does not take it (its send
  // queue is full), and the call fails with OVERLOADED.
  using Sender = std::function<bool(ConnId, Frame)>;
  enum class Match { kMatched, kLate, kOutOfOrder, kBadBody };

  // max_retries: how many times an idempotent call is resent after its connection failed.
  CallTable(Sender send, PeerCounters* counters, int max_retries = 1);

  // Sends the call on the current connection, or fails it at once: UNAVAILABLE with no
  // current connection, DEADLINE_EXCEEDED when its deadline has passed.
  void Call(CallRequest request, int64_t now_us, CallDone done);

  // The connection new calls go to (0: none). A new one starts its own id sequence; the calls
  // waiting for a retry are resent on it.
  void SetCurrent(ConnId conn, int64_t now_us);
  ConnId current() const { return current_; }
  // The peer sent GOAWAY on `conn`: it runs nothing above `last_request_id`, so those calls
  // wait for a retry (resent now if another connection is current); `conn` takes no new call.
  void OnGoAway(ConnId conn, uint64_t last_request_id, int64_t now_us);
  // `conn` closed: its calls fail with UNAVAILABLE or wait for a retry.
  void OnConnectionClosed(ConnId conn, int64_t now_us);

  // A RESPONSE, or an ERROR with a request id, received on `conn`. kOutOfOrder (an id never
  // sent) and kBadBody (not a valid body) must close the connection; kLate is counted.
  Match OnResponse(ConnId conn, const Frame& frame);

  // Fails every call whose deadline is at or before now_us with DEADLINE_EXCEEDED.
  void Expire(int64_t now_us);
  // The earliest deadline of a call, for the owner's timer.
  std::optional<int64_t> NextDeadlineUs() const;
  // Fails every call with UNAVAILABLE and forgets every connection (the owner is stopping).
  void FailAll();

  // Calls in flight on `conn` (sent, unanswered).
  size_t InFlight(ConnId conn) const;
  size_t size() const { return calls_.size(); }

 private:
  struct Pending {
    CallRequest request;
    CallDone done;
    ConnId conn = 0;  // 0: waiting for a retry
    uint64_t request_id = 0;
    int retries = 0;
  };
  struct Connection {
    uint64_t last_sent = 0;
    std::map<uint64_t, uint64_t> in_flight;  // request id -> call key
  };
  using Finished = std::vector<std::pair<CallDone, v1::Response>>;

  // Sends call `key` on the current connection, or finishes it (into `finished`).
  void Send(uint64_t key, int64_t now_us, Finished& finished);
  // Removes call `key` and queues its CallDone with a local status.
  void Fail(uint64_t key, v1::ErrorCode code, std::string message, Finished& finished);
  void Complete(uint64_t key, v1::Response response, Finished& finished);
  // Detaches call `key` from its connection; it waits for a retry.
  void Detach(uint64_t key);
  void ResendWaiting(int64_t now_us, Finished& finished);
  static void Run(Finished& finished);

  Sender send_;
  PeerCounters* counters_;
  int max_retries_;
  uint64_t next_key_ = 1;
  ConnId current_ = 0;
  std::map<uint64_t, Pending> calls_;  // by key: the order calls were made
  std::set<std::pair<int64_t, uint64_t>> by_deadline_;
  std::map<ConnId, Connection> connections_;
};

}  // namespace shoal::peer

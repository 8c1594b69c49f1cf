#include "protocol/peer/transport/call_table.h"

#include <algorithm>

namespace shoal::peer {

CallTable::CallTable(Sender send, PeerCounters* counters, int max_retries)
    : send_(std::move(send)), counters_(counters), max_retries_(max_retries) {}

void CallTable::Call(CallRequest request, int64_t now_us, CallDone done) {
  const uint64_t key = next_key_++;
  by_deadline_.emplace(request.deadline_us, key);
  calls_.emplace(key, Pending{std::move(request), std::move(done)});
  Finished finished;
  Send(key, now_us, finished);
  Run(finished);
}

void CallTable::Send(uint64_t key, int64_t now_us, Finished& finished) {
  Pending& call = calls_.at(key);
  const int64_t budget_us = call.request.deadline_us - now_us;
  if (budget_us <= 0) return Fail(key, v1::DEADLINE_EXCEEDED, "deadline passed", finished);
  if (current_ == 0) return Fail(key, v1::UNAVAILABLE, "no connection to the peer", finished);
  Connection& conn = connections_.at(current_);
  v1::Request body;
  body.set_method(call.request.method);
  // Rounded up, so that the peer never gives up before the caller does.
  body.set_timeout_ms(
      static_cast<uint32_t>(std::min<int64_t>((budget_us + 999) / 1000, kMaxTimeoutMs)));
  body.set_body(call.request.body);
  const uint64_t id = conn.last_sent + 1;
  if (!send_(current_, MakeFrame(FrameType::kRequest, id, body.SerializeAsString()))) {
    return Fail(key, v1::OVERLOADED, "send queue full", finished);
  }
  conn.last_sent = id;
  conn.in_flight.emplace(id, key);
  call.conn = current_;
  call.request_id = id;
}

void CallTable::Fail(uint64_t key, v1::ErrorCode code, std::string message, Finished& finished) {
  Count(counters_->calls_failed, v1::ErrorCode_Name(code));
  Complete(key, ErrorResponse(code, std::move(message)), finished);
}

void CallTable::Complete(uint64_t key, v1::Response response, Finished& finished) {
  auto it = calls_.find(key);
  Detach(key);
  by_deadline_.erase({it->second.request.deadline_us, key});
  finished.emplace_back(std::move(it->second.done), std::move(response));
  calls_.erase(it);
}

void CallTable::Detach(uint64_t key) {
  Pending& call = calls_.at(key);
  if (call.conn == 0) return;
  auto conn = connections_.find(call.conn);
  if (conn != connections_.end()) conn->second.in_flight.erase(call.request_id);
  call.conn = 0;
  call.request_id = 0;
}

void CallTable::ResendWaiting(int64_t now_us, Finished& finished) {
  if (current_ == 0) return;
  std::vector<uint64_t> waiting;
  for (const auto& [key, call] : calls_) {
    if (call.conn == 0) waiting.push_back(key);
  }
  for (uint64_t key : waiting) {
    counters_->calls_retried++;
    Send(key, now_us, finished);
  }
}

void CallTable::Run(Finished& finished) {
  for (auto& [done, response] : finished) {
    if (done) done(std::move(response));
  }
}

void CallTable::SetCurrent(ConnId conn, int64_t now_us) {
  current_ = conn;
  if (conn != 0) connections_.try_emplace(conn);
  Finished finished;
  ResendWaiting(now_us, finished);
  Run(finished);
}

void CallTable::OnGoAway(ConnId conn, uint64_t last_request_id, int64_t now_us) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) return;
  std::vector<uint64_t> unstarted;
  for (auto call = it->second.in_flight.upper_bound(last_request_id);
       call != it->second.in_flight.end(); ++call) {
    unstarted.push_back(call->second);
  }
  for (uint64_t key : unstarted) Detach(key);
  if (current_ == conn) current_ = 0;
  Finished finished;
  ResendWaiting(now_us, finished);
  Run(finished);
}

void CallTable::OnConnectionClosed(ConnId conn, int64_t now_us) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) return;
  Finished finished;
  std::vector<uint64_t> in_flight;
  for (const auto& [id, key] : it->second.in_flight) in_flight.push_back(key);
  for (uint64_t key : in_flight) {
    Pending& call = calls_.at(key);
    if (call.request.idempotent && call.retries < max_retries_) {
      call.retries++;
      Detach(key);
    } else {
      Fail(key, v1::UNAVAILABLE, "connection to the peer lost", finished);
    }
  }
  connections_.erase(conn);
  if (current_ == conn) current_ = 0;
  ResendWaiting(now_us, finished);
  Run(finished);
}

CallTable::Match CallTable::OnResponse(ConnId conn, const Frame& frame) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) return Match::kLate;
  if (frame.request_id > it->second.last_sent) return Match::kOutOfOrder;
  auto call = it->second.in_flight.find(frame.request_id);
  if (call == it->second.in_flight.end()) {
    counters_->late_responses++;
    return Match::kLate;
  }
  v1::Response response;
  if (frame.type == FrameType::kError) {
    v1::Error error;
    if (!error.ParseFromString(frame.payload)) return Match::kBadBody;
    response.set_status(error.code());
    response.set_message(error.message());
  } else if (!response.ParseFromString(frame.payload)) {
    return Match::kBadBody;
  }
  // §7: a code this version does not know counts as INTERNAL.
  if (!v1::ErrorCode_IsValid(response.status())) response.set_status(v1::INTERNAL);
  if (frame.type == FrameType::kError) {
    Count(counters_->calls_failed, v1::ErrorCode_Name(response.status()));
  }
  Finished finished;
  Complete(call->second, std::move(response), finished);
  Run(finished);
  return Match::kMatched;
}

void CallTable::Expire(int64_t now_us) {
  Finished finished;
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now_us) {
    Fail(by_deadline_.begin()->second, v1::DEADLINE_EXCEEDED, "deadline passed", finished);
  }
  Run(finished);
}

std::optional<int64_t> CallTable::NextDeadlineUs() const {
  if (by_deadline_.empty()) return std::nullopt;
  return by_deadline_.begin()->first;
}

void CallTable::FailAll() {
  Finished finished;
  while (!calls_.empty()) {
    Fail(calls_.begin()->first, v1::UNAVAILABLE, "the link manager is stopping", finished);
  }
  connections_.clear();
  current_ = 0;
  Run(finished);
}

size_t CallTable::InFlight(ConnId conn) const {
  auto it = connections_.find(conn);
  return it == connections_.end() ? 0 : it->second.in_flight.size();
}

}  // namespace shoal::peer

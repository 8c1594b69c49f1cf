#include "protocol/peer/transport/peer_connection.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <utility>
#include <vector>

#include "base/logging.h"
#include "protocol/peer/frame_encoder.h"
#include "protocol/peer/transport/monotonic.h"

namespace shoal::peer {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kMaxWriteBatch = 1024 * 1024;

auto Token() { return asio::as_tuple(asio::use_awaitable); }

// The ERROR code for a frame the decoder refused (docs/peer-protocol.md §7).
v1::ErrorCode CodeFor(DecodeError error) {
  switch (error) {
    case DecodeError::kUnsupportedVersion:
      return v1::UNSUPPORTED_VERSION;
    case DecodeError::kUnknownType:
      return v1::UNKNOWN_TYPE;
    case DecodeError::kPayloadTooLarge:
      return v1::FRAME_TOO_LARGE;
    case DecodeError::kBadHeaderCrc:
    case DecodeError::kBadPayloadCrc:
      return v1::BAD_CHECKSUM;
    default:
      return v1::PROTOCOL_ERROR;
  }
}

}  // namespace

std::shared_ptr<PeerConnection> PeerConnection::Start(tcp::socket socket, Role role,
                                                      Options options, Handlers handlers) {
  auto conn = std::make_shared<PeerConnection>(std::move(socket), role, std::move(options),
                                               std::move(handlers));
  asio::co_spawn(conn->socket_.get_executor(), conn->Run(), asio::detached);
  return conn;
}

PeerConnection::PeerConnection(tcp::socket socket, Role role, Options options, Handlers handlers)
    : socket_(std::move(socket)),
      role_(role),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      queue_(options_.queue),
      liveness_(options_.heartbeat, MonotonicNowUs()),
      wake_writer_(socket_.get_executor(), asio::steady_timer::time_point::max()),
      heartbeat_timer_(socket_.get_executor()),
      handshake_timer_(socket_.get_executor()) {}

asio::awaitable<void> PeerConnection::Run() {
  auto self = shared_from_this();
  asio::co_spawn(socket_.get_executor(), HandshakeWatchdog(), asio::detached);
  Status status = co_await RunHandshake();
  if (status.ok() && !closed_) {
    open_ = true;
    handshake_timer_.cancel();
    DecoderLimits limits;
    limits.version = static_cast<uint8_t>(peer_.version);
    limits.max_payload = options_.handshake.max_payload;
    decoder_.set_limits(limits);
    liveness_ = Liveness(options_.heartbeat, MonotonicNowUs());
    counters().connections_opened++;
    if (handlers_.on_open) handlers_.on_open(peer_);
    asio::co_spawn(socket_.get_executor(), WriteLoop(), asio::detached);
    asio::co_spawn(socket_.get_executor(), HeartbeatLoop(), asio::detached);
    status = co_await ReadLoop();
  }
  Close(std::move(status), close_label_);
}

asio::awaitable<void> PeerConnection::HandshakeWatchdog() {
  auto self = shared_from_this();
  handshake_timer_.expires_after(std::chrono::milliseconds(options_.handshake_timeout_ms));
  auto [ec] = co_await handshake_timer_.async_wait(Token());
  if (!ec && !open_ && !closed_) {
    Count(counters().handshake_failures, v1::ErrorCode_Name(v1::HANDSHAKE_TIMEOUT));
    SHOAL_LOG(warn, "peer_handshake_failed reason=\"timed out\" code=HANDSHAKE_TIMEOUT");
    Close(Status::Error("peer handshake: timed out (HANDSHAKE_TIMEOUT)"), "handshake_timeout");
  }
}

asio::awaitable<Status> PeerConnection::RunHandshake() {
  Result<std::string> nonce = RandomNonce();
  if (!nonce.ok()) co_return nonce.status();
  Result<Handshake> made =
      role_ == Role::kDialer
          ? Handshake::Dialer(options_.handshake, std::move(*nonce), options_.expected_peer)
          : Handshake::Acceptor(options_.handshake, std::move(*nonce));
  if (!made.ok()) co_return made.status();
  Handshake& handshake = *made;
  std::vector<Frame> to_send = handshake.Start();
  while (true) {
    for (const Frame& f : to_send) {
      if (Status s = co_await WriteNow(f); !s.ok()) co_return s;
    }
    if (handshake.state() == HandshakeState::kAuthenticated) break;
    if (handshake.state() == HandshakeState::kFailed) {
      const std::string& code = v1::ErrorCode_Name(handshake.failure().code);
      Count(counters().handshake_failures, code);
      SHOAL_LOG(warn, "peer_handshake_failed reason=\"{}\" code={}", handshake.failure().reason,
                code);
      co_return Failed("handshake_failed",
                       Status::Error(fmt::format("peer handshake failed: {} ({})", code,
                                                 handshake.failure().reason)));
    }
    Result<Frame> frame = co_await ReadFrame();
    if (!frame.ok()) co_return frame.status();
    to_send = handshake.OnFrame(*frame);
  }
  peer_ = handshake.peer();
  co_return Status::Ok();
}

asio::awaitable<Result<Frame>> PeerConnection::ReadFrame() {
  while (!closed_) {
    while (read_start_ < read_end_) {
      std::string_view pending(read_buffer_.data() + read_start_, read_end_ - read_start_);
      Result<FrameDecoder::Output> out = decoder_.Decode(pending);
      if (!out.ok()) {
        co_return co_await Reject(CodeFor(decoder_.error()), DecodeErrorName(decoder_.error()),
                                  out.status().message());
      }
      read_start_ += out->consumed;
      if (out->frame) {
        liveness_.OnFrameReceived(MonotonicNowUs());
        co_return std::move(*out->frame);
      }
    }
    read_start_ = read_end_ = 0;
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(read_buffer_), Token());
    if (ec) {
      const bool truncated = decoder_.mid_frame();
      if (truncated) Count(counters().frames_rejected, "truncated");
      co_return Failed(truncated                ? "truncated"
                       : ec == asio::error::eof ? "peer_closed"
                                                : "read_error",
                       Status::Error(fmt::format("peer connection: read: {}{}", ec.message(),
                                                 truncated ? " (truncated frame)" : "")));
    }
    read_end_ = n;
  }
  co_return Status::Error("peer connection: closed");
}

asio::awaitable<Status> PeerConnection::ReadLoop() {
  while (!closed_) {
    Result<Frame> frame = co_await ReadFrame();
    if (!frame.ok()) co_return frame.status();
    switch (frame->type) {
      case FrameType::kPing: {
        Frame pong = std::move(*frame);
        pong.type = FrameType::kPong;
        Send(std::move(pong), /*exempt=*/true);
        break;
      }
      case FrameType::kPong:
        break;
      case FrameType::kHello:
      case FrameType::kWelcome:
      case FrameType::kAuth:
        co_return co_await Reject(
            v1::OUT_OF_ORDER, "out_of_order",
            fmt::format("peer frame: {} after the handshake", FrameTypeName(frame->type)));
      default:
        if (handlers_.on_frame && !closed_) handlers_.on_frame(std::move(*frame));
    }
  }
  co_return Status::Error("peer connection: closed");
}

Status PeerConnection::Failed(std::string_view label, Status reason) {
  close_label_ = label;
  return reason;
}

asio::awaitable<Status> PeerConnection::Reject(v1::ErrorCode code, std::string_view label,
                                               std::string reason) {
  Count(counters().frames_rejected, label);
  SHOAL_LOG(warn, "peer_frame_rejected reason={} peer={} offset={} detail=\"{}\"", label,
            peer_.node_id, decoder_.frame_offset(), reason);
  // Stop the writer first; if it is in the middle of a write, the ERROR is skipped rather
  // than interleaved with it.
  const bool writer_busy = writing_;
  open_ = false;
  wake_writer_.cancel();
  if (!writer_busy) {
    v1::Error body;
    body.set_code(code);
    Frame error = MakeFrame(FrameType::kError, 0, body.SerializeAsString());
    if (peer_.version != 0) error.version = static_cast<uint8_t>(peer_.version);
    co_await WriteNow(error);
  }
  co_return Failed("frame_rejected", Status::Error(std::move(reason)));
}

asio::awaitable<Status> PeerConnection::WriteNow(const Frame& frame) {
  Result<std::string> bytes = EncodeFrame(frame);
  if (!bytes.ok()) co_return bytes.status();
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(*bytes), Token());
  if (ec) {
    co_return Failed("write_error",
                     Status::Error(fmt::format("peer connection: write: {}", ec.message())));
  }
  co_return Status::Ok();
}

bool PeerConnection::Send(Frame frame, bool exempt) {
  if (!open()) return false;
  frame.version = static_cast<uint8_t>(peer_.version);
  Result<std::string> bytes = EncodeFrame(frame);
  if (!bytes.ok() || bytes->size() - kHeaderSize > peer_.max_payload) return false;
  if (!queue_.Push(std::move(*bytes), exempt)) return false;
  liveness_.OnFrameSent(MonotonicNowUs());
  wake_writer_.cancel();
  return true;
}

asio::awaitable<void> PeerConnection::WriteLoop() {
  auto self = shared_from_this();
  while (open()) {
    if (queue_.empty()) {
      co_await wake_writer_.async_wait(Token());
      continue;
    }
    std::vector<std::string> batch = queue_.TakeBatch(kMaxWriteBatch);
    std::vector<asio::const_buffer> buffers;
    for (const std::string& b : batch) buffers.push_back(asio::buffer(b));
    writing_ = true;
    auto [ec, n] = co_await asio::async_write(socket_, buffers, Token());
    writing_ = false;
    if (ec) {
      Close(Status::Error(fmt::format("peer connection: write: {}", ec.message())), "write_error");
    }
  }
}

asio::awaitable<void> PeerConnection::HeartbeatLoop() {
  auto self = shared_from_this();
  while (!closed_) {
    heartbeat_timer_.expires_at(SteadyAtUs(liveness_.NextTickUs()));
    co_await heartbeat_timer_.async_wait(Token());
    if (closed_) break;
    switch (liveness_.Tick(MonotonicNowUs())) {
      case Liveness::Action::kDead:
        counters().connection_timeouts++;
        SHOAL_LOG(warn, "peer_connection_timeout peer={}", peer_.node_id);
        Close(Status::Error("peer connection: nothing received in time"), "timeout");
        break;
      case Liveness::Action::kSendPing: {
        v1::Ping body;
        body.set_send_time_us(MonotonicNowUs());
        Send(MakeFrame(FrameType::kPing, liveness_.NextPingId(), body.SerializeAsString()),
             /*exempt=*/true);
        break;
      }
      case Liveness::Action::kNone:
        break;
    }
  }
}

void PeerConnection::Close(Status reason, std::string_view label) {
  if (closed_) return;
  closed_ = true;
  Count(counters().connections_closed, label);
  SHOAL_LOG(info, "peer_connection_closed peer={} reason={} detail=\"{}\"", peer_.node_id, label,
            reason.ok() ? "closed" : reason.message());
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  wake_writer_.cancel();
  heartbeat_timer_.cancel();
  handshake_timer_.cancel();
  if (handlers_.on_close) handlers_.on_close(reason);
}

}  // namespace shoal::peer

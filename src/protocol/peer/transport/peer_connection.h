// PeerConnection: one multiplexed connection to a peer over TCP (docs/peer-protocol.md §4,
// §7, §9): runs the handshake with a timeout, then reads frames and hands them to the owner,
// writes what the owner sends through a bounded SendQueue, answers PINGs, sends its own when
// idle and closes the connection when nothing arrives in time. Every bad frame closes it with
// a logged reason (after a best-effort ERROR to the peer); every close is counted in the
// owner's PeerCounters under its reason.
//
// Thread: a connection lives on one io_context, which must run on one thread; Send, Close
// and the handlers all run on that thread. Dialing, redial with Backoff and the one-link-
// per-pair rule are the owner's (LinkManager).
//
// Invariants:
//  - on_open runs at most once, before any on_frame; on_close runs exactly once, last: no
//    handler runs after Close.
//  - Frames are written in the order Send accepted them; nothing is sent before the
//    handshake succeeded but the handshake's own frames.
//  - The connection buffers at most one frame being decoded, the read buffer, and the send
//    queue (bounded by SendQueueLimits for everything but exempt frames).
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "protocol/peer/frame_decoder.h"
#include "protocol/peer/handshake.h"
#include "protocol/peer/transport/liveness.h"
#include "protocol/peer/transport/peer_counters.h"
#include "protocol/peer/transport/send_queue.h"

namespace shoal::peer {

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  enum class Role { kDialer, kAcceptor };

  struct Options {
    HandshakeConfig handshake;
    uint64_t expected_peer = 0;  // dialer only: the node id it means to reach, 0 for any
    HeartbeatPolicy heartbeat;
    SendQueueLimits queue;
    int64_t handshake_timeout_ms = 5'000;
    PeerCounters* counters = nullptr;  // the owner's, outliving the connection; may be null
  };

  struct Handlers {
    std::function<void(const PeerIdentity&)> on_open;
    std::function<void(Frame)> on_frame;  // every open-phase frame but PING and PONG
    std::function<void(const Status&)> on_close;
  };

  // Takes over a connected socket and starts the handshake on the socket's executor.
  static std::shared_ptr<PeerConnection> Start(boost::asio::ip::tcp::socket socket, Role role,
                                               Options options, Handlers handlers);

  // Queues a frame (version set to the negotiated one). False when the connection is not
  // open, or the frame is not exempt and the queue is full (the caller fails the request
  // with OVERLOADED or drops and counts a one-way message).
  bool Send(Frame frame, bool exempt = false);
  // Closes now; on_close gets `reason`, and peer_connections_closed_total counts `label` (a
  // reason name such as "surplus" or "shutdown"). Idempotent.
  void Close(Status reason, std::string_view label = "local");

  bool open() const { return open_ && !closed_; }
  const PeerIdentity& peer() const { return peer_; }

  PeerConnection(boost::asio::ip::tcp::socket socket, Role role, Options options,
                 Handlers handlers);

 private:
  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<Status> RunHandshake();
  boost::asio::awaitable<Status> ReadLoop();
  boost::asio::awaitable<void> WriteLoop();
  boost::asio::awaitable<void> HeartbeatLoop();
  boost::asio::awaitable<void> HandshakeWatchdog();
  // The next frame from the socket, or why there is none.
  boost::asio::awaitable<Result<Frame>> ReadFrame();
  boost::asio::awaitable<Status> WriteNow(const Frame& frame);
  // Counts and logs a refused frame (`label`: the reason of peer_frames_rejected_total),
  // sends ERROR{code} best effort, then gives the reason for closing.
  boost::asio::awaitable<Status> Reject(v1::ErrorCode code, std::string_view label,
                                        std::string reason);
  // Records why the connection is about to close (the label Run closes with).
  Status Failed(std::string_view label, Status reason);
  PeerCounters& counters() { return options_.counters ? *options_.counters : own_counters_; }

  boost::asio::ip::tcp::socket socket_;
  Role role_;
  Options options_;
  Handlers handlers_;
  FrameDecoder decoder_;
  std::array<char, 64 * 1024> read_buffer_{};
  size_t read_start_ = 0;
  size_t read_end_ = 0;
  SendQueue queue_;
  Liveness liveness_;
  boost::asio::steady_timer wake_writer_;
  boost::asio::steady_timer heartbeat_timer_;
  boost::asio::steady_timer handshake_timer_;
  PeerIdentity peer_;
  PeerCounters own_counters_;  // when the owner gave none
  std::string_view close_label_ = "local";
  bool open_ = false;
  bool closed_ = false;
  bool writing_ = false;  // the writer has an async_write in flight
};

}  // namespace shoal::peer

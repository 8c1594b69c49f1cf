// PeerConnection over loopback sockets: the handshake, a request and its response, a wrong
// secret, garbage, a silent client, heartbeats and a peer that stops answering. Each side
// runs on its own io_context, so a test can stall one of them.
#include "protocol/peer/transport/peer_connection.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "protocol/peer/frame_decoder.h"

namespace shoal::peer {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

struct Side {
  std::shared_ptr<PeerConnection> conn;
  std::optional<PeerIdentity> opened;
  std::vector<Frame> frames;
  std::optional<Status> closed;

  PeerConnection::Handlers Handlers() {
    return {[this](const PeerIdentity& p) { opened = p; },
            [this](Frame f) { frames.push_back(std::move(f)); },
            [this](const Status& s) { closed = s; }};
  }
};

PeerConnection::Options Options(uint64_t node_id, std::string secret = "loopback secret!!") {
  PeerConnection::Options o;
  o.handshake.cluster_id = "test-cluster";
  o.handshake.node_id = node_id;
  o.handshake.secret = std::move(secret);
  o.handshake.max_payload = kMinPayloadLimit;
  return o;
}

class PeerConnectionTest : public ::testing::Test {
 protected:
  // Connects a socket on `dialer_io` to one accepted on `acceptor_io`.
  std::pair<tcp::socket, tcp::socket> Connect() {
    tcp::socket client(dialer_io_);
    client.connect(listener_.local_endpoint());
    tcp::socket server = listener_.accept();
    return {std::move(client), std::move(server)};
  }

  // Runs the loops (the dialer's only when `run_dialer`) until `done` or `limit` passed.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds limit,
                bool run_dialer = true) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      for (asio::io_context* io : {&acceptor_io_, &dialer_io_}) {
        if (io == &dialer_io_ && !run_dialer) continue;
        io->restart();
        io->poll();
      }
      std::this_thread::sleep_for(1ms);
    }
    return done();
  }

  void StartPair(PeerConnection::Options dialer_options, PeerConnection::Options acceptor_options) {
    auto [client, server] = Connect();
    dialer_.conn = PeerConnection::Start(std::move(client), PeerConnection::Role::kDialer,
                                         std::move(dialer_options), dialer_.Handlers());
    acceptor_.conn = PeerConnection::Start(std::move(server), PeerConnection::Role::kAcceptor,
                                           std::move(acceptor_options), acceptor_.Handlers());
  }

  asio::io_context acceptor_io_;
  asio::io_context dialer_io_;
  tcp::acceptor listener_{acceptor_io_, {asio::ip::make_address("127.0.0.1"), 0}};
  Side dialer_;
  Side acceptor_;
};

TEST_F(PeerConnectionTest, HandshakeThenRequestAndResponse) {
  StartPair(Options(1), Options(2));
  ASSERT_TRUE(RunUntil([&] { return dialer_.opened && acceptor_.opened; }, 5s));
  EXPECT_EQ(dialer_.opened->node_id, 2u);
  EXPECT_EQ(acceptor_.opened->node_id, 1u);

  ASSERT_TRUE(dialer_.conn->Send(MakeFrame(FrameType::kRequest, 1, "get k")));
  ASSERT_TRUE(RunUntil([&] { return !acceptor_.frames.empty(); }, 5s));
  EXPECT_EQ(acceptor_.frames[0], MakeFrame(FrameType::kRequest, 1, "get k"));
  ASSERT_TRUE(acceptor_.conn->Send(MakeFrame(FrameType::kResponse, 1, "v"), /*exempt=*/true));
  ASSERT_TRUE(RunUntil([&] { return !dialer_.frames.empty(); }, 5s));
  EXPECT_EQ(dialer_.frames[0], MakeFrame(FrameType::kResponse, 1, "v"));

  // Larger than the payload the peer announced: refused at the sender.
  EXPECT_FALSE(
      dialer_.conn->Send(MakeFrame(FrameType::kOneWay, 0, std::string(kMinPayloadLimit + 1, 'x'))));
  dialer_.conn->Close(Status::Error("test done"));
  ASSERT_TRUE(RunUntil([&] { return dialer_.closed && acceptor_.closed; }, 5s));
  EXPECT_EQ(dialer_.closed->message(), "test done");
  EXPECT_FALSE(dialer_.conn->Send(MakeFrame(FrameType::kOneWay, 0, "late")));
}

TEST_F(PeerConnectionTest, WrongSecretClosesBothSides) {
  StartPair(Options(1), Options(2, "another secret!!!"));
  ASSERT_TRUE(RunUntil([&] { return dialer_.closed && acceptor_.closed; }, 5s));
  EXPECT_FALSE(dialer_.opened);
  EXPECT_FALSE(acceptor_.opened);
  EXPECT_NE(dialer_.closed->message().find("AUTH_FAILED"), std::string::npos)
      << dialer_.closed->message();
  EXPECT_NE(acceptor_.closed->message().find("AUTH_FAILED"), std::string::npos)
      << acceptor_.closed->message();
}

TEST_F(PeerConnectionTest, GarbageIsRejectedWithAnErrorFrame) {
  auto [client, server] = Connect();
  PeerCounters counters;
  PeerConnection::Options options = Options(2);
  options.counters = &counters;
  acceptor_.conn = PeerConnection::Start(std::move(server), PeerConnection::Role::kAcceptor,
                                         std::move(options), acceptor_.Handlers());
  asio::write(client, asio::buffer(std::string_view("*1\r\n$4\r\nPING\r\n")));
  ASSERT_TRUE(RunUntil([&] { return acceptor_.closed.has_value(); }, 5s, false));
  EXPECT_NE(acceptor_.closed->message().find("bad_magic"), std::string::npos)
      << acceptor_.closed->message();
  EXPECT_EQ(counters.frames_rejected["bad_magic"], 1u);
  EXPECT_EQ(counters.connections_closed["frame_rejected"], 1u);

  std::string reply(256, '\0');
  boost::system::error_code ec;
  size_t n = asio::read(client, asio::buffer(reply), ec);  // until the acceptor closed
  FrameDecoder decoder;
  Result<FrameDecoder::Output> out = decoder.Decode(std::string_view(reply).substr(0, n));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->frame.has_value());
  EXPECT_EQ(out->frame->type, FrameType::kError);
  v1::Error error;
  ASSERT_TRUE(error.ParseFromString(out->frame->payload));
  EXPECT_EQ(error.code(), v1::PROTOCOL_ERROR);
}

TEST_F(PeerConnectionTest, SilentClientHitsTheHandshakeTimeout) {
  auto [client, server] = Connect();
  PeerConnection::Options options = Options(2);
  options.handshake_timeout_ms = 50;
  acceptor_.conn = PeerConnection::Start(std::move(server), PeerConnection::Role::kAcceptor,
                                         std::move(options), acceptor_.Handlers());
  ASSERT_TRUE(RunUntil([&] { return acceptor_.closed.has_value(); }, 5s, false));
  EXPECT_NE(acceptor_.closed->message().find("timed out"), std::string::npos);
}

TEST_F(PeerConnectionTest, HeartbeatsKeepAnIdleLinkAndDropAStalledPeer) {
  PeerConnection::Options dialer_options = Options(1);
  PeerConnection::Options acceptor_options = Options(2);
  for (PeerConnection::Options* o : {&dialer_options, &acceptor_options}) {
    o->heartbeat.interval_us = 20'000;
    // The timeout is 50 intervals, so a briefly stalled test machine keeps the link.
    o->heartbeat.timeout_us = 1'000'000;
  }
  StartPair(std::move(dialer_options), std::move(acceptor_options));
  ASSERT_TRUE(RunUntil([&] { return dialer_.opened && acceptor_.opened; }, 5s));
  // Idle for more than twice the timeout: pings and pongs keep both open.
  EXPECT_FALSE(RunUntil([&] { return dialer_.closed || acceptor_.closed; }, 2500ms));
  EXPECT_TRUE(dialer_.frames.empty()) << "PING and PONG are not handed to the owner";
  // The dialer's loop stops: the acceptor hears nothing and drops the link.
  ASSERT_TRUE(RunUntil([&] { return acceptor_.closed.has_value(); }, 20s, false));
  EXPECT_NE(acceptor_.closed->message().find("nothing received"), std::string::npos);
}

}  // namespace
}  // namespace shoal::peer

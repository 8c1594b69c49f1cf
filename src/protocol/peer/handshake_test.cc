// Handshake (docs/peer-protocol.md §4): both roles against each other, every frame passing
// through EncodeFrame and a FrameDecoder with the handshake's limits, as on the wire; and the
// attacks the design must resist, by recording, relaying, reflecting and forging frames.
#include "protocol/peer/handshake.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/peer/frame_decoder.h"
#include "protocol/peer/frame_encoder.h"

namespace shoal::peer {
namespace {

constexpr char kSecret[] = "the cluster's shared secret";

HandshakeConfig Config(uint64_t node_id, std::string cluster_id = "cluster-1",
                       std::string secret = kSecret) {
  HandshakeConfig c;
  c.cluster_id = std::move(cluster_id);
  c.node_id = node_id;
  c.secret = std::move(secret);
  c.max_payload = kMinPayloadLimit;
  return c;
}

std::string Nonce(char c) { return std::string(kNonceSize, c); }

Handshake MakeDialer(HandshakeConfig config, char nonce = 'd', uint64_t expected = 0) {
  Result<Handshake> h = Handshake::Dialer(std::move(config), Nonce(nonce), expected);
  EXPECT_TRUE(h.ok()) << h.status().message();
  return std::move(h).value();
}

Handshake MakeAcceptor(HandshakeConfig config, char nonce = 'a') {
  Result<Handshake> h = Handshake::Acceptor(std::move(config), Nonce(nonce));
  EXPECT_TRUE(h.ok()) << h.status().message();
  return std::move(h).value();
}

// The frames as the peer's decoder returns them.
std::vector<Frame> OverTheWire(const std::vector<Frame>& frames) {
  std::string bytes;
  for (const Frame& f : frames) {
    Result<std::string> e = EncodeFrame(f);
    EXPECT_TRUE(e.ok()) << e.status().message();
    if (e.ok()) bytes += *e;
  }
  FrameDecoder decoder;
  std::vector<Frame> out;
  std::string_view rest(bytes);
  while (!rest.empty()) {
    Result<FrameDecoder::Output> r = decoder.Decode(rest);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) break;
    rest.remove_prefix(r->consumed);
    if (r->frame) out.push_back(std::move(*r->frame));
  }
  return out;
}

std::vector<Frame> Deliver(Handshake& to, const std::vector<Frame>& frames) {
  std::vector<Frame> replies;
  for (const Frame& f : OverTheWire(frames)) {
    for (Frame& r : to.OnFrame(f)) replies.push_back(std::move(r));
  }
  return replies;
}

// What each side sent, in a run from HELLO until neither has anything more to say.
struct Sent {
  std::vector<Frame> dialer_sent;
  std::vector<Frame> acceptor_sent;
};

Sent Exchange(Handshake& dialer, Handshake& acceptor) {
  Sent t;
  std::vector<Frame> to_acceptor = dialer.Start();
  while (!to_acceptor.empty()) {
    t.dialer_sent.insert(t.dialer_sent.end(), to_acceptor.begin(), to_acceptor.end());
    std::vector<Frame> to_dialer = Deliver(acceptor, to_acceptor);
    t.acceptor_sent.insert(t.acceptor_sent.end(), to_dialer.begin(), to_dialer.end());
    to_acceptor = Deliver(dialer, to_dialer);
  }
  return t;
}

Frame Body(FrameType type, const google::protobuf::MessageLite& body) {
  Frame f;
  f.type = type;
  f.payload = body.SerializeAsString();
  return f;
}

v1::Error ErrorBody(const Frame& f) {
  v1::Error e;
  EXPECT_EQ(f.type, FrameType::kError);
  EXPECT_TRUE(e.ParseFromString(f.payload));
  return e;
}

void ExpectFailed(const Handshake& h, v1::ErrorCode code) {
  EXPECT_EQ(h.state(), HandshakeState::kFailed);
  EXPECT_EQ(h.failure().code, code) << h.failure().reason;
}

TEST(PeerHandshake, SucceedsAndBothSidesLearnThePeer) {
  HandshakeConfig dc = Config(1);
  dc.max_payload = kMaxPayload;
  Handshake dialer = MakeDialer(dc, 'd', 2);
  Handshake acceptor = MakeAcceptor(Config(2));
  Sent t = Exchange(dialer, acceptor);
  ASSERT_EQ(t.dialer_sent.size(), 2u);
  EXPECT_EQ(t.dialer_sent[0].type, FrameType::kHello);
  EXPECT_EQ(t.dialer_sent[1].type, FrameType::kAuth);
  ASSERT_EQ(t.acceptor_sent.size(), 1u);
  EXPECT_EQ(t.acceptor_sent[0].type, FrameType::kWelcome);

  ASSERT_EQ(dialer.state(), HandshakeState::kAuthenticated);
  ASSERT_EQ(acceptor.state(), HandshakeState::kAuthenticated);
  EXPECT_EQ(dialer.peer().node_id, 2u);
  EXPECT_EQ(dialer.peer().version, 1u);
  EXPECT_EQ(dialer.peer().max_payload, kMinPayloadLimit);
  EXPECT_EQ(acceptor.peer().node_id, 1u);
  EXPECT_EQ(acceptor.peer().version, 1u);
  EXPECT_EQ(acceptor.peer().max_payload, kMaxPayload);

  // Done: further frames are not the handshake's.
  EXPECT_TRUE(acceptor.OnFrame(t.dialer_sent[0]).empty());
  EXPECT_EQ(acceptor.state(), HandshakeState::kAuthenticated);
}

TEST(PeerHandshake, WrongSecretFailsOnBothSides) {
  Handshake dialer = MakeDialer(Config(1));
  Handshake acceptor = MakeAcceptor(Config(2, "cluster-1", "another secret, same length"));
  Sent t = Exchange(dialer, acceptor);
  ExpectFailed(dialer, v1::AUTH_FAILED);  // the acceptor's proof does not verify
  ASSERT_EQ(t.dialer_sent.size(), 2u);
  EXPECT_EQ(ErrorBody(t.dialer_sent[1]).code(), v1::AUTH_FAILED);
  EXPECT_TRUE(ErrorBody(t.dialer_sent[1]).message().empty()) << "no detail for the peer";
  ExpectFailed(acceptor, v1::AUTH_FAILED);  // told by the dialer's ERROR
}

TEST(PeerHandshake, ForgedDialerProofFails) {
  Handshake dialer = MakeDialer(Config(1));
  Handshake acceptor = MakeAcceptor(Config(2));
  Deliver(acceptor, dialer.Start());
  v1::Auth forged;
  forged.set_proof(std::string(kProofSize, 'x'));
  std::vector<Frame> reply = Deliver(acceptor, {Body(FrameType::kAuth, forged)});
  ExpectFailed(acceptor, v1::AUTH_FAILED);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(ErrorBody(reply[0]).code(), v1::AUTH_FAILED);
  // A HELLO that names no auth method.
  Handshake again = MakeAcceptor(Config(2));
  Deliver(again, {Body(FrameType::kHello, v1::Hello())});
  ExpectFailed(again, v1::AUTH_FAILED);  // no auth method
}

TEST(PeerHandshake, WrongClusterIdIsRefusedByTheAcceptor) {
  Handshake dialer = MakeDialer(Config(1, "cluster-1"));
  Handshake acceptor = MakeAcceptor(Config(2, "cluster-2"));
  Sent t = Exchange(dialer, acceptor);
  ExpectFailed(acceptor, v1::WRONG_CLUSTER);
  ASSERT_EQ(t.acceptor_sent.size(), 1u);
  EXPECT_EQ(ErrorBody(t.acceptor_sent[0]).code(), v1::WRONG_CLUSTER);
  ExpectFailed(dialer, v1::WRONG_CLUSTER);
}

TEST(PeerHandshake, WrongClusterIdIsRefusedByTheDialer) {
  // An acceptor of cluster-2 answers a HELLO for cluster-2 made with our nonce; its WELCOME is
  // relayed to us, dialing cluster-1.
  Handshake dialer = MakeDialer(Config(1, "cluster-1"));
  Handshake other_dialer = MakeDialer(Config(1, "cluster-2"));
  Handshake acceptor = MakeAcceptor(Config(2, "cluster-2"));
  dialer.Start();
  std::vector<Frame> welcome = Deliver(acceptor, other_dialer.Start());
  std::vector<Frame> reply = Deliver(dialer, welcome);
  ExpectFailed(dialer, v1::WRONG_CLUSTER);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(ErrorBody(reply[0]).code(), v1::WRONG_CLUSTER);
}

TEST(PeerHandshake, OverlappingVersionRangesPickTheHighestCommon) {
  HandshakeConfig dc = Config(1);
  dc.min_version = 1;
  dc.max_version = 3;
  HandshakeConfig ac = Config(2);
  ac.min_version = 2;
  ac.max_version = 5;
  Handshake dialer = MakeDialer(dc);
  Handshake acceptor = MakeAcceptor(ac);
  Sent t = Exchange(dialer, acceptor);
  ASSERT_EQ(dialer.state(), HandshakeState::kAuthenticated);
  ASSERT_EQ(acceptor.state(), HandshakeState::kAuthenticated);
  EXPECT_EQ(dialer.peer().version, 3u);
  EXPECT_EQ(acceptor.peer().version, 3u);
  for (const Frame& f : t.dialer_sent) EXPECT_EQ(f.version, 1) << "handshake frames are v1";
}

TEST(PeerHandshake, DisjointVersionRangesFail) {
  HandshakeConfig dc = Config(1);
  dc.min_version = 1;
  dc.max_version = 1;
  HandshakeConfig ac = Config(2);
  ac.min_version = 2;
  ac.max_version = 3;
  Handshake dialer = MakeDialer(dc);
  Handshake acceptor = MakeAcceptor(ac);
  Sent t = Exchange(dialer, acceptor);
  ExpectFailed(acceptor, v1::UNSUPPORTED_VERSION);
  ASSERT_EQ(t.acceptor_sent.size(), 1u);
  EXPECT_EQ(ErrorBody(t.acceptor_sent[0]).message(), "no common version: ours 2..3, theirs 1..1");
  ExpectFailed(dialer, v1::UNSUPPORTED_VERSION);
  EXPECT_NE(dialer.failure().reason.find("ours 2..3"), std::string::npos);
}

TEST(PeerHandshake, DialerRefusesAVersionItDidNotOffer) {
  HandshakeConfig dc = Config(1);
  Handshake dialer = MakeDialer(dc);  // speaks 1..1
  dc.min_version = dc.max_version = 2;
  Handshake relayed = MakeDialer(dc);  // same node and nonce, offers 2..2
  HandshakeConfig ac = Config(2);
  ac.max_version = 2;
  Handshake acceptor = MakeAcceptor(ac);
  dialer.Start();
  Deliver(dialer, Deliver(acceptor, relayed.Start()));
  ExpectFailed(dialer, v1::UNSUPPORTED_VERSION);
}

TEST(PeerHandshake, NarrowedVersionRangeFailsTheProof) {
  // A man in the middle rewrites the HELLO to offer only version 1: the acceptor's proof
  // covers the range it saw, which is not the one the dialer offered.
  HandshakeConfig dc = Config(1);
  dc.max_version = 2;
  Handshake dialer = MakeDialer(dc);
  HandshakeConfig ac = Config(2);
  ac.max_version = 2;
  Handshake acceptor = MakeAcceptor(ac);
  std::vector<Frame> hello = dialer.Start();
  v1::Hello body;
  ASSERT_TRUE(body.ParseFromString(hello[0].payload));
  body.set_max_version(1);
  Deliver(dialer, Deliver(acceptor, {Body(FrameType::kHello, body)}));
  ExpectFailed(dialer, v1::AUTH_FAILED);
}

TEST(PeerHandshake, ReplayedAuthFails) {
  Handshake dialer = MakeDialer(Config(1));
  Handshake acceptor = MakeAcceptor(Config(2), 'a');
  Sent t = Exchange(dialer, acceptor);
  ASSERT_EQ(acceptor.state(), HandshakeState::kAuthenticated);
  // The recorded HELLO and AUTH against a new connection, whose acceptor drew a new nonce.
  Handshake next = MakeAcceptor(Config(2), 'b');
  Deliver(next, {t.dialer_sent[0]});
  EXPECT_EQ(next.state(), HandshakeState::kInProgress);
  std::vector<Frame> reply = Deliver(next, {t.dialer_sent[1]});
  ExpectFailed(next, v1::AUTH_FAILED);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].type, FrameType::kError);
}

TEST(PeerHandshake, ReplayedWelcomeFails) {
  Handshake dialer = MakeDialer(Config(1), 'd');
  Handshake acceptor = MakeAcceptor(Config(2));
  Sent t = Exchange(dialer, acceptor);
  Handshake next = MakeDialer(Config(1), 'e');
  next.Start();
  Deliver(next, t.acceptor_sent);
  ExpectFailed(next, v1::AUTH_FAILED);
}

TEST(PeerHandshake, ReflectedProofFails) {
  // The acceptor's own proof from its WELCOME, sent back to it as the dialer's.
  Handshake dialer = MakeDialer(Config(1));
  Handshake acceptor = MakeAcceptor(Config(2));
  std::vector<Frame> welcome = Deliver(acceptor, dialer.Start());
  v1::Welcome w;
  ASSERT_TRUE(w.ParseFromString(welcome[0].payload));
  v1::Auth reflected;
  reflected.set_proof(w.proof());
  Deliver(acceptor, {Body(FrameType::kAuth, reflected)});
  ExpectFailed(acceptor, v1::AUTH_FAILED);
}

TEST(PeerHandshake, ReflectedNonceFails) {
  // A HELLO carrying the acceptor's own nonce.
  Handshake acceptor = MakeAcceptor(Config(2), 'a');
  Handshake echo = MakeDialer(Config(1), 'a');
  Deliver(acceptor, echo.Start());
  ExpectFailed(acceptor, v1::AUTH_FAILED);
  EXPECT_NE(acceptor.failure().reason.find("nonce"), std::string::npos);
  // A WELCOME carrying the dialer's own nonce.
  Handshake dialer = MakeDialer(Config(1), 'n');
  Handshake mirror = MakeAcceptor(Config(2), 'n');
  dialer.Start();
  Handshake helper = MakeDialer(Config(1), 'h');  // makes the mirror answer at all
  Deliver(dialer, Deliver(mirror, helper.Start()));
  ExpectFailed(dialer, v1::AUTH_FAILED);
  EXPECT_NE(dialer.failure().reason.find("nonce"), std::string::npos);
}

TEST(PeerHandshake, ReflectedHelloAndSelfConnectionFail) {
  // The dialer's HELLO comes back to it.
  Handshake dialer = MakeDialer(Config(1));
  Deliver(dialer, dialer.Start());
  ExpectFailed(dialer, v1::OUT_OF_ORDER);
  // A node that dialed itself.
  Handshake self_dialer = MakeDialer(Config(7), 'd');
  Handshake self_acceptor = MakeAcceptor(Config(7), 'a');
  Exchange(self_dialer, self_acceptor);
  ExpectFailed(self_acceptor, v1::AUTH_FAILED);
  ExpectFailed(self_dialer, v1::AUTH_FAILED);
}

TEST(PeerHandshake, DialerRefusesAnotherNodeThanTheOneItDialed) {
  Handshake dialer = MakeDialer(Config(1), 'd', 3);
  Handshake acceptor = MakeAcceptor(Config(2));
  Exchange(dialer, acceptor);
  ExpectFailed(dialer, v1::AUTH_FAILED);
  EXPECT_NE(dialer.failure().reason.find("dialed node 3 but node 2"), std::string::npos);
}

TEST(PeerHandshake, MessagesOutOfOrderFail) {
  v1::Auth auth;
  auth.set_proof(std::string(kProofSize, 'p'));
  Frame ping;
  ping.type = FrameType::kPing;
  ping.request_id = 1;
  // The acceptor: AUTH or PING before HELLO; a second HELLO; a WELCOME.
  {
    Handshake a = MakeAcceptor(Config(2));
    std::vector<Frame> reply = Deliver(a, {Body(FrameType::kAuth, auth)});
    ExpectFailed(a, v1::OUT_OF_ORDER);
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(ErrorBody(reply[0]).code(), v1::OUT_OF_ORDER);
  }
  {
    Handshake a = MakeAcceptor(Config(2));
    Deliver(a, {ping});
    ExpectFailed(a, v1::OUT_OF_ORDER);
  }
  {
    Handshake d = MakeDialer(Config(1));
    Handshake a = MakeAcceptor(Config(2));
    std::vector<Frame> hello = d.Start();
    Deliver(a, hello);
    Deliver(a, hello);
    ExpectFailed(a, v1::OUT_OF_ORDER);
  }
  {
    // PING pipelined before the AUTH.
    Handshake d = MakeDialer(Config(1));
    Handshake a = MakeAcceptor(Config(2));
    Deliver(a, d.Start());
    Deliver(a, {ping});
    ExpectFailed(a, v1::OUT_OF_ORDER);
  }
  // The dialer: a frame before Start; AUTH instead of WELCOME.
  {
    Handshake d = MakeDialer(Config(1));
    Deliver(d, {Body(FrameType::kAuth, auth)});
    ExpectFailed(d, v1::OUT_OF_ORDER);
  }
  {
    Handshake d = MakeDialer(Config(1));
    d.Start();
    Deliver(d, {Body(FrameType::kAuth, auth)});
    ExpectFailed(d, v1::OUT_OF_ORDER);
  }
}

TEST(PeerHandshake, MalformedBodiesFail) {
  Frame garbage;
  garbage.type = FrameType::kHello;
  garbage.payload = "\xff\xff\xff";
  Handshake a = MakeAcceptor(Config(2));
  a.OnFrame(garbage);
  ExpectFailed(a, v1::PROTOCOL_ERROR);

  Handshake d = MakeDialer(Config(1));
  Handshake acceptor = MakeAcceptor(Config(2));
  std::vector<Frame> hello = d.Start();
  v1::Hello body;
  ASSERT_TRUE(body.ParseFromString(hello[0].payload));
  body.set_max_payload(100);  // below kMinPayloadLimit
  Deliver(acceptor, {Body(FrameType::kHello, body)});
  ExpectFailed(acceptor, v1::PROTOCOL_ERROR);
}

TEST(PeerHandshake, PeerErrorEndsTheHandshakeWithoutAReply) {
  Handshake d = MakeDialer(Config(1));
  d.Start();
  v1::Error e;
  e.set_code(static_cast<v1::ErrorCode>(999));
  e.set_message("from the future");
  EXPECT_TRUE(Deliver(d, {Body(FrameType::kError, e)}).empty());
  ExpectFailed(d, v1::INTERNAL);
  EXPECT_NE(d.failure().reason.find("from the future"), std::string::npos);
}

TEST(PeerHandshake, RefusesConfigsThatCannotHandshake) {
  EXPECT_FALSE(Handshake::Dialer(Config(0), Nonce('d')).ok());
  EXPECT_FALSE(Handshake::Dialer(Config(1, "c", "short"), Nonce('d')).ok());
  EXPECT_FALSE(Handshake::Acceptor(Config(1), "short nonce").ok());
  HandshakeConfig c = Config(1);
  c.min_version = 2;
  c.max_version = 1;
  EXPECT_FALSE(Handshake::Acceptor(c, Nonce('a')).ok());
  c = Config(1);
  c.max_payload = kMaxPayload + 1;
  EXPECT_FALSE(Handshake::Acceptor(c, Nonce('a')).ok());
}

}  // namespace
}  // namespace shoal::peer

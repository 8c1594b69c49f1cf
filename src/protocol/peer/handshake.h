// Handshake: the pure state machine of the peer protocol's handshake (docs/peer-protocol.md
// §4), for either role. The dialer sends HELLO, checks the WELCOME's proof and sends AUTH; the
// acceptor answers HELLO with WELCOME and checks AUTH. Version negotiation, cluster id, node
// id and the mutual HMAC-SHA256 proofs over both nonces are all checked here.
//
// The connection feeds it the frames its FrameDecoder returns and writes the frames it
// returns, in order. It does no I/O, reads no clock (the handshake timeout is the
// transport's) and draws no random numbers (the nonce is given).
//
// Thread: one Handshake belongs to one connection and is used by its thread only.
//
// Invariants:
//  - state() moves kInProgress -> kAuthenticated or kInProgress -> kFailed, once.
//  - peer() is meaningful only in kAuthenticated, failure() only in kFailed.
//  - When it fails, the frames returned by that call end with the ERROR to send before the
//    connection closes (none if the peer's own ERROR caused the failure).
//  - After kAuthenticated or kFailed it takes no frames: OnFrame returns nothing and changes
//    nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "protocol/peer/frame.h"
#include "protocol/peer/peer.pb.h"
#include "protocol/peer/peer_auth.h"

namespace shoal::peer {

struct HandshakeConfig {
  std::string cluster_id;
  uint64_t node_id = 0;  // this node's, non-zero
  std::string secret;    // the cluster's shared secret, at least kMinSecretSize bytes
  uint32_t min_version = kFrameVersion;  // the protocol versions this node speaks
  uint32_t max_version = kFrameVersion;
  uint32_t max_payload = kMaxPayload;  // the largest payload this node accepts
};

// Who the peer proved to be, and what the connection speaks from now on.
struct PeerIdentity {
  uint64_t node_id = 0;
  uint32_t version = 0;
  uint32_t max_payload = 0;  // the largest payload the peer accepts
};

struct HandshakeFailure {
  v1::ErrorCode code = v1::OK;
  std::string reason;  // for the log line; never sent to the peer
};

enum class HandshakeState { kInProgress, kAuthenticated, kFailed };

class Handshake {
 public:
  // `nonce`: kNonceSize fresh random bytes (RandomNonce()). `expected_peer`: the node id the
  // dialer means to reach, or 0 for any. Fails on a config or nonce that cannot handshake.
  static Result<Handshake> Dialer(HandshakeConfig config, std::string nonce,
                                  uint64_t expected_peer = 0);
  static Result<Handshake> Acceptor(HandshakeConfig config, std::string nonce);

  // The frames to send as soon as the connection is up: the dialer's HELLO; none for the
  // acceptor. Called once, before OnFrame.
  std::vector<Frame> Start();
  // Takes one frame from the peer; returns the frames to send.
  std::vector<Frame> OnFrame(const Frame& frame);

  HandshakeState state() const;
  const PeerIdentity& peer() const { return peer_; }
  const HandshakeFailure& failure() const { return failure_; }

 private:
  enum class Step { kStart, kAwaitWelcome, kAwaitHello, kAwaitAuth, kAuthenticated, kFailed };

  Handshake(HandshakeConfig config, std::string nonce, bool dialer, uint64_t expected_peer);

  std::vector<Frame> OnHello(const Frame& frame);
  std::vector<Frame> OnWelcome(const Frame& frame);
  std::vector<Frame> OnAuth(const Frame& frame);
  // Records the failure and returns the ERROR frame to send (text: a message for the peer).
  std::vector<Frame> Fail(v1::ErrorCode code, std::string reason, std::string text = "");
  std::vector<Frame> FailFromPeer(const Frame& frame);
  // The checks both roles make on what the peer says about itself.
  bool CheckPeer(const std::string& cluster_id, uint64_t node_id, const std::string& nonce,
                 uint32_t max_payload, std::vector<Frame>* error);
  std::string ProofFor(ProofRole role) const;

  HandshakeConfig config_;
  std::string nonce_;
  bool dialer_;
  Step step_;
  uint64_t expected_peer_;
  // Learned from the peer.
  std::string peer_nonce_;
  uint32_t dialer_min_version_ = 0;
  uint32_t dialer_max_version_ = 0;
  PeerIdentity peer_;
  HandshakeFailure failure_;
};

}  // namespace shoal::peer

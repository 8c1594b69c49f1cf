#include "protocol/peer/handshake.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace shoal::peer {

namespace {

// Handshake frames are always version 1 and take no request id.
Frame BodyFrame(FrameType type, const google::protobuf::MessageLite& body) {
  return MakeFrame(type, 0, body.SerializeAsString());
}

Status CheckConfig(const HandshakeConfig& config, const std::string& nonce) {
  if (config.node_id == 0) return Status::Error("peer handshake: node id 0");
  if (config.secret.size() < kMinSecretSize) {
    return Status::Error(
        fmt::format("peer handshake: the secret must have at least {} bytes", kMinSecretSize));
  }
  if (config.min_version < 1 || config.min_version > config.max_version ||
      config.max_version > 255) {
    return Status::Error(fmt::format("peer handshake: bad version range {}..{}", config.min_version,
                                     config.max_version));
  }
  if (config.max_payload < kMinPayloadLimit || config.max_payload > kMaxPayload) {
    return Status::Error(fmt::format("peer handshake: max payload {} is not in {}..{}",
                                     config.max_payload, kMinPayloadLimit, kMaxPayload));
  }
  if (nonce.size() != kNonceSize) {
    return Status::Error(fmt::format("peer handshake: the nonce must have {} bytes", kNonceSize));
  }
  return Status::Ok();
}

}  // namespace

Result<Handshake> Handshake::Dialer(HandshakeConfig config, std::string nonce,
                                    uint64_t expected_peer) {
  if (Status s = CheckConfig(config, nonce); !s.ok()) return s;
  return Handshake(std::move(config), std::move(nonce), true, expected_peer);
}

Result<Handshake> Handshake::Acceptor(HandshakeConfig config, std::string nonce) {
  if (Status s = CheckConfig(config, nonce); !s.ok()) return s;
  return Handshake(std::move(config), std::move(nonce), false, 0);
}

Handshake::Handshake(HandshakeConfig config, std::string nonce, bool dialer, uint64_t expected_peer)
    : config_(std::move(config)),
      nonce_(std::move(nonce)),
      dialer_(dialer),
      step_(dialer ? Step::kStart : Step::kAwaitHello),
      expected_peer_(expected_peer) {}

HandshakeState Handshake::state() const {
  switch (step_) {
    case Step::kAuthenticated:
      return HandshakeState::kAuthenticated;
    case Step::kFailed:
      return HandshakeState::kFailed;
    default:
      return HandshakeState::kInProgress;
  }
}

std::vector<Frame> Handshake::Start() {
  if (step_ != Step::kStart) return {};
  v1::Hello hello;
  hello.set_min_version(config_.min_version);
  hello.set_max_version(config_.max_version);
  hello.set_cluster_id(config_.cluster_id);
  hello.set_node_id(config_.node_id);
  hello.set_nonce(nonce_);
  hello.set_max_payload(config_.max_payload);
  hello.set_auth_method(v1::AUTH_METHOD_HMAC_SHA256);
  dialer_min_version_ = config_.min_version;
  dialer_max_version_ = config_.max_version;
  step_ = Step::kAwaitWelcome;
  return {BodyFrame(FrameType::kHello, hello)};
}

std::vector<Frame> Handshake::OnFrame(const Frame& frame) {
  if (step_ == Step::kAuthenticated || step_ == Step::kFailed) return {};
  if (frame.type == FrameType::kError) return FailFromPeer(frame);
  const FrameType expected = step_ == Step::kAwaitHello     ? FrameType::kHello
                             : step_ == Step::kAwaitWelcome ? FrameType::kWelcome
                                                            : FrameType::kAuth;
  if (step_ == Step::kStart || frame.type != expected) {
    return Fail(v1::OUT_OF_ORDER, fmt::format("got {} while waiting for {}",
                                              FrameTypeName(frame.type), FrameTypeName(expected)));
  }
  if (frame.version != kFrameVersion) {
    return Fail(v1::UNSUPPORTED_VERSION,
                fmt::format("handshake frame of version {}", frame.version));
  }
  switch (frame.type) {
    case FrameType::kHello:
      return OnHello(frame);
    case FrameType::kWelcome:
      return OnWelcome(frame);
    default:
      return OnAuth(frame);
  }
}

std::vector<Frame> Handshake::OnHello(const Frame& frame) {
  v1::Hello hello;
  if (!hello.ParseFromString(frame.payload)) return Fail(v1::PROTOCOL_ERROR, "HELLO body");
  if (hello.auth_method() != v1::AUTH_METHOD_HMAC_SHA256) {
    return Fail(v1::AUTH_FAILED,
                fmt::format("auth method {}", static_cast<int>(hello.auth_method())));
  }
  if (hello.min_version() < 1 || hello.min_version() > hello.max_version()) {
    return Fail(v1::PROTOCOL_ERROR,
                fmt::format("offered versions {}..{}", hello.min_version(), hello.max_version()));
  }
  const uint32_t version = std::min(config_.max_version, hello.max_version());
  if (version < std::max(config_.min_version, hello.min_version())) {
    std::string text =
        fmt::format("no common version: ours {}..{}, theirs {}..{}", config_.min_version,
                    config_.max_version, hello.min_version(), hello.max_version());
    return Fail(v1::UNSUPPORTED_VERSION, text, text);
  }
  std::vector<Frame> error;
  if (!CheckPeer(hello.cluster_id(), hello.node_id(), hello.nonce(), hello.max_payload(), &error)) {
    return error;
  }
  dialer_min_version_ = hello.min_version();
  dialer_max_version_ = hello.max_version();
  peer_.version = version;

  v1::Welcome welcome;
  welcome.set_version(version);
  welcome.set_cluster_id(config_.cluster_id);
  welcome.set_node_id(config_.node_id);
  welcome.set_nonce(nonce_);
  welcome.set_max_payload(config_.max_payload);
  welcome.set_proof(ProofFor(ProofRole::kAcceptor));
  step_ = Step::kAwaitAuth;
  return {BodyFrame(FrameType::kWelcome, welcome)};
}

std::vector<Frame> Handshake::OnWelcome(const Frame& frame) {
  v1::Welcome welcome;
  if (!welcome.ParseFromString(frame.payload)) return Fail(v1::PROTOCOL_ERROR, "WELCOME body");
  if (welcome.version() < config_.min_version || welcome.version() > config_.max_version) {
    return Fail(v1::UNSUPPORTED_VERSION,
                fmt::format("acceptor chose version {} outside {}..{}", welcome.version(),
                            config_.min_version, config_.max_version));
  }
  std::vector<Frame> error;
  if (!CheckPeer(welcome.cluster_id(), welcome.node_id(), welcome.nonce(), welcome.max_payload(),
                 &error)) {
    return error;
  }
  if (expected_peer_ != 0 && welcome.node_id() != expected_peer_) {
    return Fail(v1::AUTH_FAILED, fmt::format("dialed node {} but node {} answered", expected_peer_,
                                             welcome.node_id()));
  }
  peer_.version = welcome.version();
  if (!ConstantTimeEqual(welcome.proof(), ProofFor(ProofRole::kAcceptor))) {
    return Fail(v1::AUTH_FAILED, "the acceptor's proof is wrong");
  }
  v1::Auth auth;
  auth.set_proof(ProofFor(ProofRole::kDialer));
  step_ = Step::kAuthenticated;
  return {BodyFrame(FrameType::kAuth, auth)};
}

std::vector<Frame> Handshake::OnAuth(const Frame& frame) {
  v1::Auth auth;
  if (!auth.ParseFromString(frame.payload)) return Fail(v1::PROTOCOL_ERROR, "AUTH body");
  if (!ConstantTimeEqual(auth.proof(), ProofFor(ProofRole::kDialer))) {
    return Fail(v1::AUTH_FAILED, "the dialer's proof is wrong");
  }
  step_ = Step::kAuthenticated;
  return {};
}

bool Handshake::CheckPeer(const std::string& cluster_id, uint64_t node_id, const std::string& nonce,
                          uint32_t max_payload, std::vector<Frame>* error) {
  if (cluster_id != config_.cluster_id) {
    *error = Fail(v1::WRONG_CLUSTER, fmt::format("peer of cluster '{}'", cluster_id));
  } else if (node_id == 0 || node_id == config_.node_id) {
    *error = Fail(v1::AUTH_FAILED, fmt::format("peer claims node id {}", node_id));
  } else if (nonce.size() != kNonceSize || ConstantTimeEqual(nonce, nonce_)) {
    *error = Fail(v1::AUTH_FAILED, "peer's nonce is malformed or ours");
  } else if (max_payload < kMinPayloadLimit || max_payload > kMaxPayload) {
    *error = Fail(v1::PROTOCOL_ERROR, fmt::format("peer's max payload {}", max_payload));
  } else {
    peer_.node_id = node_id;
    peer_.max_payload = max_payload;
    peer_nonce_ = nonce;
    return true;
  }
  return false;
}

std::string Handshake::ProofFor(ProofRole role) const {
  TranscriptFields fields;
  fields.cluster_id = config_.cluster_id;
  fields.dialer_node_id = dialer_ ? config_.node_id : peer_.node_id;
  fields.acceptor_node_id = dialer_ ? peer_.node_id : config_.node_id;
  fields.min_version = dialer_min_version_;
  fields.max_version = dialer_max_version_;
  fields.version = peer_.version;
  fields.dialer_nonce = dialer_ ? nonce_ : peer_nonce_;
  fields.acceptor_nonce = dialer_ ? peer_nonce_ : nonce_;
  return Proof(config_.secret, role, fields);
}

std::vector<Frame> Handshake::Fail(v1::ErrorCode code, std::string reason, std::string text) {
  step_ = Step::kFailed;
  failure_.code = code;
  failure_.reason = std::move(reason);
  v1::Error error;
  error.set_code(code);
  error.set_message(std::move(text));
  return {BodyFrame(FrameType::kError, error)};
}

std::vector<Frame> Handshake::FailFromPeer(const Frame& frame) {
  v1::Error error;
  step_ = Step::kFailed;
  if (!error.ParseFromString(frame.payload)) {
    failure_.code = v1::PROTOCOL_ERROR;
    failure_.reason = "the peer refused, with a malformed ERROR body";
    return {};
  }
  failure_.code = v1::ErrorCode_IsValid(error.code()) ? error.code() : v1::INTERNAL;
  failure_.reason = fmt::format("the peer refused: {}{}{}", v1::ErrorCode_Name(failure_.code),
                                error.message().empty() ? "" : " ", error.message());
  return {};
}

}  // namespace shoal::peer

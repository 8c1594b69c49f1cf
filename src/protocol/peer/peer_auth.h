// The cryptography of the peer handshake (docs/peer-protocol.md §4): the transcript each
// side's proof covers, the proof itself (HMAC-SHA256 keyed with the cluster's shared secret,
// through OpenSSL's libcrypto), its constant-time comparison, and fresh nonces.
// Thread-safety: pure functions, except RandomNonce, which reads OpenSSL's thread-safe CSPRNG.
// DO NOT change the transcript's layout or the role numbers: both sides must compute the
// same bytes; a change is a new protocol version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shoal::peer {

inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kProofSize = 32;  // SHA-256's output
inline constexpr size_t kMinSecretSize = 16;

// Whose proof a transcript is for; it is inside the MAC, so one side's proof never passes as
// the other's (reflection).
enum class ProofRole : uint8_t { kAcceptor = 1, kDialer = 2 };

// What both proofs cover: everything the handshake negotiated.
struct TranscriptFields {
  std::string_view cluster_id;
  uint64_t dialer_node_id = 0;
  uint64_t acceptor_node_id = 0;
  uint32_t min_version = 0;  // the dialer's offered range
  uint32_t max_version = 0;
  uint32_t version = 0;  // the chosen one
  std::string_view dialer_nonce;
  std::string_view acceptor_nonce;
};

// The exact bytes of §4's transcript(role).
std::string Transcript(ProofRole role, const TranscriptFields& fields);

std::string HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA256(secret, Transcript(role, fields)).
std::string Proof(std::string_view secret, ProofRole role, const TranscriptFields& fields);

// Compares in time that depends only on the sizes; false when the sizes differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// kNonceSize bytes from OpenSSL's CSPRNG; fails only if it is not seeded.
Result<std::string> RandomNonce();

}  // namespace shoal::peer

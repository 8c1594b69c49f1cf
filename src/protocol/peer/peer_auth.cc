#include "protocol/peer/peer_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "protocol/peer/wire.h"

namespace shoal::peer {

namespace {

constexpr std::string_view kTranscriptLabel = "shoal-peer-auth-v1";

void PutLengthPrefixed(std::string* out, std::string_view bytes) {
  PutBigEndian(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes);
}

}  // namespace

std::string Transcript(ProofRole role, const TranscriptFields& f) {
  std::string out(kTranscriptLabel);
  out.push_back(static_cast<char>(role));
  PutLengthPrefixed(&out, f.cluster_id);
  PutBigEndian(&out, f.dialer_node_id);
  PutBigEndian(&out, f.acceptor_node_id);
  PutBigEndian(&out, f.min_version);
  PutBigEndian(&out, f.max_version);
  PutBigEndian(&out, f.version);
  PutLengthPrefixed(&out, f.dialer_nonce);
  PutLengthPrefixed(&out, f.acceptor_nonce);
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

std::string Proof(std::string_view secret, ProofRole role, const TranscriptFields& fields) {
  return HmacSha256(secret, Transcript(role, fields));
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> RandomNonce() {
  std::string nonce(kNonceSize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceSize) != 1) {
    return Status::Error("peer handshake: the random generator failed to make a nonce");
  }
  return nonce;
}

}  // namespace shoal::peer

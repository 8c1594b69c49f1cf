// peer_auth: HMAC-SHA256 against RFC 4231, the transcript's exact layout, the comparison and
// the nonces.
#include "protocol/peer/peer_auth.h"

#include <gtest/gtest.h>

namespace shoal::peer {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(PeerAuth, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block size.
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(PeerAuth, TranscriptLayout) {
  TranscriptFields f;
  f.cluster_id = "c1";
  f.dialer_node_id = 0x0102030405060708;
  f.acceptor_node_id = 2;
  f.min_version = 1;
  f.max_version = 3;
  f.version = 2;
  f.dialer_nonce = "dn";
  f.acceptor_nonce = "acc";
  const std::string expected = std::string("shoal-peer-auth-v1") + '\x02' +
                               std::string(
                                   "\0\0\0\x02"
                                   "c1",
                                   6) +
                               "\x01\x02\x03\x04\x05\x06\x07\x08" +
                               std::string("\0\0\0\0\0\0\0\x02", 8) +
                               std::string("\0\0\0\x01\0\0\0\x03\0\0\0\x02", 12) +
                               std::string(
                                   "\0\0\0\x02"
                                   "dn",
                                   6) +
                               std::string(
                                   "\0\0\0\x03"
                                   "acc",
                                   7);
  EXPECT_EQ(Transcript(ProofRole::kDialer, f), expected);
  EXPECT_NE(Proof("secret", ProofRole::kDialer, f), Proof("secret", ProofRole::kAcceptor, f));
  EXPECT_EQ(Proof("secret", ProofRole::kDialer, f).size(), kProofSize);
}

TEST(PeerAuth, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
}

TEST(PeerAuth, RandomNoncesAreFreshAndSized) {
  Result<std::string> a = RandomNonce();
  Result<std::string> b = RandomNonce();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), kNonceSize);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace shoal::peer

#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace shoal {
namespace {

using crc32c_internal::ExtendHardware;
using crc32c_internal::ExtendPortable;
using crc32c_internal::HardwareAvailable;

using ExtendFn = uint32_t (*)(uint32_t, const void*, size_t);

uint32_t Whole(ExtendFn fn, const std::string& s) { return fn(0, s.data(), s.size()); }

// RFC 3720 (iSCSI) appendix B.4 vectors and the classic "123456789" check value.
void CheckVectors(ExtendFn fn) {
  EXPECT_EQ(Whole(fn, ""), 0u);
  EXPECT_EQ(Whole(fn, "123456789"), 0xE3069283u);
  EXPECT_EQ(Whole(fn, std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Whole(fn, std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  std::string descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(Whole(fn, ascending), 0x46DD794Eu);
  EXPECT_EQ(Whole(fn, descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, PortableMatchesRfc3720) { CheckVectors(ExtendPortable); }

TEST(Crc32cTest, HardwareMatchesRfc3720) {
  if (!HardwareAvailable()) GTEST_SKIP() << "no SSE4.2";
  CheckVectors(ExtendHardware);
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  std::string data;
  for (int i = 0; i < 100; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  uint32_t whole = Crc32c(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    uint32_t first = Crc32c(std::string_view(data).substr(0, split));
    EXPECT_EQ(Crc32cExtend(first, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32cTest, ImplementationsAgreeOnUnalignedInput) {
  std::string data(300, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) ^ (i >> 3));
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len : {0, 1, 7, 8, 9, 63, 200}) {
      const char* p = data.data() + start;
      EXPECT_EQ(ExtendPortable(5, p, len), Crc32cExtend(5, p, len)) << start << " " << len;
    }
  }
}

TEST(Crc32cTest, DetectsSingleBitFlips) {
  std::string data = "shoal peer frame payload";
  uint32_t crc = Crc32c(data);
  for (size_t i = 0; i < data.size() * 8; ++i) {
    std::string flipped = data;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    EXPECT_NE(Crc32c(flipped), crc) << i;
  }
}

}  // namespace
}  // namespace shoal

#include "raft/durable/wal_format.h"

#include <gtest/gtest.h>

namespace shoal::raft::durable {
namespace {

Entry E(uint64_t term, uint64_t index, std::string data, EntryType type = EntryType::kNormal) {
  return Entry{term, index, type, std::move(data)};
}

TEST(WalFormat, RecordsRoundTrip) {
  std::string buf;
  AppendEntryRecord(&buf, E(3, 7, "hello"));
  AppendEntryRecord(&buf, E(3, 8, "", EntryType::kConfChange));
  HardState hs;
  hs.term = 5;
  hs.vote = 2;
  hs.commit = 8;
  AppendHardStateRecord(&buf, hs);
  AppendSnapshotRecord(&buf, {9, 4, SnapshotKind::kInstalled});

  size_t off = 0;
  std::vector<WalRecord> got;
  while (off < buf.size()) {
    ParsedRecord p = ParseRecord(buf, off);
    ASSERT_EQ(p.outcome, ParsedRecord::kOk) << p.why;
    got.push_back(p.record);
    off += p.size;
  }
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].type, RecordType::kEntry);
  EXPECT_EQ(got[0].entry, E(3, 7, "hello"));
  EXPECT_EQ(got[1].entry, E(3, 8, "", EntryType::kConfChange));
  EXPECT_EQ(got[2].type, RecordType::kHardState);
  EXPECT_EQ(got[2].hard_state, hs);
  EXPECT_EQ(got[3].type, RecordType::kSnapshot);
  EXPECT_EQ(got[3].snapshot, (SnapshotMarker{9, 4, SnapshotKind::kInstalled}));
}

TEST(WalFormat, EveryTruncationIsIncompleteAndEveryBitFlipIsCaught) {
  std::string rec;
  AppendEntryRecord(&rec, E(2, 3, "some payload"));
  for (size_t n = 0; n < rec.size(); ++n) {
    ParsedRecord p = ParseRecord(std::string_view(rec).substr(0, n), 0);
    EXPECT_NE(p.outcome, ParsedRecord::kOk) << "prefix " << n;
    EXPECT_NE(p.outcome, ParsedRecord::kBadContent) << "prefix " << n << ": " << p.why;
  }
  for (size_t i = 0; i < rec.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = rec;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      ParsedRecord p = ParseRecord(bad, 0);
      EXPECT_NE(p.outcome, ParsedRecord::kOk) << "flip at byte " << i << " bit " << bit;
    }
  }
  // Zeroed space (a torn write that extended the file but not its data) is not a record.
  std::string zeros(64, '\0');
  EXPECT_EQ(ParseRecord(zeros, 0).outcome, ParsedRecord::kBadChecksum);
  EXPECT_FALSE(FindIntactRecord(zeros, 0).has_value());
}

TEST(WalFormat, UnknownTypeWithGoodChecksumIsBadContentNotTorn) {
  std::string rec;
  AppendHardStateRecord(&rec, HardState{});
  // Rewrite the type to 9 and fix the CRC, as a newer writer would.
  rec[8] = 9;
  uint32_t crc = MaskedCrc(std::string_view(rec).substr(4));
  for (int i = 0; i < 4; ++i) rec[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  ParsedRecord p = ParseRecord(rec, 0);
  EXPECT_EQ(p.outcome, ParsedRecord::kBadContent);
  EXPECT_NE(p.why.find("unknown record type 9"), std::string::npos) << p.why;
  EXPECT_EQ(FindIntactRecord(rec, 0), std::optional<size_t>(0));
}

TEST(WalFormat, FindIntactRecordSkipsGarbage) {
  std::string buf = "garbage!!";
  AppendEntryRecord(&buf, E(1, 1, "x"));
  EXPECT_EQ(FindIntactRecord(buf, 0), std::optional<size_t>(9));
  EXPECT_FALSE(FindIntactRecord(buf, 10).has_value());
}

TEST(WalFormat, SegmentHeader) {
  std::string h = EncodeSegmentHeader(7, 1234);
  ASSERT_EQ(h.size(), kSegmentHeaderSize);
  EXPECT_TRUE(SegmentHeaderIntact(h));
  auto d = DecodeSegmentHeader(h);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->seq, 7u);
  EXPECT_EQ(d->start_index, 1234u);
  EXPECT_EQ(d->version, kWalFormatVersion);
  for (size_t i = 0; i < h.size(); ++i) {
    std::string bad = h;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    EXPECT_FALSE(SegmentHeaderIntact(bad)) << i;
    EXPECT_FALSE(DecodeSegmentHeader(bad).ok()) << i;
  }
  EXPECT_FALSE(SegmentHeaderIntact(h.substr(0, 20)));
  // A newer version with a valid CRC is intact but refused, with a message saying why.
  std::string v2 = h.substr(0, 32);
  v2[8] = 2;
  uint32_t crc = MaskedCrc(v2);
  for (int i = 0; i < 4; ++i) v2.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  EXPECT_TRUE(SegmentHeaderIntact(v2));
  auto r = DecodeSegmentHeader(v2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("version 2"), std::string::npos) << r.status().message();
}

TEST(WalFormat, SnapshotFileRoundTripAndDamage) {
  Snapshot s;
  s.metadata.index = 42;
  s.metadata.term = 7;
  s.metadata.conf_state.voters = {1, 2, 3};
  s.data = std::string("state\0with nul", 14);
  std::string f = EncodeSnapshotFile(s);
  auto back = DecodeSnapshotFile(f);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, s);
  for (size_t i = 0; i < f.size(); ++i) {
    std::string bad = f;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(DecodeSnapshotFile(bad).ok()) << "flip at " << i;
  }
  for (size_t n = 0; n < f.size(); ++n) {
    EXPECT_FALSE(DecodeSnapshotFile(f.substr(0, n)).ok()) << "prefix " << n;
  }
}

TEST(WalFormat, FileNames) {
  EXPECT_EQ(SegmentFileName(26), "wal-000000000000001a.log");
  EXPECT_EQ(ParseSegmentFileName("wal-000000000000001a.log"), std::optional<uint64_t>(26));
  EXPECT_FALSE(ParseSegmentFileName("wal-000000000000001A.log").has_value());
  EXPECT_FALSE(ParseSegmentFileName("wal-1a.log").has_value());
  EXPECT_FALSE(ParseSegmentFileName("wal-000000000000001a.log.tmp").has_value());
  EXPECT_EQ(SnapshotFileName(255), "snap-00000000000000ff.snap");
  EXPECT_EQ(ParseSnapshotFileName("snap-00000000000000ff.snap"), std::optional<uint64_t>(255));
  EXPECT_FALSE(ParseSnapshotFileName("snap-00000000000000ff.snap.tmp").has_value());
}

}  // namespace
}  // namespace shoal::raft::durable

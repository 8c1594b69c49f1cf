#include "raft/storage.h"

#include <gtest/gtest.h>

#include "raft/errors.h"

namespace shoal::raft {
namespace {

// A storage holding a snapshot at 3/3 and entries 4/4, 5/5.
MemoryStorage Make() {
  MemoryStorage s;
  Snapshot snap;
  snap.metadata.index = 3;
  snap.metadata.term = 3;
  EXPECT_TRUE(s.ApplySnapshot(snap).ok());
  EXPECT_TRUE(s.Append({Entry{4, 4, {}, "a"}, Entry{5, 5, {}, "bb"}}).ok());
  return s;
}

TEST(MemoryStorage, IndicesAndTerms) {
  MemoryStorage s = Make();
  EXPECT_EQ(s.FirstIndex(), 4u);
  EXPECT_EQ(s.LastIndex(), 5u);
  EXPECT_TRUE(IsError(s.Term(2).status(), kErrCompacted));
  EXPECT_EQ(*s.Term(3), 3u);  // the snapshot's term stays readable
  EXPECT_EQ(*s.Term(5), 5u);
  EXPECT_TRUE(IsError(s.Term(6).status(), kErrUnavailable));
}

TEST(MemoryStorage, EntriesRespectBoundsAndSize) {
  MemoryStorage s = Make();
  EXPECT_TRUE(IsError(s.Entries(3, 5, kNoLimit).status(), kErrCompacted));
  EXPECT_TRUE(IsError(s.Entries(4, 7, kNoLimit).status(), kErrUnavailable));
  EXPECT_EQ(s.Entries(4, 6, kNoLimit)->size(), 2u);
  EXPECT_EQ(s.Entries(4, 6, 0)->size(), 1u);  // always at least one
  EXPECT_EQ(s.Entries(4, 6, 2)->size(), 1u);
  EXPECT_EQ(s.Entries(4, 6, 3)->size(), 2u);
}

TEST(MemoryStorage, AppendTruncatesConflictingSuffixAndIgnoresCompacted) {
  MemoryStorage s = Make();
  ASSERT_TRUE(s.Append({Entry{6, 5, {}, "x"}, Entry{6, 6, {}, "y"}}).ok());
  EXPECT_EQ(*s.Term(5), 6u);
  EXPECT_EQ(s.LastIndex(), 6u);
  ASSERT_TRUE(s.Append({Entry{3, 3, {}, ""}, Entry{4, 4, {}, "a"}}).ok());
  EXPECT_EQ(s.LastIndex(), 4u);
  EXPECT_FALSE(s.Append({Entry{7, 9, {}, ""}}).ok()) << "gap accepted";
}

TEST(MemoryStorage, CompactAndSnapshot) {
  MemoryStorage s = Make();
  ConfState cs;
  cs.voters = {1, 2};
  auto snap = s.CreateSnapshot(4, &cs, "data");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->metadata.term, 4u);
  EXPECT_TRUE(IsError(s.CreateSnapshot(4, &cs, "").status(), kErrSnapOutOfDate));
  ASSERT_TRUE(s.Compact(4).ok());
  EXPECT_EQ(s.FirstIndex(), 5u);
  EXPECT_TRUE(IsError(s.Compact(4), kErrCompacted));
  EXPECT_EQ(s.GetSnapshot()->data, "data");
  EXPECT_EQ(s.GetInitialState()->conf_state.voters, (std::vector<NodeId>{1, 2}));
  Snapshot old;
  old.metadata.index = 2;
  EXPECT_TRUE(IsError(s.ApplySnapshot(old), kErrSnapOutOfDate));
  s.set_snapshot_unavailable(true);
  EXPECT_TRUE(IsError(s.GetSnapshot().status(), kErrSnapshotTemporarilyUnavailable));
}

TEST(ConfChangeCodec, RoundTripsAndRejectsGarbage) {
  ConfChange cc;
  cc.type = ConfChangeType::kRemoveNode;
  cc.node_id = 0x0102030405060708ULL;
  cc.context = "ctx";
  auto back = DecodeConfChange(EncodeConfChange(cc));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, cc);
  EXPECT_FALSE(DecodeConfChange("short").ok());
  std::string bad = EncodeConfChange(cc);
  bad[0] = 9;  // unknown version
  EXPECT_FALSE(DecodeConfChange(bad).ok());
  bad = EncodeConfChange(cc);
  bad[4] = 7;  // unknown type
  EXPECT_FALSE(DecodeConfChange(bad).ok());
}

}  // namespace
}  // namespace shoal::raft

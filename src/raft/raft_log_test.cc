#include "raft/raft_log.h"

#include <gtest/gtest.h>

#include "raft/errors.h"
#include "raft/raft_test_util.h"

namespace shoal::raft {
namespace {

using testing::EntriesWithTerms;

std::vector<uint64_t> Terms(const RaftLog& log) {
  std::vector<uint64_t> out;
  for (const auto& e : log.AllEntries()) out.push_back(e.term);
  return out;
}

TEST(RaftLog, FindConflict) {
  MemoryStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(EntriesWithTerms({1, 2, 3}));
  auto ents = [](std::vector<std::pair<uint64_t, uint64_t>> v) {  // (index, term)
    std::vector<Entry> out;
    for (auto [i, t] : v) out.push_back(Entry{t, i, {}, {}});
    return out;
  };
  EXPECT_EQ(log.FindConflict({}), 0u);
  EXPECT_EQ(log.FindConflict(ents({{1, 1}, {2, 2}, {3, 3}})), 0u);
  EXPECT_EQ(log.FindConflict(ents({{2, 2}, {3, 3}, {4, 4}})), 4u);  // new entries
  EXPECT_EQ(log.FindConflict(ents({{1, 1}, {2, 4}})), 2u);          // conflict
  EXPECT_EQ(log.FindConflict(ents({{3, 4}, {4, 4}})), 3u);
}

TEST(RaftLog, MaybeAppendMatchesTruncatesAndCommits) {
  MemoryStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(EntriesWithTerms({1, 2, 3}));
  EXPECT_FALSE(log.MaybeAppend(3, 2, 3, {}).has_value()) << "term mismatch accepted";
  EXPECT_FALSE(log.MaybeAppend(4, 3, 3, {}).has_value()) << "missing index accepted";
  auto last = log.MaybeAppend(3, 3, 2, {Entry{4, 4, {}, {}}});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, 4u);
  EXPECT_EQ(log.committed(), 2u);
  last = log.MaybeAppend(2, 2, 10, {Entry{5, 3, {}, {}}});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(Terms(log), (std::vector<uint64_t>{1, 2, 5}));
  EXPECT_EQ(log.committed(), 3u) << "commit is bounded by the last new index";
}

TEST(RaftLogDeathTest, RefusesToTruncateCommittedEntries) {
  MemoryStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(EntriesWithTerms({1, 2, 3}));
  log.CommitTo(3);
  EXPECT_DEATH(log.MaybeAppend(1, 1, 3, {Entry{9, 2, {}, {}}}), "conflicts with committed");
}

TEST(RaftLog, FindConflictByTerm) {
  MemoryStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(EntriesWithTerms({1, 3, 3, 3, 5, 5, 5, 5, 5}));
  EXPECT_EQ(log.FindConflictByTerm(9, 2), (std::pair<uint64_t, uint64_t>{1, 1}));
  EXPECT_EQ(log.FindConflictByTerm(9, 4), (std::pair<uint64_t, uint64_t>{4, 3}));
  EXPECT_EQ(log.FindConflictByTerm(9, 5), (std::pair<uint64_t, uint64_t>{9, 5}));
  EXPECT_EQ(log.FindConflictByTerm(3, 0), (std::pair<uint64_t, uint64_t>{0, 0}));
}

TEST(RaftLog, UpToDateComparesTermThenIndex) {
  MemoryStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(EntriesWithTerms({1, 2, 2}));
  EXPECT_TRUE(log.IsUpToDate(3, 2));
  EXPECT_TRUE(log.IsUpToDate(1, 3));
  EXPECT_FALSE(log.IsUpToDate(2, 2));
  EXPECT_FALSE(log.IsUpToDate(10, 1));
}

TEST(RaftLog, StableUnstableSplitAndCommittedEntries) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append(EntriesWithTerms({1, 1})).ok());
  RaftLog log(&s, kNoLimit);
  std::vector<Entry> more = {Entry{2, 3, {}, "x"}, Entry{2, 4, {}, "y"}};
  log.Append(more);
  EXPECT_EQ(log.UnstableEntries().size(), 2u);
  EXPECT_EQ(log.StableLastIndex(), 2u);
  EXPECT_EQ(log.Slice(1, 5, kNoLimit)->size(), 4u);
  log.CommitTo(3);
  auto committed = log.NextCommittedEntries();
  ASSERT_EQ(committed.size(), 3u);
  EXPECT_EQ(committed.back().index, 3u);
  log.StableTo(4, 1);  // wrong term: ignored
  EXPECT_EQ(log.UnstableEntries().size(), 2u);
  ASSERT_TRUE(s.Append(log.UnstableEntries()).ok());
  log.StableTo(4, 2);
  EXPECT_TRUE(log.UnstableEntries().empty());
  log.AppliedTo(3);
  EXPECT_FALSE(log.HasNextCommittedEntries());
  EXPECT_EQ(log.MaybeCommit(4, 1), false) << "committed an entry of another term";
  EXPECT_EQ(log.MaybeCommit(4, 2), true);
}

TEST(RaftLog, SliceOfCompactedRangeFails) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append(EntriesWithTerms({1, 1, 1, 1})).ok());
  ASSERT_TRUE(s.Compact(2).ok());
  RaftLog log(&s, kNoLimit);
  EXPECT_EQ(log.FirstIndex(), 3u);
  EXPECT_TRUE(IsError(log.Slice(2, 4, kNoLimit).status(), kErrCompacted));
  EXPECT_TRUE(IsError(log.Term(1).status(), kErrCompacted));
  EXPECT_EQ(*log.Term(2), 1u);
}

TEST(RaftLog, RestoreFromSnapshot) {
  MemoryStorage s;
  RaftLog log(&s, kNoLimit);
  log.Append(EntriesWithTerms({1, 1}));
  Snapshot snap;
  snap.metadata.index = 10;
  snap.metadata.term = 3;
  log.Restore(snap);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_EQ(log.FirstIndex(), 11u);
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(log.LastTerm(), 3u);
  EXPECT_FALSE(log.HasNextCommittedEntries()) << "must apply the snapshot first";
}

}  // namespace
}  // namespace shoal::raft

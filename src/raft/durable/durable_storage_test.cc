#include "raft/durable/durable_storage.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "io/fault_injection_env.h"
#include "raft/errors.h"
#include "raft/rand.h"

namespace shoal::raft::durable {
namespace {

constexpr const char* kDir = "/raft";

Entry E(uint64_t term, uint64_t index, std::string data = "") {
  if (data.empty()) data = fmt::format("e{}.{}", term, index);
  return Entry{term, index, EntryType::kNormal, std::move(data)};
}

std::vector<Entry> Range(uint64_t term, uint64_t lo, uint64_t hi) {
  std::vector<Entry> out;
  for (uint64_t i = lo; i <= hi; ++i) out.push_back(E(term, i));
  return out;
}

HardState HS(uint64_t term, uint64_t vote, uint64_t commit) {
  HardState hs;
  hs.term = term;
  hs.vote = vote;
  hs.commit = commit;
  return hs;
}

std::unique_ptr<DurableStorage> MustOpen(Env* env, DurableOptions o = {}) {
  auto s = DurableStorage::Open(env, kDir, o);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return nullptr;
  return std::move(s).value();
}

// What a storage holds, comparable across DurableStorage and MemoryStorage.
struct State {
  uint64_t snap_index = 0;
  uint64_t snap_term = 0;
  std::string snap_data;
  uint64_t first = 0;
  uint64_t last = 0;
  std::vector<Entry> entries;  // [first, last]
  HardState hs;

  std::string Describe() const {
    return fmt::format("snap {}/{} log [{}, {}] hs term {} vote {} commit {}", snap_index,
                       snap_term, first, last, hs.term, hs.vote, hs.commit);
  }
};

State Capture(const Storage& s, const HardState& hs) {
  State st;
  auto snap = s.GetSnapshot();
  EXPECT_TRUE(snap.ok());
  st.snap_index = snap->metadata.index;
  st.snap_term = snap->metadata.term;
  st.snap_data = snap->data;
  st.first = s.FirstIndex();
  st.last = s.LastIndex();
  if (st.last >= st.first) st.entries = *s.Entries(st.first, st.last + 1, kNoLimit);
  st.hs = hs;
  return st;
}

// True when a recovered state is the reference state. The recovered log may start later (a
// storage compacted below its snapshot restarts at the snapshot) and its commit is raised to
// the snapshot.
bool Same(const State& rec, const State& ref, std::string* why) {
  auto fail = [&](std::string w) {
    *why = w + "\n  recovered: " + rec.Describe() + "\n  reference: " + ref.Describe();
    return false;
  };
  if (rec.snap_index != ref.snap_index || rec.snap_term != ref.snap_term) return fail("snapshot");
  if (rec.snap_data != ref.snap_data) return fail("snapshot data");
  if (rec.last != ref.last) return fail("last index");
  if (rec.hs.term != ref.hs.term || rec.hs.vote != ref.hs.vote) return fail("term/vote");
  if (rec.hs.commit != std::max(ref.hs.commit, ref.snap_index)) return fail("commit");
  uint64_t from = std::max(rec.first, ref.first);
  for (uint64_t i = from; i <= rec.last; ++i) {
    if (rec.entries[i - rec.first] != ref.entries[i - ref.first]) {
      return fail(fmt::format("entry {}", i));
    }
  }
  return true;
}

// Drives a DurableStorage and, beside it, a MemoryStorage reference that records its state
// after every WAL record, so a crash can be checked against "some state at or after the last
// sync".
class Harness {
 public:
  Harness(FaultInjectionEnv* env, DurableOptions o) : env_(env), options_(o) {
    storage_ = MustOpen(env, o);
    Record();
    synced_ = 0;
  }

  DurableStorage& storage() { return *storage_; }
  MemoryStorage& ref() { return ref_; }
  const std::vector<State>& states() const { return states_; }
  size_t synced() const { return synced_; }

  // An explicit Sync makes everything saved so far durable.
  void Sync() {
    ASSERT_TRUE(storage_->Sync().ok());
    synced_ = states_.size() - 1;
  }

  void Save(std::optional<Snapshot> snap, std::vector<Entry> entries, std::optional<HardState> hs,
            bool must_sync) {
    uint64_t seq_before = storage_->segments().back().seq;
    size_t before = states_.size() - 1;
    ASSERT_TRUE(storage_->Save(snap, entries, hs, must_sync).ok());
    if (storage_->segments().back().seq != seq_before) synced_ = before;  // rotation synced
    if (snap) {
      ASSERT_TRUE(ref_.ApplySnapshot(*snap).ok());
      Record();
    }
    for (const Entry& e : entries) {
      if (e.index < ref_.FirstIndex()) continue;
      ASSERT_TRUE(ref_.Append({e}).ok());
      Record();
    }
    if (hs) {
      ref_.SetHardState(*hs);
      Record();
    }
    if (snap || (must_sync && options_.sync == DurableOptions::Sync::kAlways)) {
      synced_ = states_.size() - 1;
    }
  }

  void CreateSnapshot(uint64_t i, std::string data, bool compact) {
    uint64_t seq_before = storage_->segments().back().seq;
    size_t before = states_.size() - 1;
    auto s = storage_->CreateSnapshot(i, nullptr, data);
    ASSERT_TRUE(s.ok()) << s.status().message();
    if (storage_->segments().back().seq != seq_before) synced_ = before;
    ASSERT_TRUE(ref_.CreateSnapshot(i, nullptr, data).ok());
    Record();
    synced_ = states_.size() - 1;
    if (compact) {
      ASSERT_TRUE(storage_->Compact(i).ok());
      ASSERT_TRUE(ref_.Compact(i).ok());
      states_.back() = Capture(ref_, ref_.hard_state());
    }
  }

  // Crashes, reopens and checks the recovered state against the states at or after the last
  // sync. Returns the index of the matching state; the reference continues from it.
  size_t CrashAndCheck(const FaultInjectionEnv::TornTailPolicy& policy) {
    storage_.reset();
    env_->Crash(policy);
    storage_ = MustOpen(env_, options_);
    if (!storage_) return SIZE_MAX;
    State rec = Capture(*storage_, storage_->hard_state());
    std::string why, first_why;
    for (size_t k = states_.size(); k-- > synced_;) {
      if (Same(rec, states_[k], &why)) {
        Rebase(rec);
        return k;
      }
      if (first_why.empty()) first_why = why;
    }
    ADD_FAILURE() << "recovered state matches no state since the last sync (" << synced_ << " of "
                  << states_.size() << "); against the last: " << first_why;
    return SIZE_MAX;
  }

 private:
  void Record() { states_.push_back(Capture(ref_, ref_.hard_state())); }

  void Rebase(const State& rec) {
    ref_ = MemoryStorage();
    if (rec.snap_index > 0) {
      Snapshot s = *storage_->GetSnapshot();
      ASSERT_TRUE(ref_.ApplySnapshot(s).ok());
    } else {
      ref_.SetInitialConfState(storage_->GetInitialState()->conf_state);
    }
    ASSERT_TRUE(ref_.Append(rec.entries).ok());
    ref_.SetHardState(rec.hs);
    states_.clear();
    Record();
    synced_ = 0;
  }

  FaultInjectionEnv* env_;
  DurableOptions options_;
  std::unique_ptr<DurableStorage> storage_;
  MemoryStorage ref_;
  std::vector<State> states_;
  size_t synced_ = 0;
};

FaultInjectionEnv::TornTailPolicy Keep(uint64_t n, bool zeroed = false) {
  return [n, zeroed](const std::string&, uint64_t) {
    return FaultInjectionEnv::TornTail{n, zeroed};
  };
}

std::string ActiveSegmentPath(DurableStorage& s) {
  return JoinPath(kDir, SegmentFileName(s.segments().back().seq));
}

TEST(DurableStorage, FreshOpenIsEmpty) {
  FaultInjectionEnv env;
  auto s = MustOpen(&env);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->FirstIndex(), 1u);
  EXPECT_EQ(s->LastIndex(), 0u);
  EXPECT_TRUE(s->hard_state().Empty());
  EXPECT_EQ(*s->Term(0), 0u);
  EXPECT_TRUE(IsError(s->Entries(1, 2, kNoLimit).status(), kErrUnavailable));
}

TEST(DurableStorage, RoundTripWithOverwriteAndBootstrap) {
  FaultInjectionEnv env;
  {
    auto s = MustOpen(&env);
    ConfState cs;
    cs.voters = {1, 2, 3};
    ASSERT_TRUE(s->Bootstrap(cs).ok());
    EXPECT_FALSE(s->Bootstrap(cs).ok()) << "bootstrap twice";
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 10), HS(1, 1, 4), true).ok());
    // A new leader overwrites the uncommitted suffix from 6 on.
    ASSERT_TRUE(s->Save(std::nullopt, Range(2, 6, 8), HS(2, 3, 7), true).ok());
    EXPECT_EQ(s->LastIndex(), 8u);
  }
  env.Crash();
  auto s = MustOpen(&env);
  EXPECT_EQ(s->LastIndex(), 8u);
  EXPECT_EQ(*s->Term(5), 1u);
  EXPECT_EQ(*s->Term(6), 2u);
  EXPECT_EQ((*s->Entries(7, 8, kNoLimit))[0], E(2, 7));
  EXPECT_EQ(s->hard_state(), HS(2, 3, 7));
  EXPECT_EQ(s->GetInitialState()->conf_state.voters, (std::vector<NodeId>{1, 2, 3}));
  // Appending after recovery continues the same segment.
  ASSERT_TRUE(s->Save(std::nullopt, Range(2, 9, 9), std::nullopt, true).ok());
  s.reset();
  env.Crash();
  EXPECT_EQ(MustOpen(&env)->LastIndex(), 9u);
}

TEST(DurableStorage, RejectsGapsAndOldSnapshotsWithoutFailing) {
  FaultInjectionEnv env;
  auto s = MustOpen(&env);
  ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 3), std::nullopt, true).ok());
  EXPECT_FALSE(s->Save(std::nullopt, Range(1, 5, 6), std::nullopt, true).ok());
  std::vector<Entry> holes = {E(1, 4), E(1, 6)};
  EXPECT_FALSE(s->Save(std::nullopt, holes, std::nullopt, true).ok());
  EXPECT_TRUE(s->failed().ok()) << "a refused request must not fail the storage";
  ASSERT_TRUE(s->CreateSnapshot(2, nullptr, "s2").ok());
  Snapshot old;
  old.metadata.index = 2;
  old.metadata.term = 1;
  EXPECT_TRUE(IsError(s->Save(old, {}, std::nullopt, true), kErrSnapOutOfDate));
  EXPECT_FALSE(s->Compact(3).ok()) << "compaction beyond the snapshot";
  EXPECT_TRUE(s->Save(std::nullopt, Range(1, 4, 4), std::nullopt, true).ok());
}

// Writes a synced prefix, then unsynced records (appends, an overwrite, hard states); crashes
// keeping every possible number of the unsynced bytes, plain or zeroed. The recovered state
// must be the state after some whole record at or after the sync, and more bytes kept must
// never mean an earlier state.
TEST(DurableStorage, CrashAtEveryByteOfTheUnsyncedTail) {
  auto scenario = [](FaultInjectionEnv* env) {
    DurableOptions o;
    o.sync = DurableOptions::Sync::kNever;
    auto h = std::make_unique<Harness>(env, o);
    h->Save(std::nullopt, Range(1, 1, 3), HS(1, 1, 0), true);
    h->Sync();
    return h;
  };
  auto unsynced = [](Harness* h) {
    h->Save(std::nullopt, Range(1, 4, 6), HS(1, 1, 3), true);
    h->Save(std::nullopt, {E(2, 5, "over5"), E(2, 6, std::string(40, 'x'))}, HS(2, 2, 4), true);
    h->Save(std::nullopt, Range(2, 7, 8), std::nullopt, true);
    h->Save(std::nullopt, {}, HS(2, 2, 8), false);
  };
  uint64_t tail = 0;
  {
    FaultInjectionEnv env;
    auto h = scenario(&env);
    uint64_t base = env.UnsyncedBytes(ActiveSegmentPath(h->storage()));
    EXPECT_EQ(base, 0u);
    unsynced(h.get());
    tail = env.UnsyncedBytes(ActiveSegmentPath(h->storage()));
    ASSERT_GT(tail, 100u);
  }
  for (bool zeroed : {false, true}) {
    size_t prev = 0;
    for (uint64_t keep = 0; keep <= tail; ++keep) {
      SCOPED_TRACE(
          fmt::format("keep {} of {} unsynced bytes{}", keep, tail, zeroed ? " (zeroed)" : ""));
      FaultInjectionEnv env;
      auto h = scenario(&env);
      unsynced(h.get());
      size_t total = h->states().size();
      size_t synced = h->synced();
      size_t k = h->CrashAndCheck(Keep(keep, zeroed));
      ASSERT_NE(k, SIZE_MAX);
      if (zeroed) {
        EXPECT_EQ(k, synced) << "zeros must all be dropped";
      } else {
        EXPECT_GE(k, prev);
        prev = k;
        if (keep == tail) {
          EXPECT_EQ(k, total - 1) << "everything kept, everything recovered";
        }
      }
      // The repaired storage keeps working and survives another crash.
      h->Save(std::nullopt, {E(9, h->storage().LastIndex() + 1)}, HS(9, 1, 0), true);
      ASSERT_TRUE(h->storage().Sync().ok());
      EXPECT_NE(h->CrashAndCheck(Keep(0)), SIZE_MAX);
    }
  }
}

TEST(DurableStorage, SyncPolicy) {
  for (auto policy : {DurableOptions::Sync::kAlways, DurableOptions::Sync::kNever}) {
    FaultInjectionEnv env;
    DurableOptions o;
    o.sync = policy;
    auto s = MustOpen(&env, o);
    const uint64_t syncs_before = s->wal_syncs();
    // Only the commit moved: never synced.
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 2), HS(1, 1, 0), true).ok());
    ASSERT_TRUE(s->Save(std::nullopt, {}, HS(1, 1, 2), false).ok());
    const uint64_t save_syncs = s->wal_syncs() - syncs_before;
    s.reset();
    env.Crash();
    s = MustOpen(&env, o);
    if (policy == DurableOptions::Sync::kAlways) {
      EXPECT_EQ(s->LastIndex(), 2u);
      EXPECT_EQ(s->hard_state(), HS(1, 1, 0)) << "the commit-only Ready was not synced";
    } else {
      EXPECT_EQ(s->LastIndex(), 0u) << "kNever must not have synced";
      EXPECT_EQ(save_syncs, 0u);
    }
  }
}

TEST(DurableStorage, SaveReadyInOrderAndSyncsWhenTold) {
  FaultInjectionEnv env;
  auto s = MustOpen(&env);
  Ready rd;
  rd.entries = Range(1, 1, 2);
  rd.hard_state = HS(1, 1, 1);
  rd.must_sync = true;
  ASSERT_TRUE(s->Save(rd).ok());
  EXPECT_EQ(env.UnsyncedBytes(ActiveSegmentPath(*s)), 0u);
  rd.entries.clear();
  rd.hard_state = HS(1, 1, 2);
  rd.must_sync = false;
  ASSERT_TRUE(s->Save(rd).ok());
  EXPECT_GT(env.UnsyncedBytes(ActiveSegmentPath(*s)), 0u);
}

TEST(DurableStorage, AFailedWriteFailsTheStorageForGood) {
  FaultInjectionEnv env;
  auto s = MustOpen(&env);
  ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 2), HS(1, 1, 0), true).ok());
  env.set_fail_writes(true);
  Status st = s->Save(std::nullopt, Range(1, 3, 3), std::nullopt, true);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("injected"), std::string::npos) << st.message();
  env.set_fail_writes(false);
  EXPECT_FALSE(s->Save(std::nullopt, Range(1, 3, 3), std::nullopt, true).ok());
  EXPECT_FALSE(s->Sync().ok());
  EXPECT_FALSE(s->CreateSnapshot(1, nullptr, "").ok());
  EXPECT_FALSE(s->failed().ok());
  s.reset();
  env.Crash();
  EXPECT_EQ(MustOpen(&env)->LastIndex(), 2u);
}

// Damage: flipping a bit of the last record is indistinguishable from a torn write (the record
// is dropped); a flip anywhere before it stops recovery with a message naming file and offset.
TEST(DurableStorage, BitFlipInTheTailDropsOnlyTheLastRecord) {
  FaultInjectionEnv env;
  std::string path;
  uint64_t size = 0;
  {
    auto s = MustOpen(&env);
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 5), HS(1, 1, 3), true).ok());
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 6, 6), std::nullopt, true).ok());
    path = ActiveSegmentPath(*s);
    size = *env.FileSize(path);
  }
  ASSERT_TRUE(env.CorruptByte(path, size - 3, 0x40).ok());  // inside entry 6's data
  auto s = MustOpen(&env);
  EXPECT_EQ(s->LastIndex(), 5u);
  EXPECT_EQ(s->hard_state(), HS(1, 1, 3));
  EXPECT_GT(s->recovery_info().truncated_bytes, 0u);
  EXPECT_LT(*env.FileSize(path), size) << "the torn tail must be truncated on disk";
}

TEST(DurableStorage, BitFlipInTheMiddleStopsRecovery) {
  for (uint64_t victim : {40u, 70u, 100u}) {  // offsets inside records 1..3 of the segment
    FaultInjectionEnv env;
    std::string path;
    {
      auto s = MustOpen(&env);
      ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 5), HS(1, 1, 3), true).ok());
      path = ActiveSegmentPath(*s);
    }
    ASSERT_TRUE(env.CorruptByte(path, victim, 0x01).ok());
    auto r = DurableStorage::Open(&env, kDir, {});
    ASSERT_FALSE(r.ok()) << "opened despite a corrupt record at " << victim;
    const std::string& m = r.status().message();
    EXPECT_NE(m.find("corrupt WAL record"), std::string::npos) << m;
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("intact data follows"), std::string::npos) << m;
    // The operator may accept the loss.
    DurableOptions repair;
    repair.repair_corrupt_tail = true;
    auto s = MustOpen(&env, repair);
    ASSERT_TRUE(s);
    EXPECT_LT(s->LastIndex(), 5u);
    s.reset();
    EXPECT_TRUE(DurableStorage::Open(&env, kDir, {}).ok()) << "repaired for good";
  }
}

TEST(DurableStorage, DamageInAnOlderSegmentOrSnapshotStopsRecovery) {
  DurableOptions o;
  o.segment_bytes = 200;
  {
    FaultInjectionEnv env;
    {
      auto s = MustOpen(&env, o);
      for (uint64_t i = 1; i <= 30; ++i) {
        ASSERT_TRUE(s->Save(std::nullopt, Range(1, i, i), HS(1, 1, i - 1), true).ok());
      }
      ASSERT_GE(s->segments().size(), 3u);
    }
    // The last byte of segment 1 (its final record): not the last segment, so not torn.
    std::string first = JoinPath(kDir, SegmentFileName(1));
    ASSERT_TRUE(env.CorruptByte(first, *env.FileSize(first) - 1, 0x01).ok());
    auto r = DurableStorage::Open(&env, kDir, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("not in the last segment"), std::string::npos)
        << r.status().message();
  }
  {
    FaultInjectionEnv env;
    {
      auto s = MustOpen(&env, o);
      ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 5), HS(1, 1, 5), true).ok());
      ASSERT_TRUE(s->CreateSnapshot(4, nullptr, "state").ok());
    }
    ASSERT_TRUE(env.CorruptByte(JoinPath(kDir, SnapshotFileName(4)), 20, 0x02).ok());
    auto r = DurableStorage::Open(&env, kDir, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("snapshot file"), std::string::npos)
        << r.status().message();
  }
}

TEST(DurableStorage, RotationKeepsEverythingAcrossSegments) {
  FaultInjectionEnv env;
  DurableOptions o;
  o.segment_bytes = 256;
  {
    auto s = MustOpen(&env, o);
    for (uint64_t i = 1; i <= 50; ++i) {
      ASSERT_TRUE(
          s->Save(std::nullopt, Range(1 + i / 20, i, i), HS(1 + i / 20, 1, i - 1), true).ok());
    }
    // An overwrite that reaches back into an older segment.
    ASSERT_TRUE(s->Save(std::nullopt, Range(7, 45, 47), HS(7, 2, 44), true).ok());
    EXPECT_GE(s->segments().size(), 5u);
    for (size_t i = 1; i < s->segments().size(); ++i) {
      EXPECT_EQ(s->segments()[i].seq, s->segments()[i - 1].seq + 1);
    }
  }
  env.Crash();
  auto s = MustOpen(&env, o);
  EXPECT_EQ(s->LastIndex(), 47u);
  EXPECT_EQ(*s->Term(44), 3u);
  EXPECT_EQ(*s->Term(45), 7u);
  EXPECT_EQ(s->hard_state(), HS(7, 2, 44));
  EXPECT_GE(s->recovery_info().segments, 5);
}

TEST(DurableStorage, CompactionRemovesOldSegmentsAndSnapshots) {
  FaultInjectionEnv env;
  DurableOptions o;
  o.segment_bytes = 256;
  size_t segments_before = 0;
  {
    auto s = MustOpen(&env, o);
    ConfState cs;
    cs.voters = {1};
    ASSERT_TRUE(s->Bootstrap(cs).ok());
    for (uint64_t i = 1; i <= 60; ++i) {
      ASSERT_TRUE(s->Save(std::nullopt, Range(2, i, i), HS(2, 1, i), true).ok());
    }
    segments_before = s->segments().size();
    ASSERT_TRUE(s->CreateSnapshot(30, nullptr, "upto30").ok());
    ASSERT_TRUE(s->Compact(30).ok());
    ASSERT_TRUE(s->CreateSnapshot(55, nullptr, "upto55").ok());
    ASSERT_TRUE(s->Compact(55).ok());
    EXPECT_LT(s->segments().size(), segments_before);
    EXPECT_EQ(s->FirstIndex(), 56u);
  }
  env.Crash();
  auto names = *env.ListDir(kDir);
  size_t snaps = 0, segs = 0;
  for (const auto& n : names) {
    snaps += ParseSnapshotFileName(n).has_value();
    segs += ParseSegmentFileName(n).has_value();
  }
  EXPECT_EQ(snaps, 1u) << "older snapshots (and the bootstrap one) are removed";
  EXPECT_LT(segs, segments_before);
  auto s = MustOpen(&env, o);
  EXPECT_EQ(s->FirstIndex(), 56u);
  EXPECT_EQ(s->LastIndex(), 60u);
  EXPECT_EQ(*s->Term(55), 2u);
  EXPECT_EQ(s->GetSnapshot()->data, "upto55");
  EXPECT_EQ(s->GetSnapshot()->metadata.conf_state.voters, (std::vector<NodeId>{1}));
  EXPECT_EQ(s->hard_state().commit, 60u);
}

TEST(DurableStorage, InstalledSnapshotReplacesTheLog) {
  FaultInjectionEnv env;
  {
    auto s = MustOpen(&env);
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 10), HS(1, 1, 3), true).ok());
    Snapshot snap;
    snap.metadata.index = 20;
    snap.metadata.term = 3;
    snap.metadata.conf_state.voters = {1, 2, 3};
    snap.data = "leader state";
    ASSERT_TRUE(s->Save(snap, Range(3, 21, 22), HS(3, 0, 20), false).ok());
    EXPECT_EQ(s->FirstIndex(), 21u);
    EXPECT_EQ(s->LastIndex(), 22u);
  }
  env.Crash();
  auto s = MustOpen(&env);
  EXPECT_EQ(s->FirstIndex(), 21u);
  EXPECT_EQ(s->LastIndex(), 22u);
  EXPECT_EQ(*s->Term(20), 3u);
  EXPECT_EQ(s->GetSnapshot()->data, "leader state");
  EXPECT_EQ(s->hard_state(), HS(3, 0, 20));
}

// A snapshot below the follower's last index, whose term does not match there, replaces the
// whole log: the entries above it written before its marker must not come back at replay.
TEST(DurableStorage, InstalledSnapshotDropsTheConflictingSuffix) {
  FaultInjectionEnv env;
  {
    auto s = MustOpen(&env);
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 30), HS(1, 1, 3), true).ok());
    Snapshot snap;
    snap.metadata.index = 20;
    snap.metadata.term = 5;
    snap.metadata.conf_state.voters = {1, 2, 3};
    ASSERT_TRUE(s->Save(snap, {}, HS(5, 0, 20), true).ok());
    EXPECT_EQ(s->LastIndex(), 20u);
  }
  env.Crash();
  auto s = MustOpen(&env);
  EXPECT_EQ(s->FirstIndex(), 21u);
  EXPECT_EQ(s->LastIndex(), 20u);
  EXPECT_EQ(*s->Term(20), 5u);
  EXPECT_EQ(s->hard_state(), HS(5, 0, 20));
}

// An installed snapshot whose file is on disk but whose WAL marker is not (a crash between
// the two) does not count: the node restarts with its old log, not a mix of both.
TEST(DurableStorage, SnapshotFileWithoutMarkerIsIgnored) {
  FaultInjectionEnv env;
  {
    auto s = MustOpen(&env);
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 30), HS(1, 1, 3), true).ok());
  }
  Snapshot snap;
  snap.metadata.index = 20;
  snap.metadata.term = 5;  // the old log has term 1 at 20: keeping 21..30 would be a mix
  ASSERT_TRUE(
      WriteFileAtomically(&env, JoinPath(kDir, SnapshotFileName(20)), EncodeSnapshotFile(snap))
          .ok());
  auto s = MustOpen(&env);
  EXPECT_EQ(s->GetSnapshot()->metadata.index, 0u);
  EXPECT_EQ(s->LastIndex(), 30u);
  EXPECT_EQ(*s->Term(25), 1u);
  EXPECT_FALSE(env.FileExists(JoinPath(kDir, SnapshotFileName(20)))) << "stale file removed";
}

TEST(DurableStorage, NewerFormatVersionIsRefusedWithAReason) {
  FaultInjectionEnv env;
  { MustOpen(&env); }
  std::string path = JoinPath(kDir, SegmentFileName(1));
  std::string data = *env.ReadFile(path);
  std::string header = data.substr(0, 32);
  header[8] = 2;  // version 2
  uint32_t crc = MaskedCrc(header);
  for (int i = 0; i < 4; ++i) header.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  ASSERT_TRUE(WriteFileAtomically(&env, path, header + data.substr(36)).ok());
  auto r = DurableStorage::Open(&env, kDir, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("version 2"), std::string::npos) << r.status().message();
}

TEST(DurableStorage, TornSegmentCreationIsRemoved) {
  FaultInjectionEnv env;
  DurableOptions o;
  o.segment_bytes = 100;
  {
    auto s = MustOpen(&env, o);
    ASSERT_TRUE(s->Save(std::nullopt, Range(1, 1, 5), HS(1, 1, 0), true).ok());
  }
  // A next segment whose header was only partly written.
  std::string next = EncodeSegmentHeader(2, 6).substr(0, 20);
  ASSERT_TRUE(WriteFileAtomically(&env, JoinPath(kDir, SegmentFileName(2)), next).ok());
  auto s = MustOpen(&env, o);
  EXPECT_EQ(s->LastIndex(), 5u);
  EXPECT_EQ(s->segments().back().seq, 1u);
  ASSERT_TRUE(s->Save(std::nullopt, Range(1, 6, 6), std::nullopt, true).ok());
  EXPECT_EQ(s->segments().back().seq, 2u) << "rotated into a fresh segment 2";
  s.reset();
  env.Crash();
  EXPECT_EQ(MustOpen(&env, o)->LastIndex(), 6u);
}

// Random operations (appends with overwrites, hard states, snapshots made and installed,
// compaction, rotation into small segments) with crashes that keep random torn tails. After
// every crash the recovered state must be a state the reference reached at or after the last
// sync.
TEST(DurableStorage, RandomCrashTorture) {
  int crashes = 0, rotations = 0, installs = 0, compactions = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    Rng rng(seed);
    FaultInjectionEnv env;
    DurableOptions o;
    o.segment_bytes = 300 + rng.Uniform(600);
    o.sync = rng.Chance(1, 4) ? DurableOptions::Sync::kNever : DurableOptions::Sync::kAlways;
    Harness h(&env, o);
    uint64_t term = 1;
    for (int step = 0; step < 150; ++step) {
      MemoryStorage& ref = h.ref();
      uint64_t last = ref.LastIndex();
      uint64_t commit = ref.hard_state().commit;
      uint64_t choice = rng.Uniform(100);
      uint64_t seq = h.storage().segments().back().seq;
      if (choice < 60) {
        // Append from somewhere in (commit, last + 1], possibly overwriting.
        uint64_t from = commit + 1 + rng.Uniform(last - commit + 1);
        if (rng.Chance(1, 3)) term++;
        std::vector<Entry> es;
        for (uint64_t i = from, n = 1 + rng.Uniform(4); n > 0; ++i, --n) {
          es.push_back(E(term, i, std::string(rng.Uniform(40), 'a' + static_cast<char>(i % 26))));
        }
        uint64_t new_last = es.back().index;
        HardState hs = HS(term, rng.Uniform(4), commit + rng.Uniform(new_last - commit + 1));
        h.Save(std::nullopt, es, hs, rng.Chance(2, 3));
      } else if (choice < 70) {
        if (commit > ref.GetSnapshot()->metadata.index) {
          uint64_t i = ref.GetSnapshot()->metadata.index + 1 +
                       rng.Uniform(commit - ref.GetSnapshot()->metadata.index);
          bool compact = rng.Chance(1, 2);
          compactions += compact;
          h.CreateSnapshot(i, fmt::format("state@{}", i), compact);
        }
      } else if (choice < 75) {
        Snapshot snap;
        snap.metadata.index = std::max(last, commit) + rng.Uniform(5) + 1;
        snap.metadata.term = ++term;
        snap.metadata.conf_state.voters = {1, 2, 3};
        snap.data = fmt::format("installed@{}", snap.metadata.index);
        h.Save(snap, {}, HS(term, 0, snap.metadata.index), true);
        installs++;
      } else if (choice < 85) {
        h.Save(std::nullopt, {}, HS(term, 1, commit + rng.Uniform(last - commit + 1)), false);
      } else {
        crashes++;
        bool torn = rng.Chance(2, 3);
        size_t k = h.CrashAndCheck(torn ? FaultInjectionEnv::RandomTornTails(rng.Next()) : Keep(0));
        ASSERT_NE(k, SIZE_MAX) << "step " << step;
        term = std::max(term, h.ref().hard_state().term);
        // Held in a local: a range-for over `*temporary` would read a destroyed Result.
        Result<std::vector<Entry>> entries =
            h.ref().Entries(h.ref().FirstIndex(), h.ref().LastIndex() + 1, kNoLimit);
        ASSERT_TRUE(entries.ok());
        for (const Entry& e : *entries) term = std::max(term, e.term);
        term = std::max(term, h.ref().GetSnapshot()->metadata.term);
      }
      if (h.storage().segments().back().seq != seq) rotations++;
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(crashes, 300);
  EXPECT_GT(rotations, 100);
  EXPECT_GT(installs, 100);
  EXPECT_GT(compactions, 50);
  std::printf("torture: %d crashes, %d rotations, %d installs, %d compactions\n", crashes,
              rotations, installs, compactions);
}

// The storage under a real RawNode: a one-node group elects itself, commits, crashes and
// comes back with its term, vote, log and commit.
TEST(DurableStorage, DrivesARawNodeAcrossRestarts) {
  FaultInjectionEnv env;
  // The commit index alone is not synced (as etcd): after a crash it may be behind the last
  // one saved, but never behind the last one saved with a sync.
  uint64_t term_before = 0, commit_before = 0, saved_commit = 0, synced_commit = 0;
  for (int incarnation = 0; incarnation < 3; ++incarnation) {
    auto s = MustOpen(&env);
    if (incarnation == 0) {
      ConfState cs;
      cs.voters = {1};
      ASSERT_TRUE(s->Bootstrap(cs).ok());
    } else {
      EXPECT_EQ(s->hard_state().term, term_before);
      EXPECT_LE(s->hard_state().commit, commit_before);
      EXPECT_GE(s->hard_state().commit, synced_commit);
    }
    Config c;
    c.id = 1;
    c.storage = s.get();
    c.election_tick = 10;
    c.heartbeat_tick = 1;
    auto node = RawNode::Create(c);
    ASSERT_TRUE(node.ok()) << node.status().message();
    RawNode& rn = **node;
    ASSERT_TRUE(rn.Campaign().ok());
    for (int round = 0; round < 20; ++round) {
      if (round > 2) (void)rn.Propose(fmt::format("v{}.{}", incarnation, round));
      while (rn.HasReady()) {
        Ready rd = rn.GetReady();
        ASSERT_TRUE(s->Save(rd).ok());
        if (rd.hard_state) saved_commit = rd.hard_state->commit;
        if (rd.must_sync) synced_commit = saved_commit;  // this sync covers earlier commits too
        rn.Advance();
      }
    }
    EXPECT_EQ(rn.raft().role(), StateRole::kLeader);
    term_before = s->hard_state().term;
    commit_before = s->hard_state().commit;
    EXPECT_GT(commit_before, static_cast<uint64_t>(incarnation) * 10);
    node->reset();
    s.reset();
    env.Crash();
  }
}

}  // namespace
}  // namespace shoal::raft::durable

#include "core/dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/hash.h"

namespace shoal {
namespace {

std::string KeyOf(int i) { return "key:" + std::to_string(i); }

Entry* Make(int i) { return Entry::Create(KeyOf(i), "value-" + std::to_string(i * 7)); }

void FillDict(Dict& d, int n) {
  for (int i = 0; i < n; i++) d.Insert(Make(i));
}

TEST(Dict, EmptyDict) {
  Dict d;
  std::mt19937_64 rng(1);
  EXPECT_EQ(d.size(), 0u);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.Find("x"), nullptr);
  d.PrefetchBucket(TableHash("x"));  // hints on a Dict without buckets: no access
  d.PrefetchChain(TableHash("x"));
  EXPECT_EQ(d.FindLink("x"), nullptr);
  EXPECT_EQ(d.Unlink("x"), nullptr);
  EXPECT_EQ(d.Random(rng), nullptr);
  Entry* out[4];
  EXPECT_EQ(d.Sample(rng, out, 4), 0u);
  EXPECT_EQ(d.Scan(0, [](Entry*) { ADD_FAILURE(); }), 0u);
  EXPECT_EQ(d.BucketBytes(), 0u);
  d.RehashStep(100);
  EXPECT_TRUE(d.CheckInvariants());
}

TEST(Dict, InsertFindUnlink100k) {
  constexpr int kN = 100000;
  Dict d;
  for (int i = 0; i < kN; i++) {
    d.Insert(Make(i));
    ASSERT_EQ(d.size(), static_cast<size_t>(i + 1));
    if (i % 9973 == 0) {
      ASSERT_TRUE(d.CheckInvariants()) << i;
    }
  }
  EXPECT_TRUE(d.CheckInvariants());
  EXPECT_GE(d.bucket_count(), static_cast<size_t>(kN));  // load factor <= 1 (+ rehash)
  for (int i = 0; i < kN; i++) {
    Entry* e = d.Find(KeyOf(i));
    ASSERT_NE(e, nullptr) << i;
    ASSERT_EQ(e->key(), KeyOf(i));
    ASSERT_EQ(e->raw_value(), "value-" + std::to_string(i * 7));
  }
  EXPECT_EQ(d.Find("key:-1"), nullptr);
  EXPECT_EQ(d.Find(std::to_string(kN)), nullptr);
  EXPECT_EQ(d.Unlink("missing"), nullptr);

  // Remove the odd keys.
  for (int i = 1; i < kN; i += 2) {
    Entry* e = d.Unlink(KeyOf(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->key(), KeyOf(i));
    EXPECT_EQ(e->next, nullptr);
    Entry::Destroy(e);
  }
  EXPECT_EQ(d.size(), static_cast<size_t>(kN / 2));
  EXPECT_TRUE(d.CheckInvariants());
  for (int i = 0; i < kN; i++) {
    ASSERT_EQ(d.Find(KeyOf(i)) != nullptr, i % 2 == 0) << i;
  }
  // Remove everything: the table shrinks back to the minimum (a shrink that finishes checks
  // whether another is due).
  for (int i = 0; i < kN; i += 2) Entry::Destroy(d.Unlink(KeyOf(i)));
  EXPECT_EQ(d.size(), 0u);
  for (int i = 0; i < 100 && d.rehashing(); i++) d.RehashStep(1000000);
  EXPECT_TRUE(d.CheckInvariants());
  EXPECT_LE(d.bucket_count(), 2 * Dict::kMinBuckets);
}

TEST(Dict, GrowsAtLoadOneAndShrinksBelowOneEighth) {
  Dict d;
  FillDict(d, 4);
  EXPECT_EQ(d.bucket_count(), 4u);
  EXPECT_FALSE(d.rehashing());
  d.Insert(Make(4));  // size 4 >= 4 buckets: grow to 8 (the old table is moved in steps)
  EXPECT_TRUE(d.rehashing());
  d.RehashStep(100);
  EXPECT_FALSE(d.rehashing());
  EXPECT_EQ(d.bucket_count(), 8u);
  for (int i = 5; i < 64; i++) d.Insert(Make(i));
  d.RehashStep(1000);
  EXPECT_EQ(d.bucket_count(), 64u);
  for (int i = 0; i < 57; i++) Entry::Destroy(d.Unlink(KeyOf(i)));
  EXPECT_EQ(d.size(), 7u);  // 7 < 64 / 8
  d.RehashStep(1000);
  EXPECT_EQ(d.bucket_count(), 16u);  // next power of two >= 2 * 7
  EXPECT_TRUE(d.CheckInvariants());
}

TEST(Dict, Replace) {
  Dict d;
  FillDict(d, 1000);
  for (int i = 0; i < 1000; i += 3) {
    const std::string key = KeyOf(i);
    Entry* old_entry = d.Find(key);
    ASSERT_NE(old_entry, nullptr);
    Entry* e = Entry::SetValue(old_entry, std::string(200 + i, 'r'));  // grows: new block
    d.Replace(old_entry, e);                                           // old may be freed
    ASSERT_EQ(d.Find(key), e);
  }
  EXPECT_TRUE(d.CheckInvariants());
  for (int i = 0; i < 1000; i++) {
    Entry* e = d.Find(KeyOf(i));
    ASSERT_NE(e, nullptr);
    if (i % 3 == 0) {
      EXPECT_EQ(e->raw_value(), std::string(200 + i, 'r'));
    } else {
      EXPECT_EQ(e->raw_value(), "value-" + std::to_string(i * 7));
    }
  }
  // Replacing with a separately built entry (next copied by hand).
  Entry* old_entry = d.Find(KeyOf(1));
  Entry* fresh = Entry::Create(KeyOf(1), "fresh");
  fresh->next = old_entry->next;
  d.Replace(old_entry, fresh);
  Entry::Destroy(old_entry);
  EXPECT_EQ(d.Find(KeyOf(1))->raw_value(), "fresh");
  EXPECT_TRUE(d.CheckInvariants());
  EXPECT_EQ(d.size(), 1000u);
}

TEST(Dict, FindLinkForWrite) {
  Dict d;
  FillDict(d, 3000);
  for (int i = 0; i < 3000; i += 7) {
    Entry** link = d.FindLink(KeyOf(i));
    ASSERT_NE(link, nullptr);
    *link = Entry::Append(*link, std::string(500, 'a'));
  }
  EXPECT_EQ(d.FindLink("nope"), nullptr);
  EXPECT_TRUE(d.CheckInvariants());
  for (int i = 0; i < 3000; i += 7) {
    EXPECT_EQ(d.Find(KeyOf(i))->StringLength(), ("value-" + std::to_string(i * 7)).size() + 500);
  }
}

TEST(Dict, OperationsDuringRehash) {
  Dict d;
  FillDict(d, 1024);
  d.RehashStep(1 << 20);
  ASSERT_FALSE(d.rehashing());
  d.Insert(Make(1024));  // starts growth to 2048
  ASSERT_TRUE(d.rehashing());
  int i = 1025;
  // Each insert moves one bucket; check every key while both tables are in use.
  while (d.rehashing()) {
    for (int k = 0; k < i; k++) ASSERT_NE(d.Find(KeyOf(k)), nullptr) << k;
    // Prefetch reads the slot Find would read first (ASan checks it is in bounds).
    for (int k = 0; k < i; k += 7) d.PrefetchChain(TableHash(KeyOf(k)));
    ASSERT_TRUE(d.CheckInvariants());
    d.Insert(Make(i++));
    if (i % 2 == 0) {
      Entry* e = d.Unlink(KeyOf(i - 1000));
      ASSERT_NE(e, nullptr);
      d.Insert(e);  // re-insert the same entry
    }
  }
  EXPECT_GT(i, 1030);
  for (int k = 0; k < i; k++) ASSERT_NE(d.Find(KeyOf(k)), nullptr) << k;

  // Shrink while rehashing.
  for (int k = 0; k < i - 10; k++) Entry::Destroy(d.Unlink(KeyOf(k)));
  EXPECT_TRUE(d.CheckInvariants());
  for (int k = i - 10; k < i; k++) ASSERT_NE(d.Find(KeyOf(k)), nullptr) << k;
}

TEST(Dict, DestroySomeFreesEverythingInSteps) {
  for (size_t step : {1, 3, 1000, 5000}) {
    Dict d;  // 2049 keys, in the middle of a growth: both tables hold entries
    FillDict(d, 2048);
    d.RehashStep(1 << 20);
    d.Insert(Make(2048));
    d.Insert(Make(2049));
    d.Insert(Make(2050));
    ASSERT_TRUE(d.rehashing());
    size_t expected = d.BucketBytes();
    d.ForEach([&](Entry* e) { expected += e->AllocatedBytes(); });
    size_t cursor = 0;
    size_t freed = 0;
    size_t calls = 0;
    while (!d.empty()) {
      const size_t before = d.size();
      freed += d.DestroySome(step, &cursor);
      ASSERT_EQ(before - d.size(), std::min(step, before)) << step;
      calls++;
    }
    EXPECT_EQ(calls, (2051 + step - 1) / step);
    EXPECT_EQ(d.bucket_count(), 0u);  // tables freed with the last entry
    EXPECT_EQ(freed, expected) << step;
  }
  Dict empty;
  size_t cursor = 0;
  EXPECT_EQ(empty.DestroySome(10, &cursor), 0u);
}

TEST(Dict, RandomizedAgainstModel) {
  std::mt19937_64 rng(42);
  Dict d;
  std::unordered_map<std::string, std::string> model;
  for (int step = 0; step < 200000; step++) {
    const int k = static_cast<int>(rng() % 5000);
    const std::string key = KeyOf(k);
    const int op = static_cast<int>(rng() % 10);
    if (op < 5) {
      const std::string value = std::to_string(rng() % 1000000);
      if (Entry** link = d.FindLink(key)) {
        *link = Entry::SetValue(*link, value);
      } else {
        d.Insert(Entry::Create(key, value));
      }
      model[key] = value;
    } else if (op < 9) {
      Entry* e = d.Unlink(key);
      ASSERT_EQ(e != nullptr, model.erase(key) == 1);
      Entry::Destroy(e);
    } else {
      Entry* e = d.Find(key);
      auto it = model.find(key);
      ASSERT_EQ(e != nullptr, it != model.end());
      if (e != nullptr) {
        ASSERT_EQ(e->StringValue(), it->second);
      }
    }
    ASSERT_EQ(d.size(), model.size());
    if (step % 20000 == 0) {
      ASSERT_TRUE(d.CheckInvariants());
    }
  }
  size_t seen = 0;
  d.ForEach([&](Entry* e) {
    ASSERT_EQ(model.at(std::string(e->key())), e->StringValue());
    seen++;
  });
  EXPECT_EQ(seen, model.size());
}

// Runs one full SCAN while `mutate` changes the table between cursor calls, and checks that
// every key present for the whole scan was returned.
template <typename Mutate>
void CheckScanGuarantee(Dict& d, std::set<int>& present, Mutate mutate) {
  std::set<int> stable = present;  // present at the start; shrinks as keys are removed
  std::unordered_set<std::string> returned;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = d.Scan(cursor, [&](Entry* e) { returned.insert(std::string(e->key())); });
    mutate(stable);
    ASSERT_LT(++calls, 10000000);
  } while (cursor != 0);
  for (int k : stable) EXPECT_TRUE(returned.count(KeyOf(k))) << "missed " << KeyOf(k);
  for (const std::string& k : returned) {
    // Everything returned existed at some point (it is either present or was removed).
    EXPECT_EQ(k.rfind("key:", 0), 0u);
  }
}

TEST(Dict, ScanStableTable) {
  Dict d;
  FillDict(d, 5000);
  d.RehashStep(1 << 20);
  std::set<int> present;
  for (int i = 0; i < 5000; i++) present.insert(i);
  size_t visits = 0;
  uint64_t cursor = 0;
  std::unordered_map<std::string, int> count;
  do {
    cursor = d.Scan(cursor, [&](Entry* e) { count[std::string(e->key())]++; });
    visits++;
  } while (cursor != 0);
  EXPECT_EQ(visits, d.bucket_count());
  EXPECT_EQ(count.size(), 5000u);
  for (auto& [k, c] : count) EXPECT_EQ(c, 1) << k;  // no table change: each exactly once
}

TEST(Dict, ScanGuaranteeWhileGrowingAndShrinking) {
  // Counted over all seeds to show the scans really ran across resizes.
  int grows = 0, shrinks = 0, calls_while_rehashing = 0;
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    Dict d;
    std::set<int> present;
    int next_key = 0;
    const int initial = static_cast<int>(rng() % 3000);
    for (; next_key < initial; next_key++) {
      d.Insert(Make(next_key));
      present.insert(next_key);
    }
    // Phases: grow hard, shrink hard, mixed; with occasional cron rehash steps.
    const int phase_len = 40;
    int calls = 0;
    size_t settled_buckets = d.bucket_count();
    CheckScanGuarantee(d, present, [&](std::set<int>& stable) {
      const int phase = (calls++ / phase_len) % 3;
      const int ops = static_cast<int>(rng() % 64);
      for (int n = 0; n < ops; n++) {
        const bool insert = phase == 0 ? rng() % 10 < 9 : phase == 1 ? rng() % 10 < 1 : rng() % 2;
        if (insert || present.empty()) {
          d.Insert(Make(next_key));
          present.insert(next_key++);
        } else {
          auto it = present.begin();
          std::advance(it, rng() % std::min<size_t>(present.size(), 50));
          if (rng() % 2) it = std::prev(present.end());
          const int k = *it;
          Entry::Destroy(d.Unlink(KeyOf(k)));
          present.erase(k);
          stable.erase(k);
        }
      }
      if (rng() % 4 == 0) d.RehashStep(rng() % 8);
      if (d.rehashing()) {
        calls_while_rehashing++;
      } else if (d.bucket_count() != settled_buckets) {
        (d.bucket_count() > settled_buckets ? grows : shrinks)++;
        settled_buckets = d.bucket_count();
      }
    });
    EXPECT_TRUE(d.CheckInvariants());
  }
  EXPECT_GT(grows, 10);
  EXPECT_GT(shrinks, 3);
  EXPECT_GT(calls_while_rehashing, 300);
  std::printf("scan test: %d grows, %d shrinks, %d cursor calls while rehashing\n", grows, shrinks,
              calls_while_rehashing);
}

TEST(Dict, ScanWithManyResizesBetweenCalls) {
  // Inserts and removes enough between two calls to complete whole resizes.
  std::mt19937_64 rng(99);
  Dict d;
  std::set<int> present;
  for (int i = 0; i < 64; i++) {
    d.Insert(Make(i));
    present.insert(i);
  }
  int next_key = 100000;
  std::vector<int> transient;
  int calls = 0;
  CheckScanGuarantee(d, present, [&](std::set<int>&) {
    if (calls++ % 2 == 0) {
      const int n = static_cast<int>(rng() % 2000);
      for (int i = 0; i < n; i++) {
        d.Insert(Make(next_key));
        transient.push_back(next_key++);
      }
    } else {
      for (int k : transient) Entry::Destroy(d.Unlink(KeyOf(k)));
      transient.clear();
    }
    d.RehashStep(rng() % 3 == 0 ? 1000000 : 1);
  });
}

TEST(Dict, RandomAndSampleReturnPresentEntriesAndCoverAll) {
  for (bool during_rehash : {false, true}) {
    SCOPED_TRACE(during_rehash);
    Dict d;
    FillDict(d, 512);
    d.RehashStep(1 << 20);
    if (during_rehash) {
      d.Insert(Make(512));  // grow 512 -> 1024, stays half moved
      d.RehashStep(100);
      ASSERT_TRUE(d.rehashing());
    }
    std::unordered_set<Entry*> all;
    d.ForEach([&](Entry* e) { all.insert(e); });
    ASSERT_EQ(all.size(), d.size());

    std::mt19937_64 rng(7);
    std::unordered_set<Entry*> drawn;
    for (int i = 0; i < 20000; i++) {
      Entry* e = d.Random(rng);
      ASSERT_TRUE(all.count(e));
      drawn.insert(e);
    }
    EXPECT_EQ(drawn.size(), all.size());

    std::unordered_set<Entry*> sampled;
    std::vector<Entry*> out(16);
    for (int i = 0; i < 5000; i++) {
      const size_t n = d.Sample(rng, out.data(), out.size());
      ASSERT_GT(n, 0u);
      ASSERT_LE(n, out.size());
      for (size_t j = 0; j < n; j++) {
        ASSERT_TRUE(all.count(out[j]));
        sampled.insert(out[j]);
      }
    }
    EXPECT_EQ(sampled.size(), all.size());
    EXPECT_EQ(d.Sample(rng, out.data(), 0), 0u);
  }
}

TEST(Dict, SampleSparseAndShrinkingTables) {
  Dict d;
  FillDict(d, 4096);
  d.RehashStep(1 << 20);
  for (int i = 0; i < 4090; i++) Entry::Destroy(d.Unlink(KeyOf(i)));  // shrink in progress
  std::mt19937_64 rng(3);
  std::unordered_set<std::string> seen;
  Entry* out[5];
  for (int i = 0; i < 2000; i++) {
    const size_t n = d.Sample(rng, out, 5);
    ASSERT_LE(n, 5u);
    for (size_t j = 0; j < n; j++) seen.insert(std::string(out[j]->key()));
    Entry* r = d.Random(rng);
    ASSERT_NE(r, nullptr);
    seen.insert(std::string(r->key()));
  }
  EXPECT_EQ(seen.size(), 6u);
  for (int i = 4090; i < 4096; i++) EXPECT_TRUE(seen.count(KeyOf(i)));
}

TEST(Dict, ClearMoveSwap) {
  Dict a;
  FillDict(a, 1000);
  a.Insert(Entry::Create("only-in-a", "1"));
  Dict b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(a.Find("only-in-a"), nullptr);
  EXPECT_EQ(a.BucketBytes(), 0u);
  EXPECT_EQ(b.size(), 1001u);
  EXPECT_NE(b.Find("only-in-a"), nullptr);
  a.Insert(Entry::Create("reused", "x"));  // a moved-from Dict is usable
  EXPECT_EQ(a.size(), 1u);

  Dict c;
  c.Insert(Entry::Create("only-in-c", "2"));
  c = std::move(b);  // c's own entry is destroyed
  EXPECT_EQ(c.size(), 1001u);
  EXPECT_EQ(c.Find("only-in-c"), nullptr);

  a.swap(c);
  EXPECT_EQ(a.size(), 1001u);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_NE(c.Find("reused"), nullptr);
  swap(a, c);
  EXPECT_EQ(c.size(), 1001u);
  EXPECT_TRUE(c.CheckInvariants());
  EXPECT_GT(c.BucketBytes(), 0u);

  c.Clear();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.BucketBytes(), 0u);
  EXPECT_EQ(c.Find(KeyOf(1)), nullptr);
  FillDict(c, 10);  // usable after Clear
  EXPECT_EQ(c.size(), 10u);
  EXPECT_TRUE(c.CheckInvariants());
}

TEST(Dict, ClearDuringRehashFreesEverything) {
  Dict d;
  FillDict(d, 1024);
  d.RehashStep(1 << 20);
  d.Insert(Make(5000));
  ASSERT_TRUE(d.rehashing());
  d.Clear();  // ASan/LSan checks that both tables' entries were freed
  EXPECT_EQ(d.size(), 0u);
  EXPECT_FALSE(d.rehashing());
}

}  // namespace
}  // namespace shoal

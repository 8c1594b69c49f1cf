#include "sim/linearizability.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "raft/rand.h"

namespace shoal::sim {
namespace {

constexpr uint64_t kNoResponse = ~uint64_t{0};

Operation W(uint64_t client, std::string value, uint64_t invoke, uint64_t response,
            std::string key = "") {
  Operation op;
  op.client = client;
  op.key = std::move(key);
  op.kind = OpKind::kWrite;
  op.value = std::move(value);
  op.invoke = invoke;
  if (response != kNoResponse) op.response = response;
  return op;
}

Operation R(uint64_t client, std::optional<std::string> read, uint64_t invoke, uint64_t response,
            std::string key = "") {
  Operation op;
  op.client = client;
  op.key = std::move(key);
  op.kind = OpKind::kRead;
  op.read = std::move(read);
  op.invoke = invoke;
  if (response != kNoResponse) op.response = response;
  return op;
}

Operation Cas(uint64_t client, std::string expected, std::string value, bool ok, uint64_t invoke,
              uint64_t response, std::string key = "") {
  Operation op;
  op.client = client;
  op.key = std::move(key);
  op.kind = OpKind::kCas;
  op.expected = std::move(expected);
  op.value = std::move(value);
  op.cas_ok = ok;
  op.invoke = invoke;
  if (response != kNoResponse) op.response = response;
  return op;
}

bool Linearizable(const std::vector<Operation>& h) {
  LinearizabilityResult r = CheckLinearizable(h);
  EXPECT_FALSE(r.exhausted);
  return r.linearizable;
}

TEST(Linearizability, EmptyAndSequential) {
  EXPECT_TRUE(Linearizable({}));
  EXPECT_TRUE(Linearizable({R(1, std::nullopt, 0, 1), W(1, "a", 2, 3), R(2, "a", 4, 5),
                            W(2, "b", 6, 7), R(1, "b", 8, 9)}));
  EXPECT_FALSE(Linearizable({R(1, "a", 0, 1)})) << "read a value nobody wrote";
  EXPECT_FALSE(Linearizable({W(1, "a", 0, 1), R(1, std::nullopt, 2, 3)}));
}

TEST(Linearizability, ConcurrentReadMaySeeEitherValue) {
  // write a [0, 10]; reads inside it may see nil or a.
  EXPECT_TRUE(Linearizable({W(1, "a", 0, 10), R(2, std::nullopt, 2, 4)}));
  EXPECT_TRUE(Linearizable({W(1, "a", 0, 10), R(2, "a", 2, 4)}));
  // Touching intervals overlap.
  EXPECT_TRUE(Linearizable({W(1, "a", 0, 10), R(2, std::nullopt, 10, 12)}));
}

// The classic stale read: a read that starts after a write completed returns the older value
// (what a leader that lost its leadership, or a follower, would serve).
TEST(Linearizability, StaleReadIsNotLinearizable) {
  std::vector<Operation> h = {W(1, "1", 0, 1), W(1, "2", 2, 3), R(2, "1", 4, 5)};
  LinearizabilityResult r = CheckLinearizable(h);
  EXPECT_FALSE(r.linearizable);
  EXPECT_FALSE(r.exhausted);
  EXPECT_NE(r.detail.find("read -> \"1\""), std::string::npos) << r.detail;
}

// New-old inversion: two reads in sequence during a slow write; the first sees the new value,
// the second (which started after the first ended) the old one.
TEST(Linearizability, NewOldInversionIsNotLinearizable) {
  EXPECT_FALSE(
      Linearizable({W(1, "old", 0, 1), W(1, "new", 2, 20), R(2, "new", 3, 5), R(3, "old", 6, 8)}));
  EXPECT_TRUE(
      Linearizable({W(1, "old", 0, 1), W(1, "new", 2, 20), R(2, "old", 3, 5), R(3, "new", 6, 8)}));
}

// A write that timed out (no response) may take effect at any time after it was sent — even
// long after its client gave up — or never. But once seen, it cannot be unseen.
TEST(Linearizability, TimedOutWriteMayTakeEffectLaterOrNever) {
  Operation lost = W(1, "x", 0, kNoResponse);
  EXPECT_TRUE(Linearizable({lost, R(2, std::nullopt, 10, 11), R(2, std::nullopt, 20, 21)}))
      << "never took effect";
  EXPECT_TRUE(Linearizable({lost, R(2, std::nullopt, 10, 11), R(2, "x", 20, 21)}))
      << "took effect late";
  EXPECT_TRUE(Linearizable({lost, R(2, "x", 10, 11), W(3, "y", 30, 31), R(2, "y", 40, 41)}));
  EXPECT_FALSE(Linearizable({lost, R(2, "x", 10, 11), R(2, std::nullopt, 20, 21)}))
      << "seen, then unseen";
  EXPECT_FALSE(Linearizable({R(2, "x", 0, 1), W(1, "x", 5, kNoResponse)}))
      << "seen before it was sent";
  // A read without a response constrains nothing.
  EXPECT_TRUE(Linearizable({R(2, "garbage", 0, kNoResponse)}));
}

TEST(Linearizability, CompareAndSet) {
  // Two swaps from nil both succeeding: impossible.
  EXPECT_FALSE(Linearizable({Cas(1, "", "a", true, 0, 5), Cas(2, "", "b", true, 1, 6)}))
      << "expected \"\" is a value, nil is not \"\"";
  std::vector<Operation> h = {W(0, "0", 0, 1), Cas(1, "0", "a", true, 2, 5),
                              Cas(2, "0", "b", true, 3, 6)};
  EXPECT_FALSE(Linearizable(h));
  h[2].cas_ok = false;
  EXPECT_TRUE(Linearizable(h));
  h.push_back(R(3, "a", 7, 8));
  EXPECT_TRUE(Linearizable(h));
  h.back().read = "b";
  EXPECT_FALSE(Linearizable(h));
  // A failed CAS must have seen another value.
  EXPECT_FALSE(Linearizable({W(0, "0", 0, 1), Cas(1, "0", "a", false, 2, 3)}));
  // A CAS without a response swapped or not, whichever the rest needs.
  EXPECT_TRUE(
      Linearizable({W(0, "0", 0, 1), Cas(1, "0", "a", false, 2, kNoResponse), R(2, "a", 10, 11)}));
  EXPECT_TRUE(
      Linearizable({W(0, "0", 0, 1), Cas(1, "0", "a", false, 2, kNoResponse), R(2, "0", 10, 11)}));
}

TEST(Linearizability, KeysAreIndependentAndTheBadKeyIsNamed) {
  std::vector<Operation> h = {W(1, "1", 0, 1, "k1"), W(2, "2", 0, 1, "k2"), R(3, "1", 2, 3, "k1"),
                              R(3, "2", 2, 3, "k2"), R(3, std::nullopt, 2, 3, "k3")};
  EXPECT_TRUE(Linearizable(h));
  h.push_back(R(4, "2", 5, 6, "k1"));  // k2's value read from k1
  LinearizabilityResult r = CheckLinearizable(h);
  EXPECT_FALSE(r.linearizable);
  EXPECT_EQ(r.key, "k1");
}

// Histories generated from a real atomic register: each operation takes effect at a random
// point inside its interval, so the history is linearizable by construction; many clients
// overlap. Then one read is changed to a value it cannot have seen.
std::vector<Operation> RandomLinearizableHistory(uint64_t seed, int clients, int ops_per_client,
                                                 int keys, int timeouts_per_mille) {
  raft::Rng rng(seed);
  struct Pending {
    Operation op;
    uint64_t effect_at;
  };
  std::vector<Pending> pending;
  std::vector<uint64_t> client_free(clients, 0);
  int value = 0;
  for (int i = 0; i < clients * ops_per_client; ++i) {
    int c = static_cast<int>(rng.Uniform(clients));
    uint64_t invoke = client_free[c] + rng.Uniform(5);
    uint64_t effect = invoke + rng.Uniform(20);
    uint64_t response = effect + rng.Uniform(20);
    client_free[c] = response + 1;
    std::string key = fmt::format("k{}", rng.Uniform(keys));
    Operation op;
    switch (rng.Uniform(3)) {
      case 0:
        op = R(c, std::nullopt, invoke, response, key);
        break;
      case 1:
        op = W(c, std::to_string(++value), invoke, response, key);
        break;
      default: {
        std::string expected = std::to_string(rng.Uniform(value + 1));
        op = Cas(c, expected, std::to_string(++value), false, invoke, response, key);
      }
    }
    if (rng.Uniform(1000) < static_cast<uint64_t>(timeouts_per_mille)) {
      op.response.reset();
      if (rng.Chance(1, 3)) effect = kNoResponse;  // and it never happened
    }
    pending.push_back({op, effect});
  }
  // Apply in effect order to compute the outputs.
  std::vector<size_t> order(pending.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pending[a].effect_at < pending[b].effect_at; });
  std::map<std::string, std::string> state;
  for (size_t i : order) {
    Pending& p = pending[i];
    if (p.effect_at == kNoResponse) continue;
    auto it = state.find(p.op.key);
    switch (p.op.kind) {
      case OpKind::kRead:
        p.op.read = it == state.end() ? std::nullopt : std::optional<std::string>(it->second);
        break;
      case OpKind::kWrite:
        state[p.op.key] = p.op.value;
        break;
      case OpKind::kCas:
        p.op.cas_ok = it != state.end() && it->second == p.op.expected;
        if (p.op.cas_ok) state[p.op.key] = p.op.value;
        break;
    }
  }
  std::vector<Operation> out;
  for (Pending& p : pending) out.push_back(std::move(p.op));
  return out;
}

TEST(Linearizability, RandomHistoriesFromAnAtomicRegisterPass) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto h = RandomLinearizableHistory(seed, 6, 40, 3, 50);
    LinearizabilityResult r = CheckLinearizable(h);
    ASSERT_TRUE(r.linearizable) << "seed " << seed << " key " << r.key << ": " << r.detail;
  }
}

TEST(Linearizability, OneBadReadInARandomHistoryIsFound) {
  int caught = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto h = RandomLinearizableHistory(seed, 6, 40, 1, 0);
    // The last completed read: make it return a value no write ever wrote.
    for (size_t i = h.size(); i-- > 0;) {
      if (h[i].kind == OpKind::kRead && h[i].response) {
        h[i].read = "never-written";
        break;
      }
    }
    LinearizabilityResult r = CheckLinearizable(h);
    EXPECT_FALSE(r.exhausted) << "seed " << seed;
    caught += !r.linearizable;
  }
  EXPECT_EQ(caught, 40);
}

TEST(Linearizability, ReorderedReadInARandomHistoryIsFound) {
  // Two reads of one key, the second strictly after the first, with different values: swapping
  // their values breaks real-time order whenever no write could explain it.
  int caught = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto h = RandomLinearizableHistory(seed, 1, 60, 1, 0);  // one client: sequential
    std::vector<size_t> reads;
    for (size_t i = 0; i < h.size(); ++i) {
      if (h[i].kind == OpKind::kRead && h[i].read) reads.push_back(i);
    }
    for (size_t a = 0; a + 1 < reads.size(); ++a) {
      if (h[reads[a]].read != h[reads[a + 1]].read) {
        std::swap(h[reads[a]].read, h[reads[a + 1]].read);
        break;
      }
    }
    caught += !CheckLinearizable(h).linearizable;
  }
  EXPECT_GE(caught, 35);
}

TEST(Linearizability, StepLimitReportsExhaustion) {
  auto h = RandomLinearizableHistory(3, 8, 40, 1, 0);
  LinearizabilityResult r = CheckLinearizable(h, 10);
  EXPECT_FALSE(r.linearizable);
  EXPECT_TRUE(r.exhausted);
}

TEST(HistoryRecorder, RecordsOutcomes) {
  HistoryRecorder rec;
  size_t w = rec.InvokeWrite(1, "k", "v", 0);
  size_t r = rec.InvokeRead(2, "k", 1);
  size_t c = rec.InvokeCas(3, "k", "v", "w", 2);
  size_t gone = rec.InvokeWrite(4, "k", "zzz", 3);
  rec.OkWrite(w, 5);
  rec.OkRead(r, std::string("v"), 6);
  rec.Unknown(c);
  rec.Fail(gone);
  auto h = rec.History();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].response, std::optional<uint64_t>(5));
  EXPECT_EQ(h[1].read, std::optional<std::string>("v"));
  EXPECT_FALSE(h[2].response.has_value());
  EXPECT_TRUE(CheckLinearizable(h).linearizable);
  EXPECT_EQ(DescribeOperation(h[2]), "c3 cas k \"v\" -> \"w\" ? [2, ?]");
}

}  // namespace
}  // namespace shoal::sim

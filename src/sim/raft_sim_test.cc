// Runs the Raft simulator over many seeds. A failure prints the seed and how to replay it:
//   SHOAL_SIM_SEED=<seed> SHOAL_SIM_NODES=<n> build/.../sim_test --gtest_filter=RaftSim.Replay
// (SHOAL_SIM_SEEDS=<count> runs more seeds in RaftSim.ManySeeds.)
#include "sim/raft_sim.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace shoal::sim {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::stoull(v);
}

void RunSeeds(int nodes, uint64_t first, uint64_t count) {
  uint64_t total_commits = 0;
  int elections = 0, crashes = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    SimOptions opt;
    opt.seed = seed;
    opt.nodes = nodes;
    SimResult r = RaftSim(opt).Run();
    ASSERT_FALSE(r.violation.has_value())
        << *r.violation << "\nreplay: SHOAL_SIM_SEED=" << seed << " SHOAL_SIM_NODES=" << nodes
        << " sim_test --gtest_filter=RaftSim.Replay";
    total_commits += r.committed;
    elections += r.leaders_elected;
    crashes += r.crashes;
  }
  // The runs did something: otherwise the checks above prove nothing.
  EXPECT_GT(total_commits, count * 20);
  EXPECT_GT(elections, static_cast<int>(count));
  EXPECT_GT(crashes, 0);
  std::printf("%d nodes: %llu seeds, %d leaders elected, %d crashes, %llu commits, 0 violations\n",
              nodes, static_cast<unsigned long long>(count), elections, crashes,
              static_cast<unsigned long long>(total_commits));
}

TEST(RaftSim, ManySeedsThreeNodes) { RunSeeds(3, 1, EnvOr("SHOAL_SIM_SEEDS", 100)); }

TEST(RaftSim, ManySeedsFiveNodes) { RunSeeds(5, 1000, EnvOr("SHOAL_SIM_SEEDS", 100)); }

TEST(RaftSim, SameSeedSameRun) {
  SimOptions opt;
  opt.seed = 42;
  SimResult a = RaftSim(opt).Run();
  SimResult b = RaftSim(opt).Run();
  EXPECT_EQ(a.committed, b.committed);
  EXPECT_EQ(a.messages, b.messages);
  EXPECT_EQ(a.leaders_elected, b.leaders_elected);
}

TEST(RaftSim, Replay) {
  if (std::getenv("SHOAL_SIM_SEED") == nullptr) GTEST_SKIP() << "set SHOAL_SIM_SEED";
  SimOptions opt;
  opt.seed = EnvOr("SHOAL_SIM_SEED", 1);
  opt.nodes = static_cast<int>(EnvOr("SHOAL_SIM_NODES", 3));
  opt.trace = true;
  SimResult r = RaftSim(opt).Run();
  EXPECT_FALSE(r.violation.has_value()) << *r.violation;
}

}  // namespace
}  // namespace shoal::sim

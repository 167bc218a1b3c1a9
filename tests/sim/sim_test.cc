// The scheduler simulator as a test: a fixed set of seeds, each a full run of several
// worker processes with failures, control requests, crashes and partitions, checked
// against the invariants (invariants.h). A failure prints the seed; replay it with
// `ordo-sim --seed N --verbose`. The long sweep is the `sim_sweep` test (label slow).
#include <gtest/gtest.h>

#include "simulation.h"

namespace ordo::sim {
namespace {

TEST(Simulator, QuietRunsSettleEveryApplyInOrder) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.chaos = false;
    SimReport r = RunSimulation(o);
    EXPECT_TRUE(r.ok()) << r.Summary();
    EXPECT_EQ(r.final_states["completed"], o.applies) << r.Summary();
  }
}

TEST(Simulator, ChaoticRunsKeepEveryInvariant) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SimOptions o;
    o.seed = seed;
    SimReport r = RunSimulation(o);
    EXPECT_TRUE(r.ok()) << r.Summary();
  }
}

TEST(Simulator, SameSeedReplaysTheSameRun) {
  SimOptions o;
  o.seed = 7;
  SimReport a = RunSimulation(o);
  SimReport b = RunSimulation(o);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.virtual_micros, b.virtual_micros);
  EXPECT_EQ(a.target_writes, b.target_writes);
  EXPECT_EQ(a.final_states, b.final_states);
}

}  // namespace
}  // namespace ordo::sim

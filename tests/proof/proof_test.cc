// The model checker in CI: every standard world is explored to its end with every
// property holding, and the checker finds the defects it was built to catch when their
// fixes are switched off again.
#include <gtest/gtest.h>

#include <iostream>

#include "explorer.h"
#include "worlds.h"

namespace ordo::proof {
namespace {

constexpr uint64_t kMaxStates = 5'000'000;

WorldSpec Named(const std::string& name) {
  for (const WorldSpec& w : StandardWorlds())
    if (w.name == name) return w;
  ADD_FAILURE() << "no world " << name;
  return WorldSpec{};
}

TEST(Proof, EveryStandardWorldIsExhaustedWithEveryPropertyHolding) {
  uint64_t states = 0;
  double seconds = 0;
  for (const WorldSpec& w : StandardWorlds()) {
    Report r = Explore(w, kMaxStates);
    std::cout << Format(r);
    EXPECT_FALSE(r.violation) << Format(r);
    EXPECT_TRUE(r.exhausted) << r.world;
    states += r.states;
    seconds += r.seconds;
  }
  std::cout << "total: " << states << " states in " << seconds << " s\n";
  EXPECT_GE(states, 1'000'000u);
}

TEST(Proof, FindsAReleasedRollingRowStrandedByTheNarrowCutoverClaim) {
  WorldSpec w = Named("policies/rolling/halt");
  w.reintroduce.narrow_cutover_claim = true;
  Report r = Explore(w, kMaxStates);
  ASSERT_TRUE(r.violation) << Format(r);
  EXPECT_EQ(r.violation->property.rfind("stranded", 0), 0u) << Format(r);
  std::cout << Format(r);
}

TEST(Proof, FindsASwapUndoneByAParkWithoutItsStateGuard) {
  WorldSpec w = Named("policies/barrier/halt/deferred");
  w.reintroduce.unguarded_park = true;
  Report r = Explore(w, kMaxStates);
  ASSERT_TRUE(r.violation) << Format(r);
  EXPECT_NE(r.violation->property.find("cutting_over -> waiting_for_cutover"), std::string::npos)
      << Format(r);
  std::cout << Format(r);
}

TEST(Proof, FindsAnOldTableLeftByATurnThatEndsWithoutOwingItsDrop) {
  WorldSpec w = Named("no-window/two-processes");
  w.reintroduce.unowed_turn_end = true;
  Report r = Explore(w, kMaxStates);
  ASSERT_TRUE(r.violation) << Format(r);
  EXPECT_NE(r.violation->property.find("left ordo's tables"), std::string::npos) << Format(r);
  std::cout << Format(r);
}

}  // namespace
}  // namespace ordo::proof

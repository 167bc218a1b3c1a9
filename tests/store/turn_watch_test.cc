// Conformance: the turn watch (Store::WatchTurns). On a store that offers one, a
// deployment that completes its swap in another process wakes a watcher within a
// fraction of a poll interval; a store that offers none (SQLite: one process drives
// it, and its wake is in-process) says so with nullptr.
#include <chrono>

#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;
using SteadyClock = std::chrono::steady_clock;

class TurnWatch : public StoreSuite {};

TEST_P(TurnWatch, ASwapThatEndsInAnotherProcessWakesTheWatch) {
  auto watch = store_->WatchTurns();
  if (!watch) {
    EXPECT_EQ(GetParam().name, "sqlite") << "a fleet store must offer a turn watch";
    return;
  }
  auto a = Create("rolling", "halt", 2);
  int64_t first = OpIds(a.id)[0];
  SetOp(first, S::kCuttingOver);
  // The watch sees the swap in flight (a first look may answer a spurious true).
  ASSERT_TRUE(watch->Wait(100'000).ok());
  Result<bool> quiet = watch->Wait(200'000);
  ASSERT_TRUE(quiet.ok()) << quiet.status().ToString();
  EXPECT_FALSE(*quiet) << "nothing ended, yet the watch woke";

  // "Another process": a second handle on the same store ends the swap.
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->TransitionOperation(LeaseOf(first), S::kCompleted).ok());
  auto from = SteadyClock::now();
  Result<bool> woke = watch->Wait(5'000'000);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - from);
  ASSERT_TRUE(woke.ok()) << woke.status().ToString();
  EXPECT_TRUE(*woke);
  // Far below a poll interval (1 s): not a timing bar, a check that the wake came
  // from the swap's end rather than from the timeout.
  EXPECT_LT(waited.count(), 1000);
}

ORDO_INSTANTIATE_STORE_SUITE(TurnWatch);

}  // namespace
}  // namespace ordo::testing

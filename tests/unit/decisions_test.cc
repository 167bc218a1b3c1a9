// The operator's decisions (operator/decisions.h) where a settled row still owes the
// cleanup of its target.
#include "operator/decisions.h"

#include <gtest/gtest.h>

namespace ordo {
namespace {

using S = OperationState;

OperationRecord Row(S state, bool cleanup_pending) {
  OperationRecord op;
  op.state = state;
  op.cleanup_pending = cleanup_pending;
  return op;
}

TEST(FollowerMayEnd, ADrivingFollowerWaitsForTheOldTableDroppedAfterTheLastTurn) {
  std::vector<OperationRecord> ops = {Row(S::kCompleted, false), Row(S::kCompleted, true)};
  EXPECT_FALSE(worker::FollowerMayEnd(ApplyState::kCompleted, ops, {}, false, /*drives=*/true));
  ops[1].cleanup_pending = false;
  EXPECT_TRUE(worker::FollowerMayEnd(ApplyState::kCompleted, ops, {}, false, /*drives=*/true));
}

TEST(FollowerMayEnd, AWatcherEndsAtTheVerdictWhateverCleanupIsOwed) {
  // A failed row whose retries expired owes the removal of its shadow; a watcher
  // drives nothing that would do it.
  std::vector<OperationRecord> ops = {Row(S::kFailed, true)};
  EXPECT_TRUE(worker::FollowerMayEnd(ApplyState::kFailed, ops, {}, false, /*drives=*/false));
  EXPECT_FALSE(worker::FollowerMayEnd(ApplyState::kFailed, ops, {}, false, /*drives=*/true));
}

TEST(DecideDispatch, ACleanupClaimFinishesTheSwapOfACompletedRowAndCleansAFailedOne) {
  EXPECT_EQ(worker::DecideDispatch(worker::ClaimSource::kCleanup, S::kCompleted, true, {}),
            worker::RunStep::kFinishSwap);
  EXPECT_EQ(worker::DecideDispatch(worker::ClaimSource::kCleanup, S::kFailed, true, {}),
            worker::RunStep::kCleanUpFailed);
  EXPECT_EQ(worker::DecideDispatch(worker::ClaimSource::kCleanup, S::kStopped, true, {}),
            worker::RunStep::kCancel);
}

}  // namespace
}  // namespace ordo

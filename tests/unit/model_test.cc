#include "ordo/model.h"

#include <gtest/gtest.h>

namespace ordo {
namespace {

TEST(Model, StateNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(OperationState::kReverted); ++i) {
    auto s = static_cast<OperationState>(i);
    EXPECT_EQ(ParseOperationState(ToString(s)), s);
  }
  for (int i = 0; i <= static_cast<int>(ApplyState::kPaused); ++i) {
    auto s = static_cast<ApplyState>(i);
    EXPECT_EQ(ParseApplyState(ToString(s)), s);
  }
  for (int i = 0; i <= static_cast<int>(RequestKind::kRelease); ++i) {
    auto k = static_cast<RequestKind>(i);
    EXPECT_EQ(ParseRequestKind(ToString(k)), k);
  }
  EXPECT_EQ(ParseOperationState("bogus"), std::nullopt);
}

TEST(Model, UnknownPoliciesFailClosed) {
  EXPECT_EQ(ParseCutoverPolicy("bogus"), CutoverPolicy::kRolling);
  EXPECT_EQ(ParseOnFailure("bogus"), OnFailure::kHalt);
  EXPECT_EQ(ParseCutoverPolicy("barrier"), CutoverPolicy::kBarrier);
  EXPECT_EQ(ParseOnFailure("pause"), OnFailure::kPause);
  EXPECT_EQ(ParseOnFailureExact("bogus"), std::nullopt);
}

TEST(Model, StoppedIsTerminalButNotSettled) {
  EXPECT_TRUE(IsTerminal(OperationState::kStopped));
  EXPECT_FALSE(IsSettled(OperationState::kStopped));
  EXPECT_TRUE(IsSettled(OperationState::kReverted));
  EXPECT_TRUE(IsActive(OperationState::kFailedRetryable));
  EXPECT_TRUE(IsActive(OperationState::kResuming));
  EXPECT_FALSE(IsActive(OperationState::kCompleted));
}

TEST(Model, BarrierSetIsParkedOrLater) {
  for (OperationState past : {OperationState::kWaitingForCutover, OperationState::kCuttingOver,
                              OperationState::kRevertWindow, OperationState::kCompleted})
    EXPECT_TRUE(IsPastBarrier(past)) << ToString(past);
  for (OperationState before : {OperationState::kRunning, OperationState::kFailed})
    EXPECT_FALSE(IsPastBarrier(before)) << ToString(before);
}

}  // namespace
}  // namespace ordo

#include "core/derive.h"

#include <gtest/gtest.h>

namespace ordo {
namespace {

using S = OperationState;

std::vector<OperationRecord> Ops(std::initializer_list<S> states, std::string on_failure = "halt") {
  std::vector<OperationRecord> ops;
  int n = 0;
  for (S s : states) {
    OperationRecord op;
    op.deployment = "d" + std::to_string(n++);
    op.state = s;
    op.on_failure = on_failure;
    if (s == S::kFailed) op.error = "boom";
    ops.push_back(op);
  }
  return ops;
}

TEST(DeriveApplyState, ContinueWithWorkLeftIsRunningDegraded) {
  EXPECT_EQ(DeriveApplyState(Ops({S::kFailed, S::kPending}, "continue"), false).state,
            ApplyState::kRunningDegraded);
}

TEST(DeriveApplyState, HaltWithWorkLeftIsFailed) {
  EXPECT_EQ(DeriveApplyState(Ops({S::kFailed, S::kPending}, "halt"), false).state,
            ApplyState::kFailed);
}

TEST(DeriveApplyState, UnreleasedPauseIsPausedAndReleasedPauseDegrades) {
  EXPECT_EQ(DeriveApplyState(Ops({S::kFailed, S::kPending}, "pause"), false).state,
            ApplyState::kPaused);
  EXPECT_EQ(DeriveApplyState(Ops({S::kFailed, S::kPending}, "pause"), true).state,
            ApplyState::kRunningDegraded);
}

TEST(DeriveApplyState, AllSettledWithOneFailedEndsFailedNamingIt) {
  auto d = DeriveApplyState(Ops({S::kCompleted, S::kFailed, S::kCompleted}, "continue"), false);
  EXPECT_EQ(d.state, ApplyState::kFailed);
  EXPECT_EQ(d.error, "deployment d1 failed: boom");
}

TEST(DeriveApplyState, UnknownOnFailureBehavesAsHalt) {
  EXPECT_EQ(DeriveApplyState(Ops({S::kFailed, S::kPending}, "bogus"), false).state,
            ApplyState::kFailed);
}

TEST(DeriveApplyState, ARevertWindowKeepsAHaltedApplyFromSettling) {
  auto d = DeriveApplyState(Ops({S::kRevertWindow, S::kFailed, S::kPending}, "halt"), false);
  EXPECT_EQ(d.state, ApplyState::kRevertWindow);
  EXPECT_EQ(d.verdict, ApplyState::kFailed);
  EXPECT_EQ(d.error, "deployment d1 failed: boom");
  d = DeriveApplyState(Ops({S::kCompleted, S::kFailed, S::kPending}, "halt"), false);
  EXPECT_EQ(d.state, ApplyState::kFailed);
}

TEST(DeriveApplyState, ASwapInFlightKeepsACancelledApplyFromSettling) {
  auto d = DeriveApplyState(Ops({S::kCuttingOver, S::kCancelled, S::kCancelled}), false);
  EXPECT_EQ(d.state, ApplyState::kCuttingOver);
  EXPECT_EQ(d.verdict, ApplyState::kCancelled);
}

TEST(DeriveApplyState, ARevertedDeploymentEndsItsApplyReverted) {
  EXPECT_EQ(DeriveApplyState(Ops({S::kCompleted, S::kReverted, S::kCancelled}), false).state,
            ApplyState::kReverted);
  // Fail-closed still: a failure anywhere ends it failed, and the revert ends the rollout
  // even under continue (nothing after a reverted deployment may start).
  auto d = DeriveApplyState(Ops({S::kFailed, S::kReverted, S::kPending}, "continue"), false);
  EXPECT_EQ(d.state, ApplyState::kFailed);
}

TEST(DeriveFromStates, PriorityOrder) {
  EXPECT_EQ(DeriveFromStates({S::kFailedRetryable, S::kCancelled}), ApplyState::kFailedRetryable);
  EXPECT_EQ(DeriveFromStates({S::kCancelled, S::kStopped}), ApplyState::kCancelled);
  EXPECT_EQ(DeriveFromStates({S::kStopped, S::kReverted}), ApplyState::kReverted);
  EXPECT_EQ(DeriveFromStates({S::kCancelled, S::kReverted, S::kCancelled}), ApplyState::kReverted);
  EXPECT_EQ(DeriveFromStates({S::kReverted, S::kFailedRetryable}), ApplyState::kReverted);
  EXPECT_EQ(DeriveFromStates({S::kCompleted, S::kCompleted}), ApplyState::kCompleted);
  EXPECT_EQ(DeriveFromStates({S::kCuttingOver, S::kWaitingForCutover}), ApplyState::kCuttingOver);
  EXPECT_EQ(DeriveFromStates({S::kCompleted, S::kWaitingForCutover, S::kWaitingForCutover}),
            ApplyState::kWaitingForCutover);
  EXPECT_EQ(DeriveFromStates({S::kRevertWindow, S::kWaitingForCutover}), ApplyState::kRevertWindow);
  EXPECT_EQ(DeriveFromStates({S::kWaitingForCutover, S::kRunning}), ApplyState::kRunning);
  EXPECT_EQ(DeriveFromStates({S::kResuming, S::kPending}), ApplyState::kRunning);
  EXPECT_EQ(DeriveFromStates({S::kPending, S::kPending}), ApplyState::kPending);
}

}  // namespace
}  // namespace ordo

#include "model/reference_model.h"

#include <gtest/gtest.h>

namespace ordo::reference {
namespace {

using S = OperationState;
constexpr Micros kNow = 1'000'000'000'000;
constexpr Micros kStale = kNow - 3'600'000'000;  // an hour ago: older than the window

// A snapshot with one apply of `states` (ids 1..n in deployment order).
Snapshot OneApply(std::initializer_list<S> states, std::string policy = "rolling",
                  std::string on_failure = "halt") {
  Snapshot s;
  s.now = kNow;
  s.applies.push_back(ApplyRow{1, ApplyState::kRunning, false, 0, std::nullopt, kNow});
  int64_t id = 1;
  for (S st : states) {
    OperationRecord op;
    op.id = id++;
    op.apply_id = 1;
    op.deployment = "d" + std::to_string(op.id);
    op.state = st;
    op.cutover_policy = policy;
    op.on_failure = on_failure;
    op.created_at = kNow - 1000;
    op.updated_at = kNow;
    if (st != S::kPending) op.lease_token = "t" + std::to_string(op.id);
    s.operations.push_back(op);
  }
  return s;
}

void Request(Snapshot& s, RequestKind kind, RequestStatus status = RequestStatus::kPending) {
  s.requests.push_back(RequestRow{1, kind, status});
}

TEST(ReferenceCopyClaim, RollingStartsOnlyTheFirstPending) {
  EXPECT_EQ(CopyClaimable(OneApply({S::kPending, S::kPending, S::kPending})),
            std::vector<int64_t>{1});
  EXPECT_EQ(CopyClaimable(OneApply({S::kCompleted, S::kPending, S::kPending})),
            std::vector<int64_t>{2});
}

TEST(ReferenceCopyClaim, BarrierLetsLaterDeploymentCopyWhileEarlierIsParked) {
  for (S parked : {S::kWaitingForCutover, S::kCuttingOver, S::kRevertWindow}) {
    EXPECT_EQ(CopyClaimable(OneApply({parked, S::kPending}, "barrier")), std::vector<int64_t>{2});
    EXPECT_TRUE(CopyClaimable(OneApply({parked, S::kPending}, "rolling")).empty());
  }
  EXPECT_TRUE(CopyClaimable(OneApply({S::kRunning, S::kPending}, "barrier")).empty());
}

TEST(ReferenceCopyClaim, ParallelHasNoCopyGate) {
  EXPECT_EQ(CopyClaimable(OneApply({S::kPending, S::kPending}, "parallel")),
            (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(CopyClaimable(OneApply({S::kFailed, S::kPending}, "parallel")),
            std::vector<int64_t>{2});
}

TEST(ReferenceCopyClaim, FailurePoliciesExcuseOnlyTerminalFailure) {
  EXPECT_TRUE(CopyClaimable(OneApply({S::kFailed, S::kPending}, "rolling", "halt")).empty());
  EXPECT_EQ(CopyClaimable(OneApply({S::kFailed, S::kPending}, "rolling", "continue")),
            std::vector<int64_t>{2});
  EXPECT_TRUE(CopyClaimable(OneApply({S::kFailed, S::kPending}, "rolling", "bogus")).empty());
  EXPECT_TRUE(
      CopyClaimable(OneApply({S::kFailedRetryable, S::kPending}, "rolling", "continue")).empty());
  EXPECT_TRUE(CopyClaimable(OneApply({S::kStopped, S::kPending}, "rolling", "continue")).empty());
}

TEST(ReferenceCopyClaim, PauseWaitsForAReleaseLatch) {
  Snapshot s = OneApply({S::kFailed, S::kPending}, "rolling", "pause");
  EXPECT_TRUE(CopyClaimable(s).empty());
  Request(s, RequestKind::kRelease, RequestStatus::kFailed);
  EXPECT_TRUE(CopyClaimable(s).empty());
  s.requests.back().status = RequestStatus::kCompleted;
  EXPECT_EQ(CopyClaimable(s), std::vector<int64_t>{2});
  Request(s, RequestKind::kStop);
  EXPECT_TRUE(CopyClaimable(s).empty());
}

TEST(ReferenceCopyClaim, StaleActiveWorkIsRecoveredButParkedBarrierRowsAreNot) {
  Snapshot s = OneApply({S::kRunning, S::kWaitingForCutover}, "barrier");
  EXPECT_TRUE(CopyClaimable(s).empty());
  for (auto& op : s.operations) op.updated_at = kStale;
  EXPECT_EQ(CopyClaimable(s), std::vector<int64_t>{1});
  EXPECT_EQ(CopyArmFor(s, s.operations[0]), CopyArm::kRecoverStale);
}

TEST(ReferenceCopyClaim, SingleOperationParkedRowIsRecoveredByCopyClaim) {
  Snapshot s = OneApply({S::kWaitingForCutover}, "barrier");
  s.operations[0].updated_at = kStale;
  EXPECT_EQ(CopyClaimable(s), std::vector<int64_t>{1});
  s.operations[0].lease_token.reset();  // released at the barrier: cutover claim only
  EXPECT_TRUE(CopyClaimable(s).empty());
}

TEST(ReferenceCopyClaim, StoppedResumesOnlyOnPendingStart) {
  Snapshot s = OneApply({S::kStopped});
  EXPECT_TRUE(CopyClaimable(s).empty());
  Request(s, RequestKind::kStart);
  EXPECT_EQ(CopyArmFor(s, s.operations[0]), CopyArm::kResumeStopped);
}

TEST(ReferenceCopyClaim, RetryWithinBudgetAndCrashRecoveryOfAdmittedRetry) {
  Snapshot s = OneApply({S::kFailedRetryable});
  s.applies[0].state = ApplyState::kFailedRetryable;
  s.applies[0].attempt = 9;
  s.applies[0].failed_at = kNow;
  EXPECT_EQ(CopyArmFor(s, s.operations[0]), CopyArm::kRetry);
  s.applies[0].attempt = 10;
  EXPECT_FALSE(CopyArmFor(s, s.operations[0]));
  s.applies[0].attempt = 1;
  s.applies[0].failed_at = kNow - s.options.retry_freshness_micros - 1;
  EXPECT_FALSE(CopyArmFor(s, s.operations[0]));
  // Admitted retry: apply already running.
  s.applies[0].state = ApplyState::kRunning;
  EXPECT_FALSE(CopyArmFor(s, s.operations[0]));
  s.applies[0].updated_at = kStale;
  s.operations[0].updated_at = kStale;
  EXPECT_EQ(CopyArmFor(s, s.operations[0]), CopyArm::kRetry);
}

TEST(ReferenceCopyClaim, GlobalOrderIsCreatedAtThenId) {
  Snapshot s = OneApply({S::kPending});
  OperationRecord other = s.operations[0];
  other.id = 7;
  other.apply_id = 2;
  other.created_at = kNow - 5000;  // older despite the larger id
  s.operations.push_back(other);
  s.applies.push_back(ApplyRow{2, ApplyState::kPending, false, 0, std::nullopt, kNow});
  EXPECT_EQ(CopyClaimable(s), (std::vector<int64_t>{7, 1}));
  EXPECT_EQ(FirstCopyClaim(s), 7);
}

TEST(ReferenceCutoverClaim, StrictlyCompletedOnlyOrder) {
  Snapshot s = OneApply({S::kWaitingForCutover, S::kWaitingForCutover}, "barrier");
  for (auto& op : s.operations) op.lease_token.reset();
  EXPECT_EQ(CutoverClaimable(s), std::vector<int64_t>{1});
  s.operations[0].state = S::kRevertWindow;
  EXPECT_TRUE(CutoverClaimable(s).empty());
  s.operations[0].state = S::kCompleted;
  EXPECT_EQ(CutoverClaimable(s), std::vector<int64_t>{2});
  Request(s, RequestKind::kStop);
  EXPECT_TRUE(CutoverClaimable(s).empty());
}

TEST(ReferenceCutoverClaim, ReleasedRowsOfEveryPolicyAreTakenAndDeferredOnesNeedARequest) {
  Snapshot s = OneApply({S::kWaitingForCutover, S::kPending}, "rolling");
  s.operations[0].lease_token.reset();
  EXPECT_EQ(CutoverClaimable(s), std::vector<int64_t>{1});
  s.reintroduced.narrow_cutover_claim = true;  // the defect: nobody takes it
  EXPECT_TRUE(CutoverClaimable(s).empty());
  Request(s, RequestKind::kCutover);
  EXPECT_EQ(CutoverClaimable(s), std::vector<int64_t>{1});

  Snapshot one = OneApply({S::kWaitingForCutover}, "barrier");
  one.operations[0].lease_token.reset();
  EXPECT_EQ(CutoverClaimable(one), std::vector<int64_t>{1});

  Snapshot d = OneApply({S::kWaitingForCutover, S::kWaitingForCutover}, "barrier");
  d.applies[0].defer_cutover = true;
  for (auto& op : d.operations) op.lease_token.reset();
  EXPECT_TRUE(CutoverClaimable(d).empty());
  Request(d, RequestKind::kCutover);
  EXPECT_EQ(CutoverClaimable(d), std::vector<int64_t>{1});
}

TEST(ReferenceCutoverClaim, LiveHolderIsSkippedAndUsesBeginCutover) {
  Snapshot s = OneApply({S::kWaitingForCutover, S::kWaitingForCutover}, "barrier");
  EXPECT_TRUE(CutoverClaimable(s).empty());
  EXPECT_TRUE(BeginCutoverAllowed(s, s.operations[0]));
  EXPECT_FALSE(BeginCutoverAllowed(s, s.operations[1]));
}

TEST(ReferenceCutoverClaim, StaleInFlightCutoverIsRecoveredWhateverThePolicy) {
  Snapshot s = OneApply({S::kCuttingOver, S::kPending}, "rolling");
  EXPECT_TRUE(CutoverClaimable(s).empty());
  s.operations[0].updated_at = kStale;
  EXPECT_EQ(CutoverArmFor(s, s.operations[0]), CutoverArm::kRecoverInFlight);
}

TEST(ReferenceStop, ReconcilesOnlyWhenNothingIsInFlight) {
  Snapshot s = OneApply({S::kFailed, S::kPending}, "rolling", "continue");
  EXPECT_TRUE(StopReconcilable(s).empty());
  Request(s, RequestKind::kStop);
  EXPECT_EQ(StopReconcilable(s), std::vector<int64_t>{1});
  EXPECT_EQ(StopReconciledOperations(s, 1), std::vector<int64_t>{2});
  s.operations[0].state = S::kRunning;
  EXPECT_TRUE(StopReconcilable(s).empty());
}

TEST(ReferenceExpiry, ExhaustedOrOldRetriesExpire) {
  Snapshot s = OneApply({S::kFailedRetryable});
  s.applies[0].state = ApplyState::kFailedRetryable;
  s.applies[0].failed_at = kNow;
  EXPECT_TRUE(ExpirableApplies(s).empty());
  s.applies[0].attempt = 10;
  EXPECT_EQ(ExpirableApplies(s), std::vector<int64_t>{1});
  s.applies[0].attempt = 0;
  s.applies[0].failed_at = kNow - s.options.retry_freshness_micros - 1;
  EXPECT_EQ(ExpirableApplies(s), std::vector<int64_t>{1});
}

TEST(ReferenceCleanupClaim, TakesIdleRowsOfEndedAppliesThatNoOtherClaimTakes) {
  Snapshot s =
      OneApply({S::kCancelled, S::kStopped, S::kWaitingForCutover, S::kPending}, "barrier");
  for (auto& op : s.operations) op.updated_at = kStale;
  s.operations[2].lease_token.reset();
  EXPECT_TRUE(CleanupClaimable(s).empty());  // the apply is running: nothing ended
  s.applies[0].state = ApplyState::kCancelled;
  EXPECT_EQ(CleanupClaimable(s), (std::vector<int64_t>{2, 3, 4}));
  s.operations[1].updated_at = kNow;  // a cleanup driver holds it: not handed out again
  EXPECT_EQ(CleanupClaimable(s), (std::vector<int64_t>{3, 4}));
  s.operations[1].lease_token.reset();  // its driver stopped it: the transition released it
  EXPECT_EQ(CleanupClaimable(s), (std::vector<int64_t>{2, 3, 4}));
  s.operations[3].updated_at = kNow;  // a live lease on a pending row is respected
  s.operations[3].lease_token = "t4";
  EXPECT_EQ(CleanupClaimable(s), (std::vector<int64_t>{2, 3}));
}

TEST(ReferenceCleanupClaim, TakesARowFailedByRetryExpiryUntilItsTargetIsCleanedUp) {
  Snapshot s = OneApply({S::kCompleted, S::kFailed});
  s.applies[0].state = ApplyState::kFailed;
  EXPECT_TRUE(CleanupClaimable(s).empty());  // failed by its driver: it cleaned up first
  s.operations[1].cleanup_pending = true;    // failed by retry expiry, which released it
  s.operations[1].lease_token.reset();
  EXPECT_EQ(CleanupClaimable(s), std::vector<int64_t>{2});
  s.operations[1].lease_token = "cleanup";  // a cleanup driver holds it: not handed out again
  EXPECT_TRUE(CleanupClaimable(s).empty());
}

TEST(ReferenceCleanupClaim, TakesARowCompletedAtItsSwapOnlyOnceItsHolderIsGone) {
  Snapshot s = OneApply({S::kCompleted, S::kWaitingForCutover}, "parallel", "halt");
  s.operations[0].cleanup_pending = true;  // its holder is dropping the old table
  s.operations[0].lease_token = "t1";
  s.operations[1].lease_token.reset();  // released at the barrier
  EXPECT_TRUE(CleanupClaimable(s).empty());
  // Its turn is over: the next deployment's swap does not wait for the drop.
  EXPECT_EQ(CutoverClaimable(s), std::vector<int64_t>{2});
  s.operations[0].updated_at = kStale;  // the holder died
  EXPECT_EQ(CleanupClaimable(s), std::vector<int64_t>{1});
}

TEST(ReferenceCleanupClaim, PendingCancelOpensItAndOtherClaimsKeepTheirRows) {
  Snapshot s = OneApply({S::kCompleted, S::kPending}, "rolling", "halt");
  Request(s, RequestKind::kCancel);
  // Arm A still starts the pending row; its driver cancels it on the spot.
  EXPECT_EQ(CopyClaimable(s), std::vector<int64_t>{2});
  EXPECT_TRUE(CleanupClaimable(s).empty());
  Request(s, RequestKind::kStop);  // recorded with the cancel: arm A is closed
  EXPECT_EQ(CleanupClaimable(s), std::vector<int64_t>{2});
}

TEST(ReferenceRederive, UnheldApplyMovesToItsDerivedState) {
  Snapshot s = OneApply({S::kCompleted, S::kCompleted});
  EXPECT_TRUE(RederivableApplies(s).empty());  // live leases: the holders swap
  for (auto& op : s.operations) op.updated_at = kStale;
  EXPECT_EQ(RederivableApplies(s), std::vector<int64_t>{1});
  EXPECT_EQ(DerivedState(s, 1).state, ApplyState::kCompleted);
  s.applies[0].state = ApplyState::kCompleted;
  EXPECT_TRUE(RederivableApplies(s).empty());  // already there
}

TEST(ReferenceRederive, ReleasedRowsHoldNothingAndSettledAppliesStay) {
  Snapshot s = OneApply({S::kCompleted, S::kWaitingForCutover}, "barrier");
  s.operations[0].updated_at = kStale;
  s.operations[1].lease_token.reset();  // released at the barrier, fresh heartbeat
  EXPECT_EQ(RederivableApplies(s), std::vector<int64_t>{1});
  s.applies[0].state = ApplyState::kFailed;  // a settled verdict is never re-derived
  EXPECT_TRUE(RederivableApplies(s).empty());
}

TEST(ReferenceRederive, AdmittedRetryIsLeftToArmD) {
  Snapshot s = OneApply({S::kFailedRetryable});
  s.operations[0].updated_at = kStale;
  EXPECT_TRUE(RederivableApplies(s).empty());  // stored running: arm D recovers it
  s.applies[0].state = ApplyState::kStopped;
  EXPECT_EQ(RederivableApplies(s), std::vector<int64_t>{1});
}

}  // namespace
}  // namespace ordo::reference

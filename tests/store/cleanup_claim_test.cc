// Conformance: the cleanup claim (Store::ClaimNextCleanup). Rows of a settled apply,
// or of one with a pending cancel, that no other gate hands out again — pending,
// stopped, failed_retryable, parked without a live holder — are leased with their
// state unchanged, so a driver can cancel them (and drop their shadow tables); so are
// rows failed by retry expiry, or completed at their swap, that still owe the cleanup
// of their target (Store::CompleteOwingCleanup) and whose holder is gone.
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

class CleanupClaim : public StoreSuite {
 protected:
  std::optional<ClaimedOperation> ClaimCleanup(const std::string& owner = "host/1/driver-1") {
    auto r = store_->ClaimNextCleanup(owner);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
};

TEST_P(CleanupClaim, CancelledApplysLeftoverRowsAreLeasedWithTheirStateUnchanged) {
  auto a = Create("barrier", "halt", 4);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCancelled, /*stale=*/true);
  SetOp(ids[1], S::kStopped, /*stale=*/true);  // had copied: shadow tables on the target
  SetOp(ids[2], S::kWaitingForCutover);
  Release(ids[2]);  // released at the barrier
  // ids[3] pending, never started
  SetApplySql(a.id, "state = 'cancelled'");
  std::vector<int64_t> got;
  while (auto c = ClaimCleanup()) {
    EXPECT_FALSE(c->lease.token.empty());
    OperationRecord now = Op(c->operation.id);
    EXPECT_EQ(now.state, c->operation.state) << "cleanup changes no state";
    EXPECT_EQ(now.lease_token, c->lease.token);
    got.push_back(c->operation.id);
    // What the claim's driver does with the row.
    ASSERT_TRUE(store_->TransitionOperation(c->lease, S::kCancelled).ok());
    if (got.size() > 4) break;
  }
  EXPECT_EQ(got, (std::vector<int64_t>{ids[1], ids[2], ids[3]}));
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  int claimed = 0;
  for (const auto& e : *events)
    claimed += e.kind == "claimed" && e.message.find("cleanup") != std::string::npos;
  EXPECT_EQ(claimed, 3);
}

TEST_P(CleanupClaim, PendingCancelReachesRowsOfAnApplyThatIsNotSettled) {
  auto a = Create("rolling", "pause", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed, /*stale=*/true);
  SetOp(ids[1], S::kStopped, /*stale=*/true);
  SetOp(ids[2], S::kStopped, /*stale=*/true);
  SetApplySql(a.id, "state = 'stopped'");
  EXPECT_FALSE(ClaimCleanup());  // a stopped apply is resumable: nothing to clean
  AddRequest(a.id, RequestKind::kCancel);
  auto c = ClaimCleanup();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[1]);
  EXPECT_EQ(c->operation.state, S::kStopped);
}

TEST_P(CleanupClaim, HaltedRolloutsRowsBehindTheFailureAreCleanedUp) {
  auto a = Create("barrier", "halt", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed, /*stale=*/true);
  SetOp(ids[1], S::kWaitingForCutover, /*stale=*/true);  // its holder went away
  SetOp(ids[2], S::kFailedRetryable, /*stale=*/true);
  SetApplySql(a.id, "state = 'failed'");
  auto first = ClaimCleanup();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->operation.id, ids[1]);
  auto second = ClaimCleanup();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->operation.id, ids[2]);
  EXPECT_EQ(second->operation.state, S::kFailedRetryable);
  EXPECT_FALSE(ClaimCleanup());
}

TEST_P(CleanupClaim, LiveLeasesAndWorkInFlightAreLeftAlone) {
  auto a = Create("parallel", "halt", 5);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailedRetryable);              // a live lease (no retry: the apply has ended)
  SetOp(ids[1], S::kWaitingForCutover);            // a keeper holds it
  SetOp(ids[2], S::kRunning, /*stale=*/true);      // arm B's to recover
  SetOp(ids[3], S::kCuttingOver, /*stale=*/true);  // a swap in flight finishes
  SetOp(ids[4], S::kCompleted, /*stale=*/true);
  SetApplySql(a.id, "state = 'cancelled'");
  EXPECT_FALSE(ClaimCleanup());
  SetOpSql(ids[0], "updated_at = " + StaleSql());
  auto c = ClaimCleanup();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_FALSE(ClaimCleanup());  // now held by the cleanup lease
}

TEST_P(CleanupClaim, AFreshlyStoppedRowOfAnApplyWithAPendingCancelIsTakenAtOnce) {
  // Its driver stopped it a moment ago: the transition released its lease, so the
  // cancel is served without a staleness window's wait.
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  auto driver = ClaimCopy();
  ASSERT_TRUE(driver);
  ASSERT_EQ(driver->operation.id, ids[0]);
  ASSERT_EQ(store_->RequestControl(a.id, RequestKind::kCancel, "alice")->outcome,
            RequestOutcome::kAccepted);
  // Its driver is asked to stop at its next safe point.
  ASSERT_TRUE(store_->TransitionOperation(driver->lease, S::kStopped).ok());
  auto c = ClaimCleanup();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_EQ(c->operation.state, S::kStopped);
  OperationRecord leased = Op(ids[0]);
  EXPECT_EQ(leased.state, S::kStopped);
  EXPECT_EQ(leased.lease_token, c->lease.token);
  ASSERT_TRUE(store_->TransitionOperation(c->lease, S::kCancelled).ok());
  auto next = ClaimCleanup();  // the pending row behind it
  ASSERT_TRUE(next);
  EXPECT_EQ(next->operation.id, ids[1]);
  EXPECT_FALSE(ClaimCleanup());
}

TEST_P(CleanupClaim, AStoppedRowACleanupDriverHoldsIsNotHandedOutAgain) {
  auto a = Create("rolling", "halt", 1);
  int64_t id = OpIds(a.id)[0];
  SetOp(id, S::kStopped, /*stale=*/true);
  SetApplySql(a.id, "state = 'cancelled'");
  auto first = ClaimCleanup("host/1/driver-1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->operation.id, id);
  EXPECT_FALSE(ClaimCleanup("host/2/driver-1"));  // leased, and the lease is live
  EXPECT_EQ(Op(id).lease_token, first->lease.token);
  SetOpSql(id, "updated_at = " + StaleSql());  // its driver went away
  auto second = ClaimCleanup("host/2/driver-1");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->operation.id, id);
}

TEST_P(CleanupClaim, ARowFailedByRetryExpiryIsTakenUntilItsTargetIsCleanedUp) {
  auto a = Create("parallel", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailedRetryable);  // had copied: shadow tables on the target
  SetOp(ids[1], S::kFailedRetryable);
  SetOpSql(ids[1], "started_at = NULL");  // never started: nothing on its target
  SetApplySql(a.id, "state = 'failed_retryable', attempt = 10, failed_at = " + NowSql());
  ASSERT_EQ(*store_->ExpireRetries(), 1);
  auto c = ClaimCleanup();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_EQ(c->operation.state, S::kFailed);
  EXPECT_TRUE(c->operation.cleanup_pending);
  size_t events = store_->ListEvents(a.id)->size();
  // Its driver removes what the row left on its target, then fails it again.
  ASSERT_TRUE(store_->TransitionOperation(c->lease, S::kFailed).ok());
  OperationRecord cleaned = Op(ids[0]);
  EXPECT_EQ(cleaned.state, S::kFailed);
  EXPECT_FALSE(cleaned.cleanup_pending);
  EXPECT_EQ(store_->ListEvents(a.id)->size(), events) << "no state changed";
  EXPECT_FALSE(ClaimCleanup());
}

TEST_P(CleanupClaim, ATurnEndsAtTheSwapAndTheNextDeploymentMaySwapBeforeTheOldTableIsGone) {
  auto a = Create("parallel", "halt", 2);
  auto ids = SetOps(a, {S::kCuttingOver, S::kWaitingForCutover});
  Release(ids[1]);
  EXPECT_FALSE(ClaimCutover()) << "the first deployment's turn is not over";
  ASSERT_TRUE(store_->CompleteOwingCleanup(LeaseOf(ids[0])).ok());
  OperationRecord done = Op(ids[0]);
  EXPECT_EQ(done.state, S::kCompleted);
  EXPECT_TRUE(done.cleanup_pending);
  EXPECT_EQ(done.lease_token, LeaseOf(ids[0]).token)
      << "its holder keeps the lease to drop the old table";
  EXPECT_TRUE(done.cutover_completed_at.has_value());
  EXPECT_TRUE(done.completed_at.has_value());
  // The turn is over: the second deployment swaps while the first still drops.
  auto next = ClaimCutover();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->operation.id, ids[1]);
  // A live holder's row is not handed to a cleanup driver.
  EXPECT_FALSE(ClaimCleanup());
  // A repeat writes nothing; `completed` again clears the flag.
  size_t events = store_->ListEvents(a.id)->size();
  ASSERT_TRUE(store_->CompleteOwingCleanup(LeaseOf(ids[0])).ok());
  EXPECT_TRUE(Op(ids[0]).cleanup_pending);
  ASSERT_TRUE(store_->TransitionOperation(LeaseOf(ids[0]), S::kCompleted).ok());
  EXPECT_FALSE(Op(ids[0]).cleanup_pending);
  EXPECT_EQ(store_->ListEvents(a.id)->size(), events) << "no state changed";
  // And once cleared, a repeat does not owe it again.
  ASSERT_TRUE(store_->CompleteOwingCleanup(LeaseOf(ids[0])).ok());
  EXPECT_FALSE(Op(ids[0]).cleanup_pending);
}

TEST_P(CleanupClaim, ARowCompletedAtItsSwapWhoseHolderDiedIsTakenUntilTheOldTableIsDropped) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCuttingOver);
  ASSERT_TRUE(store_->CompleteOwingCleanup(LeaseOf(ids[0])).ok());
  SetApplySql(a.id, "state = 'completed'");
  EXPECT_FALSE(ClaimCleanup()) << "its holder is alive";
  SetOpSql(ids[0], "updated_at = " + StaleSql());  // the holder died
  auto c = ClaimCleanup();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_EQ(c->operation.state, S::kCompleted);
  EXPECT_TRUE(c->operation.cleanup_pending);
  EXPECT_FALSE(ClaimCleanup()) << "the cleanup driver holds it now";
  ASSERT_TRUE(store_->TransitionOperation(c->lease, S::kCompleted).ok());
  EXPECT_FALSE(Op(ids[0]).cleanup_pending);
  SetOpSql(ids[0], "updated_at = " + StaleSql());
  EXPECT_FALSE(ClaimCleanup());
  // The old holder's lease is gone.
  EXPECT_TRUE(
      store_->TransitionOperation(LeaseOf(ids[0]), S::kCompleted).Is(StatusCode::kLeaseLost));
}

TEST_P(CleanupClaim, OnlyTheEndOfATurnCompletesWithTheCleanupOwed) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  for (S state : {S::kRunning, S::kWaitingForCutover, S::kRevertWindow, S::kFailed}) {
    SetOp(ids[0], state);
    Status s = store_->CompleteOwingCleanup(LeaseOf(ids[0]));
    EXPECT_TRUE(s.Is(StatusCode::kFailedPrecondition)) << ToString(state) << ": " << s.ToString();
    EXPECT_EQ(Op(ids[0]).state, state);
    EXPECT_FALSE(Op(ids[0]).cleanup_pending);
  }
  SetOp(ids[0], S::kCuttingOver);
  EXPECT_TRUE(store_->CompleteOwingCleanup({ids[0], "host/9/driver-1", "not-the-token"})
                  .Is(StatusCode::kLeaseLost));
  EXPECT_EQ(Op(ids[0]).state, S::kCuttingOver);
}

TEST_P(CleanupClaim, ActiveAppliesWithoutACancelAreNeverTouched) {
  auto a = Create("rolling", "continue", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed, /*stale=*/true);
  SetOp(ids[1], S::kFailedRetryable, /*stale=*/true);
  SetApplySql(a.id, "state = 'failed_retryable'");
  auto stopped = Create("rolling", "halt", 2);
  for (int64_t id : OpIds(stopped.id)) SetOp(id, S::kStopped, /*stale=*/true);
  SetApplySql(stopped.id, "state = 'stopped'");
  EXPECT_FALSE(ClaimCleanup());
}

// The claim looks only at applies that have ended and still have idle rows, found
// among applies in flight (whose pending rows it does not read) and settled ones
// without idle rows; their rows and an owed row come in (created_at, id) order.
TEST_P(CleanupClaim, EndedAppliesAmongAppliesInFlightAreTakenInCreatedAtOrder) {
  auto in_flight = [&] { return Create("rolling", "halt", 3); };  // pending rows, not ended
  in_flight();
  auto halted = Create("rolling", "halt", 3);  // failed: the rows behind the failure
  auto h = OpIds(halted.id);
  SetOp(h[0], S::kFailed, /*stale=*/true);
  SetApplySql(halted.id, "state = 'failed'");
  in_flight();
  auto cancelling = Create("rolling", "halt", 2);  // stopped, a cancel pending
  auto c = OpIds(cancelling.id);
  for (int64_t id : c) {
    SetOp(id, S::kStopped);
    Release(id);
  }
  SetApplySql(cancelling.id, "state = 'stopped'");
  AddRequest(cancelling.id, RequestKind::kCancel);
  in_flight();
  auto done = Create("rolling", "halt", 2);  // settled, nothing idle left
  for (int64_t id : OpIds(done.id)) SetOp(id, S::kCompleted, /*stale=*/true);
  SetApplySql(done.id, "state = 'completed'");
  auto owing = in_flight();  // in flight, one row owes its cleanup
  int64_t owed = OpIds(owing.id)[0];
  SetOp(owed, S::kFailed, /*stale=*/true);
  SetOpSql(owed, "cleanup_pending = 1, lease_token = NULL, lease_owner = NULL");
  SetApplySql(owing.id, "state = 'running'");
  auto cancelled = Create("rolling", "halt", 2);  // cancelled before its rows started
  auto k = OpIds(cancelled.id);
  SetOp(k[0], S::kCancelled, /*stale=*/true);
  SetApplySql(cancelled.id, "state = 'cancelled'");
  in_flight();
  // Creation order, earliest first: cancelled, cancelling, the owed row, halted.
  SetCreatedAgo({{k[1], 4'000'000},
                 {c[0], 3'000'000},
                 {c[1], 3'000'000},
                 {owed, 2'000'000},
                 {h[1], 1'000'000},
                 {h[2], 1'000'000}});

  std::vector<int64_t> want = {k[1], c[0], c[1], owed, h[1], h[2]};
  std::vector<int64_t> got;
  while (auto claimed = ClaimCleanup()) {
    got.push_back(claimed->operation.id);
    S end = claimed->operation.state == S::kFailed ? S::kFailed : S::kCancelled;
    ASSERT_TRUE(store_->TransitionOperation(claimed->lease, end).ok());
    if (got.size() > want.size()) break;
  }
  EXPECT_EQ(got, want);
}

TEST_P(CleanupClaim, EmptyOwnerIsLeaseLost) {
  EXPECT_TRUE(store_->ClaimNextCleanup("").status().Is(StatusCode::kLeaseLost));
}

ORDO_INSTANTIATE_STORE_SUITE(CleanupClaim);

}  // namespace
}  // namespace ordo::testing

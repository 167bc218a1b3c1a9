// Conformance: re-deriving the applies nobody holds (Store::RederiveUnheldApplies).
// A driver that stops between an operation's transition and the apply's swap (a
// crash, a shutdown) leaves the apply's stored state behind its rows; once no lease on
// any of its rows is live, housekeeping moves it to what the rows derive to.
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

class Rederive : public StoreSuite {
 protected:
  int RederiveNow() {
    auto moved = store_->RederiveUnheldApplies();
    EXPECT_TRUE(moved.ok()) << moved.status().ToString();
    return moved.ok() ? *moved : -1;
  }
  void MakeStale(int64_t op_id) { SetOpSql(op_id, "updated_at = " + StaleSql()); }
  // The last apply-level state_change event.
  std::vector<EventRecord> ApplyEvents(int64_t apply_id) {
    auto events = store_->ListEvents(apply_id);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<EventRecord> out;
    if (events.ok())
      for (const auto& e : *events)
        if (e.kind == "state_change" && !e.operation_id) out.push_back(e);
    return out;
  }
};

TEST_P(Rederive, LastTransitionWithoutTheSwapSettlesTheApplyOnceItsLeaseIsStale) {
  auto a = Create("rolling", "halt", 1);
  auto claimed = ClaimCopy();
  ASSERT_TRUE(claimed);
  auto swapped = store_->CasApplyState(claimed->lease, ApplyState::kPending, ApplyState::kRunning);
  ASSERT_TRUE(swapped.ok() && *swapped);
  ASSERT_EQ(store_->RequestControl(a.id, RequestKind::kCutover, "op")->outcome,
            RequestOutcome::kAccepted);
  // The driver's last transition; it crashes before its swap.
  ASSERT_TRUE(store_->TransitionOperation(claimed->lease, S::kCompleted).ok());

  EXPECT_EQ(RederiveNow(), 0);  // the lease is live: its holder may still swap
  EXPECT_EQ(Apply(a.id).state, ApplyState::kRunning);

  MakeStale(claimed->lease.operation_id);
  EXPECT_EQ(RederiveNow(), 1);
  ApplyRecord settled = Apply(a.id);
  EXPECT_EQ(settled.state, ApplyState::kCompleted);
  EXPECT_TRUE(settled.completed_at.has_value());
  auto events = ApplyEvents(a.id);
  ASSERT_FALSE(events.empty());
  const EventRecord* event = &events.back();
  EXPECT_EQ(event->from_state, "running");
  EXPECT_EQ(event->to_state, "completed");
  EXPECT_NE(event->message.find("re-derived"), std::string::npos) << event->message;
  auto requests = *store_->ListRequests(a.id);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status, RequestStatus::kCompleted);  // moot, as after a swap
  EXPECT_EQ(requests[0].error, "moot: apply completed");
  EXPECT_EQ(RederiveNow(), 0);  // nothing left to move
}

TEST_P(Rederive, LiveLeaseOnAnyRowKeepsTheStoredState) {
  auto a = Create("parallel", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCompleted, /*stale=*/true);
  SetOp(ids[1], S::kRunning);  // its holder heartbeats
  EXPECT_EQ(RederiveNow(), 0);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kPending);
  MakeStale(ids[1]);  // the holder is gone too
  EXPECT_EQ(RederiveNow(), 1);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kRunning);
}

TEST_P(Rederive, RowsReleasedAtTheBarrierHoldNothing) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCompleted, /*stale=*/true);
  SetOp(ids[1], S::kWaitingForCutover);  // fresh heartbeat, but no token
  Release(ids[1]);
  SetApplySql(a.id, "state = 'running'");
  EXPECT_EQ(RederiveNow(), 1);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kWaitingForCutover);
}

TEST_P(Rederive, FailedRowUnderHaltFailsTheApplyNamingIt) {
  auto a = Create("rolling", "halt", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCompleted, /*stale=*/true);
  SetOp(ids[1], S::kFailed, /*stale=*/true);
  SetOpSql(ids[1], "error = 'boom'");
  SetApplySql(a.id, "state = 'running'");
  EXPECT_EQ(RederiveNow(), 1);
  ExpectApply(a.id, ApplyState::kFailed, "deployment d2 failed: boom");
  EXPECT_EQ(Op(ids[2]).state, S::kPending);  // rows are not touched
}

TEST_P(Rederive, ARevertWindowKeepsAHaltedApplyUnsettledUntilItEnds) {
  auto a = Create("rolling", "halt", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kRevertWindow, /*stale=*/true);
  SetOp(ids[1], S::kFailed, /*stale=*/true);
  SetOpSql(ids[1], "error = 'boom'");
  SetApplySql(a.id, "state = 'running'");
  AddRequest(a.id, RequestKind::kRevert);
  EXPECT_EQ(RederiveNow(), 1);
  ExpectApply(a.id, ApplyState::kRevertWindow, "deployment d2 failed: boom");    // not settled
  EXPECT_EQ(store_->ListRequests(a.id)->at(0).status, RequestStatus::kPending);  // not moot
  EXPECT_EQ(RederiveNow(), 0);  // revert_window is what it derives to

  SetOp(ids[0], S::kCompleted, /*stale=*/true);  // the window ended
  EXPECT_EQ(RederiveNow(), 1);
  ExpectApply(a.id, ApplyState::kFailed, "deployment d2 failed: boom");
}

TEST_P(Rederive, ARevertedDeploymentEndsItsApplyReverted) {
  auto a = Create("rolling", "continue", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCompleted, /*stale=*/true);
  SetOp(ids[1], S::kReverted, /*stale=*/true);
  SetOp(ids[2], S::kCancelled, /*stale=*/true);
  SetApplySql(a.id, "state = 'revert_window'");
  EXPECT_EQ(RederiveNow(), 1);
  ExpectApply(a.id, ApplyState::kReverted);
}

TEST_P(Rederive, AdmittedRetryIsLeftToTheCopyClaim) {
  auto a = Create("rolling", "halt", 1);
  int64_t op = OpIds(a.id)[0];
  // Redispatched (the apply went back to running), then its driver went away.
  SetOp(op, S::kFailedRetryable, /*stale=*/true);
  SetApplySql(a.id, "state = 'running', attempt = 1, updated_at = " + StaleSql());
  EXPECT_EQ(RederiveNow(), 0);
  auto recovered = ClaimCopy();  // arm D's crash recovery, without spending budget
  ASSERT_TRUE(recovered);
  EXPECT_EQ(recovered->operation.id, op);
  EXPECT_EQ(Apply(a.id).attempt, 1);
}

TEST_P(Rederive, StoppedApplyWithARetryableRowBecomesRetryable) {
  auto a = Create("rolling", "halt", 1);
  int64_t op = OpIds(a.id)[0];
  SetOp(op, S::kFailedRetryable, /*stale=*/true);
  SetApplySql(a.id, "state = 'stopped'");
  EXPECT_EQ(RederiveNow(), 1);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kFailedRetryable);
}

TEST_P(Rederive, ReleaseMovesAPausedApplyNobodyHolds) {
  auto a = Create("rolling", "pause", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed, /*stale=*/true);
  SetApplySql(a.id, "state = 'paused'");
  EXPECT_EQ(RederiveNow(), 0);  // paused is what it derives to
  ASSERT_EQ(store_->RequestControl(a.id, RequestKind::kRelease, "op")->outcome,
            RequestOutcome::kAccepted);
  EXPECT_EQ(RederiveNow(), 1);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kRunningDegraded);
}

TEST_P(Rederive, SettledAppliesAreNeverMoved) {
  // Retry expiry fails an apply outright although a continue rollout's rows derive to
  // running_degraded; a settled verdict stays.
  auto a = Create("rolling", "continue", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed, /*stale=*/true);
  SetApplySql(a.id, "state = 'failed'");
  auto b = Create("rolling", "halt", 1);
  SetOp(OpIds(b.id)[0], S::kRunning, /*stale=*/true);
  SetApplySql(b.id, "state = 'cancelled'");
  EXPECT_EQ(RederiveNow(), 0);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kFailed);
  EXPECT_EQ(Apply(b.id).state, ApplyState::kCancelled);
}

TEST_P(Rederive, TwoStoresMoveEachApplyOnce) {
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto a = Create("rolling", "halt", 1);
  SetOp(OpIds(a.id)[0], S::kCompleted, /*stale=*/true);
  SetApplySql(a.id, "state = 'running'");
  EXPECT_EQ(RederiveNow(), 1);
  auto again = (*other)->RederiveUnheldApplies();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(ApplyEvents(a.id).size(), 1u);
}

ORDO_INSTANTIATE_STORE_SUITE(Rederive);

}  // namespace
}  // namespace ordo::testing

// Conformance: leases and fenced writes.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ordo/sync_point.h"
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

class Leases : public StoreSuite {
 protected:
  // Claims the apply's first operation, then lets a second owner steal it after its
  // heartbeat went stale. Returns {old lease, current lease}.
  std::pair<Lease, Lease> ClaimThenSteal(int64_t op_id) {
    auto first = ClaimCopy("host/1/driver-1");
    EXPECT_TRUE(first && first->operation.id == op_id);
    SetOpSql(op_id, "updated_at = " + StaleSql());
    auto second = ClaimCopy("host/2/driver-1");
    EXPECT_TRUE(second && second->operation.id == op_id);
    if (!first || !second) return {};
    return {first->lease, second->lease};
  }
};

TEST_P(Leases, StaleTokenWritesFailAndChangeNothing) {
  auto a = Create("rolling", "halt", 1);
  int64_t id = OpIds(a.id)[0];
  auto [old_lease, lease] = ClaimThenSteal(id);
  auto changes = store_->ListChanges(id);
  ASSERT_TRUE(changes.ok() && changes->size() == 1);
  int64_t change_id = (*changes)[0].id;
  OperationRecord before = Op(id);
  ChangeProgress progress{change_id, "copying", 10,           100,         10.0,
                          5,         false,     std::nullopt, std::nullopt};

  EXPECT_TRUE(store_->Heartbeat(old_lease).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(
      store_->TransitionOperation(old_lease, S::kWaitingForCutover).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(store_->TransitionOperation(old_lease, S::kCompleted).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(
      store_->TransitionOperation(old_lease, S::kFailed, "boom").Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(store_->SaveProgress(old_lease, {progress}).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(store_->SaveResumeState(old_lease, R"({"pos":1})").Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(store_->Park(old_lease).Is(StatusCode::kLeaseLost));
  OperationRecord after = Op(id);
  EXPECT_EQ(after.state, before.state);
  EXPECT_EQ(after.updated_at, before.updated_at);
  EXPECT_EQ(after.lease_token, before.lease_token);
  EXPECT_EQ(after.resume_state, before.resume_state);
  EXPECT_EQ(after.completed_at, before.completed_at);
  EXPECT_EQ((*store_->ListChanges(id))[0].rows_copied, 0);

  EXPECT_TRUE(store_->Heartbeat(lease).ok());
  EXPECT_TRUE(store_->SaveProgress(lease, {progress}).ok());
  EXPECT_TRUE(store_->SaveResumeState(lease, R"({"pos":1})").ok());
  EXPECT_TRUE(store_->TransitionOperation(lease, S::kCuttingOver).ok());
  EXPECT_TRUE(store_->TransitionOperation(lease, S::kCompleted).ok());
  OperationRecord done = Op(id);
  EXPECT_EQ(done.state, S::kCompleted);
  EXPECT_EQ(done.resume_state, R"({"pos":1})");
  EXPECT_TRUE(done.cutover_started_at && done.cutover_completed_at && done.completed_at);
  auto progressed = (*store_->ListChanges(id))[0];
  EXPECT_EQ(progressed.rows_copied, 10);
  EXPECT_EQ(progressed.state, "copying");
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(events.ok());
  int lost = 0;
  for (const auto& e : *events) lost += e.kind == "lease_lost";
  EXPECT_GE(lost, 1);
}

TEST_P(Leases, ParkReleasesTheLease) {  // park is a fenced write too
  auto a = Create("barrier", "halt", 2);
  int64_t id = OpIds(a.id)[0];
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  ASSERT_TRUE(store_->Park(c->lease).ok());
  OperationRecord parked = Op(id);
  EXPECT_EQ(parked.state, S::kWaitingForCutover);
  EXPECT_FALSE(parked.lease_token.has_value());
  EXPECT_FALSE(parked.lease_owner.has_value());
  EXPECT_TRUE(store_->Heartbeat(c->lease).Is(StatusCode::kLeaseLost));
}

TEST_P(Leases, ParkIsRefusedOutsideTheCopyAndParkedStates) {  // park's state guard
  auto a = Create("parallel", "halt", 2);
  auto ids = OpIds(a.id);
  for (S state : {S::kCuttingOver, S::kRevertWindow, S::kCompleted, S::kFailed, S::kFailedRetryable,
                  S::kStopped, S::kCancelled}) {
    SetOp(ids[0], state);
    size_t events = store_->ListEvents(a.id)->size();
    Status parked = store_->Park(LeaseOf(ids[0]));
    EXPECT_TRUE(parked.Is(StatusCode::kFailedPrecondition))
        << ToString(state) << ": " << parked.ToString();
    EXPECT_EQ(Op(ids[0]).state, state);
    EXPECT_EQ(Op(ids[0]).lease_token, LeaseOf(ids[0]).token);
    EXPECT_EQ(store_->ListEvents(a.id)->size(), events);
  }
  for (S state : {S::kRunning, S::kResuming, S::kWaitingForCutover}) {
    SetOp(ids[1], state);
    EXPECT_TRUE(store_->Park(LeaseOf(ids[1])).ok()) << ToString(state);
    EXPECT_EQ(Op(ids[1]).state, S::kWaitingForCutover);
    EXPECT_FALSE(Op(ids[1]).lease_token.has_value());
  }
  SetOp(ids[0], S::kCuttingOver);
  Lease stale = LeaseOf(ids[0]);
  stale.token = "an-old-token";
  EXPECT_TRUE(store_->Park(stale).Is(StatusCode::kLeaseLost));  // the fence comes first
}

TEST_P(Leases, MarksAreIdempotentAndKeepFirstTimestamps) {
  auto a = Create("parallel", "halt", 2);
  auto ids = OpIds(a.id);
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  OperationRecord running = Op(ids[0]);
  SetOpSql(ids[0], "started_at = " + backend_->MicrosAgoSql(1'000'000));
  Micros started = Op(ids[0]).started_at.value();
  EXPECT_TRUE(store_->TransitionOperation(c->lease, S::kRunning).ok());
  EXPECT_EQ(Op(ids[0]).started_at, started);
  ASSERT_TRUE(store_->TransitionOperation(c->lease, S::kCompleted).ok());
  SetOpSql(ids[0], "completed_at = " + backend_->MicrosAgoSql(1'000'000));
  Micros completed = Op(ids[0]).completed_at.value();
  EXPECT_TRUE(store_->TransitionOperation(c->lease, S::kCompleted).ok());
  EXPECT_EQ(Op(ids[0]).completed_at, completed);
  EXPECT_EQ(Op(ids[0]).started_at, started);

  auto d = ClaimCopy();
  ASSERT_TRUE(d);
  ASSERT_TRUE(store_->TransitionOperation(d->lease, S::kFailed, "boom").ok());
  SetOpSql(ids[1], "completed_at = " + backend_->MicrosAgoSql(1'000'000));
  Micros failed = Op(ids[1]).completed_at.value();
  EXPECT_TRUE(store_->TransitionOperation(d->lease, S::kFailed).ok());
  EXPECT_EQ(Op(ids[1]).completed_at, failed);
  EXPECT_EQ(Op(ids[1]).error, "boom");

  Lease missing{ids[1] + 1000, "host/1/driver-1", "tok"};
  EXPECT_TRUE(store_->TransitionOperation(missing, S::kCompleted).Is(StatusCode::kNotFound));
  EXPECT_TRUE(store_->Heartbeat(missing).Is(StatusCode::kNotFound));
  EXPECT_TRUE(store_->SaveResumeState(missing, "{}").Is(StatusCode::kNotFound));
}

TEST_P(Leases, EmptyLeaseIsLeaseLost) {
  Lease empty{1, "", ""};
  EXPECT_TRUE(store_->Heartbeat(empty).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(store_->TransitionOperation(empty, S::kRunning).Is(StatusCode::kLeaseLost));
}

// Scenario 36: the old holder's write is issued while a steal is uncommitted. It must
// wait for the thief's transaction and then fail with lease-lost. The thief pauses
// before its commit until the old write is seen waiting for the lock (the backend's
// "Store::WaitingForLock" sync point); a backend that cannot signal a lock wait is
// released by a deadline instead, which still checks the outcome, only less sharply.
TEST_P(Leases, DisplacedWriteDuringUncommittedStealWaitsThenLosesLease) {
  auto a = Create("rolling", "halt", 1);
  int64_t id = OpIds(a.id)[0];
  SetOp(id, S::kRunning, /*stale=*/true);
  Lease old_lease = LeaseOf(id);
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();

  auto& sp = SyncPoints::Get();
  sp.LoadDependencies({{"Store::ClaimCopy:AfterUpdate", "Test:OldWriteIssued"},
                       {"Test:OldWriteWaiting", "Store::ClaimCopy:BeforeCommit"}});
  sp.SetCallback("Store::WaitingForLock", [] { ORDO_SYNC_POINT("Test:OldWriteWaiting"); });
  sp.Enable();
  std::mutex mu;
  std::condition_variable cv;
  bool issued = false;
  Status old_write;
  std::thread old_driver([&] {
    ORDO_SYNC_POINT("Test:OldWriteIssued");
    {
      std::lock_guard<std::mutex> l(mu);
      issued = true;
    }
    cv.notify_all();
    old_write = (*other)->Heartbeat(old_lease);
  });
  std::thread deadline([&] {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return issued; });
    cv.wait_for(l, std::chrono::seconds(2));
    l.unlock();
    ORDO_SYNC_POINT("Test:OldWriteWaiting");
  });
  auto stolen = store_->ClaimNextCopy("host/2/driver-1");
  old_driver.join();
  {
    std::lock_guard<std::mutex> l(mu);
    issued = true;
  }
  cv.notify_all();
  deadline.join();
  sp.DisableAndClear();

  ASSERT_TRUE(stolen.ok()) << stolen.status().ToString();
  ASSERT_TRUE(stolen->has_value());
  EXPECT_TRUE(old_write.Is(StatusCode::kLeaseLost)) << old_write.ToString();
  EXPECT_EQ(Op(id).lease_token, (*stolen)->lease.token);
  EXPECT_TRUE(store_->Heartbeat((*stolen)->lease).ok());
  EXPECT_TRUE(store_->TransitionOperation((*stolen)->lease, S::kWaitingForCutover).ok());
}

TEST_P(Leases, ApplyStateCasSwapsOnlyFromTheExpectedState) {
  auto a = Create("rolling", "halt", 2);
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  auto wrong = store_->CasApplyState(c->lease, ApplyState::kRunning, ApplyState::kCompleted);
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(*wrong);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kPending);
  auto swapped = store_->CasApplyState(c->lease, ApplyState::kPending, ApplyState::kRunning);
  ASSERT_TRUE(swapped.ok());
  EXPECT_TRUE(*swapped);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kRunning);
  EXPECT_TRUE(Apply(a.id).started_at.has_value());
  auto same = store_->CasApplyState(c->lease, ApplyState::kRunning, ApplyState::kRunning);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(*same);

  SetOpSql(c->operation.id, "updated_at = " + StaleSql());
  auto thief = ClaimCopy("host/2/driver-1");
  ASSERT_TRUE(thief);
  auto lost = store_->CasApplyState(c->lease, ApplyState::kRunning, ApplyState::kFailed);
  EXPECT_TRUE(lost.status().Is(StatusCode::kLeaseLost));
  auto lost_wrong = store_->CasApplyState(c->lease, ApplyState::kPaused, ApplyState::kFailed);
  EXPECT_TRUE(lost_wrong.status().Is(StatusCode::kLeaseLost)) << "never 'not swapped'";
  EXPECT_EQ(Apply(a.id).state, ApplyState::kRunning);
}

TEST_P(Leases, AStoppedTransitionReleasesTheLeaseAndMovesTheApply) {
  auto a = Create("rolling", "halt", 2);
  auto ids = SetOps(a, {S::kCompleted, S::kRunning});
  SetApplySql(a.id, "state = 'running'");
  ASSERT_TRUE(store_->TransitionOperation(LeaseOf(ids[1]), S::kStopped).ok());
  OperationRecord stopped = Op(ids[1]);
  EXPECT_EQ(stopped.state, S::kStopped);
  EXPECT_FALSE(stopped.lease_token.has_value());
  EXPECT_FALSE(stopped.lease_owner.has_value());
  EXPECT_FALSE(stopped.completed_at.has_value()) << "stopped is resumable";
  ExpectApply(a.id, ApplyState::kStopped);
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(events.ok());
  bool apply_moved = false;
  for (const auto& e : *events)
    apply_moved |= !e.operation_id && e.kind == "state_change" && e.from_state == "running" &&
                   e.to_state == "stopped";
  EXPECT_TRUE(apply_moved);
  // The driver holds nothing more: its writes, a repeated stop included, are LeaseLost.
  EXPECT_TRUE(store_->TransitionOperation(LeaseOf(ids[1]), S::kStopped).Is(StatusCode::kLeaseLost));
  EXPECT_TRUE(store_->Heartbeat(LeaseOf(ids[1])).Is(StatusCode::kLeaseLost));
  EXPECT_EQ(Op(ids[1]).updated_at, stopped.updated_at);
}

TEST_P(Leases, ApplyErrorIsWrittenWhenOnlyItChanged) {
  // d1 is in its revert window (the apply stays there) when d2 fails.
  auto a = Create("rolling", "halt", 3);
  auto ids = SetOps(a, {S::kRevertWindow, S::kFailed});
  SetApplySql(a.id, "state = 'revert_window'");
  size_t events = store_->ListEvents(a.id)->size();
  ApplyRecord before = Apply(a.id);
  const std::string error = "deployment d2 failed: boom";
  auto swapped = store_->CasApplyState(LeaseOf(ids[1]), ApplyState::kRevertWindow,
                                       ApplyState::kRevertWindow, error);
  ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
  EXPECT_TRUE(*swapped);
  ApplyRecord after = Apply(a.id);
  EXPECT_EQ(after.state, ApplyState::kRevertWindow);
  EXPECT_EQ(after.error, error);
  EXPECT_FALSE(after.completed_at.has_value());
  EXPECT_EQ(after.started_at, before.started_at);
  EXPECT_EQ(store_->ListEvents(a.id)->size(), events) << "no state changed";
  // Without an error, or with the same one, nothing is written; the wrong expected
  // state still answers false.
  EXPECT_TRUE(*store_->CasApplyState(LeaseOf(ids[1]), ApplyState::kRevertWindow,
                                     ApplyState::kRevertWindow));
  EXPECT_EQ(Apply(a.id).error, error);
  EXPECT_FALSE(*store_->CasApplyState(LeaseOf(ids[1]), ApplyState::kRunning, ApplyState::kRunning,
                                      "deployment d3 failed: other"));
  EXPECT_EQ(Apply(a.id).error, error);
  Lease stale = LeaseOf(ids[1]);
  stale.token = "an-old-token";
  EXPECT_TRUE(store_
                  ->CasApplyState(stale, ApplyState::kRevertWindow, ApplyState::kRevertWindow,
                                  "deployment d3 failed: other")
                  .status()
                  .Is(StatusCode::kLeaseLost));
  EXPECT_EQ(Apply(a.id).error, error);
}

ORDO_INSTANTIATE_STORE_SUITE(Leases);

}  // namespace
}  // namespace ordo::testing

// Conformance: the copy claim.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ordo/sync_point.h"
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

class CopyClaim : public StoreSuite {
 protected:
  // The id the copy claim returns, or 0 for nothing.
  int64_t NextCopy() {
    auto c = ClaimCopy();
    return c ? c->operation.id : 0;
  }
  void Complete(const Lease& lease) {
    ASSERT_TRUE(store_->TransitionOperation(lease, S::kCompleted).ok());
  }
};

TEST_P(CopyClaim, RollingStartsDeploymentsStrictlyInOrder) {
  auto a = Create("rolling");
  auto ids = OpIds(a.id);
  auto first = ClaimCopy();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->operation.id, ids[0]);
  EXPECT_EQ(first->operation.state, S::kPending);  // state from before the claim
  EXPECT_EQ(first->apply_external_id, a.external_id);
  OperationRecord stored = Op(ids[0]);
  EXPECT_EQ(stored.state, S::kRunning);
  EXPECT_EQ(stored.lease_token, first->lease.token);
  EXPECT_EQ(stored.lease_owner, "host/1/driver-1");
  EXPECT_TRUE(stored.started_at.has_value());
  EXPECT_EQ(NextCopy(), 0);
  Complete(first->lease);
  auto second = ClaimCopy();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->operation.id, ids[1]);
  EXPECT_EQ(NextCopy(), 0);
  Complete(second->lease);
  EXPECT_EQ(NextCopy(), ids[2]);
}

TEST_P(CopyClaim, PendingStartRequestNeverReorders) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kRunning);
  AddRequest(a.id, RequestKind::kStart);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, HaltBlocksLaterDeploymentsHoweverOldTheFailure) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed, /*stale=*/true);
  SetOpSql(ids[0], "completed_at = " + backend_->MicrosAgoSql(int64_t{86'400} * 30 * 1'000'000));
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, ContinueLetsLaterDeploymentStartAfterTerminalFailure) {
  auto a = Create("rolling", "continue", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed);
  EXPECT_EQ(NextCopy(), ids[1]);
}

TEST_P(CopyClaim, ContinueExcusesOnlyTerminalFailure) {
  for (S blocker : {S::kRunning, S::kFailedRetryable, S::kStopped, S::kCancelled}) {
    auto a = Create("rolling", "continue", 2);
    auto ids = OpIds(a.id);
    SetOp(ids[0], blocker);
    EXPECT_EQ(NextCopy(), 0) << ToString(blocker);
    SetOp(ids[0], S::kCompleted);  // clear the way for the next case's apply
    SetOp(ids[1], S::kCompleted);
  }
}

TEST_P(CopyClaim, UnknownOnFailureFailsClosedToHalt) {
  auto a = Create("rolling", "continue", 2);
  auto ids = OpIds(a.id);
  // CreateApply refuses it; a row written from outside ordo may still carry one.
  for (int64_t id : ids) SetOpSql(id, "on_failure = 'bogus'");
  SetOp(ids[0], S::kFailed);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, PauseBlocksUntilAReleaseLatches) {
  auto a = Create("rolling", "pause", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed);
  EXPECT_EQ(NextCopy(), 0);
  AddRequest(a.id, RequestKind::kRelease, RequestStatus::kPending);
  EXPECT_EQ(NextCopy(), ids[1]);
  SetOp(ids[1], S::kPending);
  SetRequest(a.id, RequestKind::kRelease, RequestStatus::kCompleted);
  EXPECT_EQ(NextCopy(), ids[1]);
  SetOp(ids[1], S::kPending);
  SetRequest(a.id, RequestKind::kRelease, RequestStatus::kFailed);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, StopBeatsRelease) {
  auto a = Create("rolling", "pause", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed);
  AddRequest(a.id, RequestKind::kRelease, RequestStatus::kCompleted);
  AddRequest(a.id, RequestKind::kStop);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, BarrierLetsLaterDeploymentCopyWhileEarlierIsParked) {
  for (S parked : {S::kWaitingForCutover, S::kCuttingOver, S::kRevertWindow}) {
    auto a = Create("barrier", "halt", 2);
    auto ids = OpIds(a.id);
    SetOp(ids[0], parked);
    EXPECT_EQ(NextCopy(), ids[1]) << ToString(parked);
  }
}

TEST_P(CopyClaim, RollingDoesNotRelaxForParkedEarlierDeployment) {
  for (S parked : {S::kWaitingForCutover, S::kCuttingOver, S::kRevertWindow}) {
    auto a = Create("rolling", "halt", 2);
    auto ids = OpIds(a.id);
    SetOp(ids[0], parked);
    EXPECT_EQ(NextCopy(), 0) << ToString(parked);
    SetOp(ids[0], S::kCompleted);
    SetOp(ids[1], S::kCompleted);
  }
}

TEST_P(CopyClaim, BarrierStillWaitsForCopyingSiblings) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kRunning);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, BarrierKeepsHalt) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed);
  EXPECT_EQ(NextCopy(), 0);
}

// A barrier start decides on the earlier siblings as they are once no other
// transaction writes them: a claim that begins while an earlier sibling's failure is
// written but not committed waits for that commit and then starts nothing (halt). The
// failing driver pauses before its commit until the claim is seen waiting for a lock
// ("Store::WaitingForLock"); where the wait is inside a statement and cannot be
// signalled, a deadline releases it, which still checks the outcome.
TEST_P(CopyClaim, BarrierStartWaitsForAnEarlierSiblingsUncommittedFailure) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCuttingOver);  // fresh lease: its driver is swapping
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();

  auto& sp = SyncPoints::Get();
  sp.LoadDependencies(
      {{"Test:FailureWritten", "Test:ClaimBegins"}, {"Test:ClaimWaiting", "Test:CommitFailure"}});
  sp.SetCallback("Store::FencedWrite:BeforeCommit", [] {
    ORDO_SYNC_POINT("Test:FailureWritten");
    ORDO_SYNC_POINT("Test:CommitFailure");
  });
  sp.SetCallback("Store::WaitingForLock", [] { ORDO_SYNC_POINT("Test:ClaimWaiting"); });
  sp.Enable();
  std::mutex mu;
  std::condition_variable cv;
  bool claim_done = false;
  Status failed;
  std::thread driver(
      [&] { failed = (*other)->TransitionOperation(LeaseOf(ids[0]), S::kFailed, "swap failed"); });
  std::thread deadline([&] {
    ORDO_SYNC_POINT("Test:ClaimBegins");
    std::unique_lock<std::mutex> l(mu);
    cv.wait_for(l, std::chrono::seconds(2), [&] { return claim_done; });
    l.unlock();
    ORDO_SYNC_POINT("Test:ClaimWaiting");
  });
  ORDO_SYNC_POINT("Test:ClaimBegins");
  auto claimed = store_->ClaimNextCopy("host/2/driver-1");
  {
    std::lock_guard<std::mutex> l(mu);
    claim_done = true;
  }
  cv.notify_all();
  deadline.join();
  driver.join();
  sp.DisableAndClear();

  ASSERT_TRUE(failed.ok()) << failed.ToString();
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_FALSE(claimed->has_value())
      << "started behind an earlier deployment whose failure was being written";
  EXPECT_EQ(Op(ids[0]).state, S::kFailed);
  EXPECT_EQ(Op(ids[1]).state, S::kPending);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, ParallelHasNoCopyGate) {
  auto a = Create("parallel", "halt", 2);
  auto ids = OpIds(a.id);
  EXPECT_EQ(NextCopy(), ids[0]);  // first in order
  EXPECT_EQ(NextCopy(), ids[1]);  // A running does not block
  SetOp(ids[0], S::kFailed);
  SetOp(ids[1], S::kPending);
  EXPECT_EQ(NextCopy(), ids[1]);  // nor does a failed A, even under halt
}

TEST_P(CopyClaim, PendingStopHaltsStarts) {
  auto a = Create("rolling", "continue", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed);
  AddRequest(a.id, RequestKind::kStop);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, StopDoesNotBlockRecoveryOfStaleWork) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kRunning, /*stale=*/true);
  AddRequest(a.id, RequestKind::kStop);
  auto c = ClaimCopy("host/2/driver-1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_EQ(c->operation.state, S::kRunning);
  OperationRecord stored = Op(ids[0]);
  EXPECT_EQ(stored.state, S::kRunning);
  EXPECT_NE(stored.lease_token, "tok-" + std::to_string(ids[0]));
  EXPECT_EQ(stored.lease_token, c->lease.token);
}

TEST_P(CopyClaim, FreshActiveRowsAreNeverStolenStaleOnesAre) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kRunning);
  EXPECT_EQ(NextCopy(), 0);
  SetOp(ids[0], S::kRunning, /*stale=*/true);
  OperationRecord before = Op(ids[0]);
  auto c = ClaimCopy("host/9/driver-3");
  ASSERT_TRUE(c);
  OperationRecord after = Op(ids[0]);
  EXPECT_EQ(after.state, S::kRunning);
  EXPECT_EQ(after.lease_owner, "host/9/driver-3");
  EXPECT_EQ(after.lease_token, c->lease.token);
  EXPECT_NE(after.lease_token, before.lease_token);
  EXPECT_GT(after.updated_at, before.updated_at + 5 * kWindow);  // fresh heartbeat
}

TEST_P(CopyClaim, TerminalRowsAreNeverClaimedEvenWhenStale) {
  auto a = Create("parallel", "halt", 5);
  auto ids = OpIds(a.id);
  S terminal[] = {S::kCompleted, S::kFailed, S::kStopped, S::kCancelled, S::kReverted};
  for (size_t i = 0; i < ids.size(); ++i) SetOp(ids[i], terminal[i], /*stale=*/true);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, StoppedResumesOnlyOnAPendingStart) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kStopped);
  AddRequest(a.id, RequestKind::kStart);
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.state, S::kStopped);
  EXPECT_EQ(Op(ids[0]).state, S::kResuming);
  SetOp(ids[0], S::kStopped);
  SetRequest(a.id, RequestKind::kStart, RequestStatus::kCompleted);
  EXPECT_EQ(NextCopy(), 0);
}

TEST_P(CopyClaim, RetryWithinBudgetConsumesOneUnit) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailedRetryable);
  SetApplySql(a.id, "state = 'failed_retryable', attempt = 9, failed_at = " + NowSql());
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.state, S::kFailedRetryable);
  EXPECT_EQ(Op(ids[0]).state, S::kFailedRetryable);  // state kept
  EXPECT_EQ(Apply(a.id).attempt, 10);
}

TEST_P(CopyClaim, RetryOutsideBudgetOrWindowIsNotClaimed) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailedRetryable);
  SetApplySql(a.id, "state = 'failed_retryable', attempt = 10, failed_at = " + NowSql());
  EXPECT_EQ(NextCopy(), 0);
  SetApplySql(a.id, "attempt = 3, failed_at = " +
                        backend_->MicrosAgoSql(Options().retry_freshness_micros + 60'000'000));
  EXPECT_EQ(NextCopy(), 0);
  EXPECT_EQ(Apply(a.id).attempt, 3);
}

TEST_P(CopyClaim, HealthyRetryIsNotReclaimedButAStaleOneIsWithoutBudgetCheck) {
  auto a = Create("rolling", "halt", 1);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailedRetryable, /*stale=*/true);
  SetApplySql(a.id, "state = 'running', attempt = 10, updated_at = " + NowSql());
  EXPECT_EQ(NextCopy(), 0);
  SetApplySql(a.id, "updated_at = " + StaleSql());
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_EQ(Apply(a.id).attempt, 10);  // no unit consumed
  EXPECT_EQ(NextCopy(), 0);            // the apply's heartbeat was refreshed
}

TEST_P(CopyClaim, ParkedBarrierRowsBelongToTheCutoverClaim) {
  for (const char* policy : {"barrier", "parallel"}) {
    auto multi = Create(policy, "halt", 2);
    auto ids = OpIds(multi.id);
    SetOp(ids[0], S::kWaitingForCutover, /*stale=*/true);
    SetOp(ids[1], S::kCompleted);
    EXPECT_EQ(NextCopy(), 0) << policy;
  }
  auto single = Create("barrier", "halt", 1);
  SetOp(OpIds(single.id)[0], S::kWaitingForCutover, /*stale=*/true);
  EXPECT_EQ(NextCopy(), OpIds(single.id)[0]);
  auto rolling = Create("rolling", "halt", 2);
  SetOp(OpIds(rolling.id)[0], S::kWaitingForCutover, /*stale=*/true);
  EXPECT_EQ(NextCopy(), OpIds(rolling.id)[0]);
}

TEST_P(CopyClaim, OrderingNeverCrossesApplies) {
  auto blocked = Create("rolling", "halt", 2);
  auto b = OpIds(blocked.id);
  SetOp(b[0], S::kFailed);
  auto busy = Create("rolling", "halt", 2);
  SetOp(OpIds(busy.id)[0], S::kRunning);
  auto free = Create("rolling", "halt", 2);
  EXPECT_EQ(NextCopy(), OpIds(free.id)[0]);
}

TEST_P(CopyClaim, CandidatesAreTakenInCreatedAtThenIdOrderAcrossApplies) {
  auto x = Create("parallel", "halt", 1);
  auto y = Create("parallel", "halt", 1);
  auto z = Create("parallel", "halt", 1);
  // y was "created" earliest; x and z share a timestamp, so id decides between them.
  SetOpSql(OpIds(y.id)[0], "created_at = " + backend_->MicrosAgoSql(3'000'000));
  Exec("UPDATE apply_operations SET created_at = " + backend_->MicrosAgoSql(1'000'000) +
       " WHERE id IN (" + std::to_string(OpIds(x.id)[0]) + ", " + std::to_string(OpIds(z.id)[0]) +
       ")");
  EXPECT_EQ(NextCopy(), OpIds(y.id)[0]);
  EXPECT_EQ(NextCopy(), OpIds(x.id)[0]);
  EXPECT_EQ(NextCopy(), OpIds(z.id)[0]);
}

// The claim finds the first row of each arm on its own (the pending rows in the claim
// index's order, the rare arms apart) and takes the earliest: a row of a rare arm takes
// its turn in (created_at, id) order however many pending rows there are.
TEST_P(CopyClaim, RareArmRowsTakeTheirTurnAmongManyPendingRows) {
  auto work = Create("parallel", "halt", 40);
  std::vector<int64_t> pending = OpIds(work.id);
  auto stale = Create("rolling", "halt", 1);  // arm B
  int64_t b = OpIds(stale.id)[0];
  SetOp(b, S::kRunning, /*stale=*/true);
  auto resumed = Create("rolling", "halt", 1);  // arm C
  int64_t c = OpIds(resumed.id)[0];
  SetOp(c, S::kStopped);
  Release(c);
  AddRequest(resumed.id, RequestKind::kStart);
  auto retried = Create("rolling", "halt", 1);  // arm D
  int64_t d = OpIds(retried.id)[0];
  SetOp(d, S::kFailedRetryable);
  SetApplySql(retried.id, "state = 'failed_retryable', attempt = 0, failed_at = " + NowSql());
  // The pending rows 10 ms apart, the first 1 s ago; B before all of them, C between
  // the 10th and the 11th, D after the last.
  std::vector<std::pair<int64_t, Micros>> ago;
  for (size_t i = 0; i < pending.size(); ++i)
    ago.emplace_back(pending[i], 1'000'000 - static_cast<Micros>(i) * 10'000);
  ago.emplace_back(b, 2'000'000);
  ago.emplace_back(c, 1'000'000 - 9 * 10'000 - 5'000);
  ago.emplace_back(d, 100'000);
  SetCreatedAgo(ago);

  std::vector<int64_t> want = {b};
  want.insert(want.end(), pending.begin(), pending.begin() + 10);
  want.push_back(c);
  want.insert(want.end(), pending.begin() + 10, pending.end());
  want.push_back(d);
  std::vector<int64_t> got;
  for (int64_t id = NextCopy(); id != 0 && got.size() <= want.size(); id = NextCopy())
    got.push_back(id);
  EXPECT_EQ(got, want);
}

// Every arm's claim writes the same rows on every backend, however the backend sends
// them (PostgreSQL claims a pending or stale row in one statement, the other arms as a
// transaction): the lease, and one claimed event naming the arm, owner and token.
TEST_P(CopyClaim, EachArmLeasesTheRowAndWritesOneClaimedEventNamingIt) {
  struct Case {
    const char* policy;
    S state;
    bool stale;
    S after;
    std::string arm;
  };
  const Case cases[] = {{"rolling", S::kPending, false, S::kRunning, "start pending"},
                        {"barrier", S::kPending, false, S::kRunning, "start pending"},
                        {"rolling", S::kRunning, true, S::kRunning, "recover stale"},
                        {"rolling", S::kStopped, false, S::kResuming, "resume stopped"}};
  for (const Case& c : cases) {
    auto a = Create(c.policy, "halt", 1);
    int64_t id = OpIds(a.id)[0];
    if (c.state != S::kPending) SetOp(id, c.state, c.stale);
    if (c.state == S::kStopped) AddRequest(a.id, RequestKind::kStart);
    auto claimed = ClaimCopy("host/7/driver-3");
    ASSERT_TRUE(claimed) << c.arm;
    EXPECT_EQ(claimed->operation.id, id) << c.arm;
    EXPECT_EQ(claimed->operation.state, c.state) << c.arm;
    EXPECT_EQ(claimed->apply_external_id, a.external_id) << c.arm;
    OperationRecord stored = Op(id);
    EXPECT_EQ(stored.state, c.after) << c.arm;
    EXPECT_EQ(stored.lease_owner, "host/7/driver-3") << c.arm;
    EXPECT_EQ(stored.lease_token, claimed->lease.token) << c.arm;
    EXPECT_EQ(stored.lease_acquired_at, stored.updated_at) << c.arm;
    if (c.state == S::kPending) {
      EXPECT_TRUE(stored.started_at.has_value()) << c.arm;
    }
    auto events = store_->ListEvents(a.id);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    std::vector<EventRecord> claims;
    for (const EventRecord& e : *events)
      if (e.kind == "claimed") claims.push_back(e);
    ASSERT_EQ(claims.size(), 1u) << c.arm;
    EXPECT_EQ(claims[0].operation_id, id) << c.arm;
    EXPECT_EQ(claims[0].from_state, std::string(ToString(c.state))) << c.arm;
    EXPECT_EQ(claims[0].to_state, std::string(ToString(c.after))) << c.arm;
    EXPECT_EQ(claims[0].message, c.arm + " owner=host/7/driver-3 token=" + claimed->lease.token)
        << c.arm;
    ASSERT_TRUE(store_->TransitionOperation(claimed->lease, S::kCompleted).ok()) << c.arm;
  }
}

TEST_P(CopyClaim, EmptyOwnerIsLeaseLostAndChangesNothing) {
  auto a = Create("rolling", "halt", 1);
  auto r = store_->ClaimNextCopy("");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(StatusCode::kLeaseLost));
  auto cut = store_->ClaimNextCutover("");
  EXPECT_TRUE(cut.status().Is(StatusCode::kLeaseLost));
  auto stop = store_->ClaimNextStop("");
  EXPECT_TRUE(stop.status().Is(StatusCode::kLeaseLost));
  OperationRecord op = Op(OpIds(a.id)[0]);
  EXPECT_EQ(op.state, S::kPending);
  EXPECT_FALSE(op.lease_token.has_value());
}

ORDO_INSTANTIATE_STORE_SUITE(CopyClaim);

}  // namespace
}  // namespace ordo::testing

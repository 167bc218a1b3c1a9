// Conformance: the cutover claim and begin_cutover.
#include <thread>

#include "ordo/sync_point.h"
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

class CutoverClaim : public StoreSuite {
 protected:
  int64_t NextCutover() {
    auto c = ClaimCutover();
    return c ? c->operation.id : 0;
  }
  // Parks every operation of the apply, released at the barrier (no token).
  std::vector<int64_t> ParkAll(const ApplyRecord& a) {
    auto ids = OpIds(a.id);
    for (int64_t id : ids) {
      SetOp(id, S::kWaitingForCutover);
      Release(id);
    }
    return ids;
  }
  // Two parked operations of an apply with `policy` and `on_failure`, the first of
  // them failed; their ids.
  std::vector<int64_t> ParkedPairWithTheFirstFailed(const std::string& policy,
                                                    const std::string& on_failure) {
    auto ids = ParkAll(Create(policy, on_failure, 2));
    SetOp(ids[0], S::kFailed);
    return ids;
  }
};

TEST_P(CutoverClaim, EarliestParkedRowIsClaimedFirst) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kWaitingForCutover);
  Release(ids[0]);
  auto c = ClaimCutover();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_EQ(c->operation.state, S::kWaitingForCutover);
  OperationRecord stored = Op(ids[0]);
  EXPECT_EQ(stored.state, S::kCuttingOver);
  EXPECT_EQ(stored.lease_token, c->lease.token);
  EXPECT_TRUE(stored.cutover_started_at.has_value());
  EXPECT_EQ(NextCutover(), 0);
}

// The parked rows are read in the claim index's order, the stale swaps apart: a stale
// swap takes its turn in (created_at, id) order among many claimable parked rows.
TEST_P(CutoverClaim, StaleSwapTakesItsTurnAmongManyParkedRows) {
  std::vector<int64_t> parked;
  std::vector<std::pair<int64_t, Micros>> ago;  // 10 ms apart, the first 1 s ago
  for (int i = 0; i < 20; ++i) {  // single-deployment applies: every row's turn has come
    parked.push_back(ParkAll(Create("rolling", "halt", 1))[0]);
    ago.emplace_back(parked.back(), 1'000'000 - Micros{i} * 10'000);
  }
  auto swap = Create("rolling", "halt", 1);
  int64_t stale = OpIds(swap.id)[0];
  SetOp(stale, S::kCuttingOver, /*stale=*/true);
  ago.emplace_back(stale, 1'000'000 - 4 * 10'000 - 5'000);  // between the 5th and the 6th
  SetCreatedAgo(ago);
  std::vector<int64_t> want(parked.begin(), parked.begin() + 5);
  want.push_back(stale);
  want.insert(want.end(), parked.begin() + 5, parked.end());
  std::vector<int64_t> got;
  for (int64_t id = NextCutover(); id != 0 && got.size() <= want.size(); id = NextCutover())
    got.push_back(id);
  EXPECT_EQ(got, want);
}

TEST_P(CutoverClaim, SwapsRunStrictlyInCompletedOnlyOrder) {
  auto a = Create("barrier", "halt", 3);
  auto ids = ParkAll(a);
  auto first = ClaimCutover();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->operation.id, ids[0]);
  EXPECT_EQ(NextCutover(), 0);  // A cutting_over
  ASSERT_TRUE(store_->TransitionOperation(first->lease, S::kRevertWindow).ok());
  EXPECT_EQ(NextCutover(), 0);  // A in its revert window
  ASSERT_TRUE(store_->TransitionOperation(first->lease, S::kCompleted).ok());
  auto second = ClaimCutover();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->operation.id, ids[1]);
  EXPECT_EQ(NextCutover(), 0);
  ASSERT_TRUE(store_->TransitionOperation(second->lease, S::kCompleted).ok());
  EXPECT_EQ(NextCutover(), ids[2]);
}

TEST_P(CutoverClaim, HaltBlocksParkedSuccessorOfAFailure) {
  ParkedPairWithTheFirstFailed("barrier", "halt");
  EXPECT_EQ(NextCutover(), 0);
}

TEST_P(CutoverClaim, ContinueLetsParkedSuccessorSwapAfterAFailure) {
  auto ids = ParkedPairWithTheFirstFailed("barrier", "continue");
  EXPECT_EQ(NextCutover(), ids[1]);
}

TEST_P(CutoverClaim, PauseBlocksParkedSuccessorUntilReleaseLatches) {
  auto ids = ParkedPairWithTheFirstFailed("parallel", "pause");
  const int64_t apply_id = Op(ids[0]).apply_id;
  EXPECT_EQ(NextCutover(), 0);
  AddRequest(apply_id, RequestKind::kRelease, RequestStatus::kFailed);
  EXPECT_EQ(NextCutover(), 0);
  SetRequest(apply_id, RequestKind::kRelease, RequestStatus::kCompleted);
  EXPECT_EQ(NextCutover(), ids[1]);
}

TEST_P(CutoverClaim, PendingStopHaltsCutoversUntilItCompletes) {
  auto a = Create("barrier", "halt", 2);
  auto ids = ParkAll(a);
  AddRequest(a.id, RequestKind::kStop);
  EXPECT_EQ(NextCutover(), 0);
  SetRequest(a.id, RequestKind::kStop, RequestStatus::kCompleted);
  EXPECT_EQ(NextCutover(), ids[0]);
}

TEST_P(CutoverClaim, StaleInFlightCutoverIsRecoveredFreshIsNot) {
  for (S in_flight : {S::kCuttingOver, S::kRevertWindow}) {
    auto a = Create("barrier", "halt", 2);
    auto ids = OpIds(a.id);
    SetOp(ids[0], in_flight);
    EXPECT_EQ(NextCutover(), 0) << ToString(in_flight);
    SetOp(ids[0], in_flight, /*stale=*/true);
    auto c = ClaimCutover("host/7/driver-2");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->operation.state, in_flight);
    OperationRecord stored = Op(ids[0]);
    EXPECT_EQ(stored.state, in_flight);
    EXPECT_EQ(stored.lease_owner, "host/7/driver-2");
    EXPECT_EQ(stored.lease_token, c->lease.token);
  }
}

TEST_P(CutoverClaim, CopyPhaseRowsAreNeverTaken) {
  auto a = Create("parallel", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[1], S::kRunning, /*stale=*/true);
  EXPECT_EQ(NextCutover(), 0);  // pending and (stale) running rows
}

TEST_P(CutoverClaim, ParkedRowsOfEveryPolicyAndSizeAreTakenAutomatically) {
  for (const char* policy : {"rolling", "barrier", "parallel"}) {
    for (int n : {1, 2}) {
      auto a = Create(policy, "halt", n);
      auto ids = ParkAll(a);
      EXPECT_EQ(NextCutover(), ids[0]) << policy << " n=" << n;
      EXPECT_EQ(NextCutover(), 0) << policy << " n=" << n;  // the next waits for the first
      for (int64_t id : ids) SetOp(id, S::kCompleted);
    }
  }
}

TEST_P(CutoverClaim, AStaleHolderOfARollingOrSingleParkedRowIsReplaced) {
  auto rolling = Create("rolling", "halt", 2);
  int64_t r = OpIds(rolling.id)[0];
  SetOp(r, S::kWaitingForCutover);  // its holder heartbeats: begin_cutover is its own
  auto single = Create("barrier", "halt", 1);
  int64_t one = OpIds(single.id)[0];
  SetOp(one, S::kWaitingForCutover);
  EXPECT_EQ(NextCutover(), 0);
  SetOp(r, S::kWaitingForCutover, /*stale=*/true);
  SetOp(one, S::kWaitingForCutover, /*stale=*/true);
  EXPECT_EQ(NextCutover(), r);
  EXPECT_EQ(NextCutover(), one);
}

TEST_P(CutoverClaim, DeferredApplySwapsOnlyOnRequestAndStillInOrder) {
  for (const char* policy : {"rolling", "barrier"}) {
    auto a = Create(policy, "halt", 2, /*defer_cutover=*/true);
    auto ids = ParkAll(a);
    EXPECT_EQ(NextCutover(), 0) << policy;
    AddRequest(a.id, RequestKind::kCutover);
    auto first = ClaimCutover();
    ASSERT_TRUE(first) << policy;
    EXPECT_EQ(first->operation.id, ids[0]);
    EXPECT_EQ(NextCutover(), 0) << policy;  // B waits for A even with the request
    ASSERT_TRUE(store_->TransitionOperation(first->lease, S::kCompleted).ok());
    EXPECT_EQ(NextCutover(), ids[1]) << policy;
  }
  auto single = Create("parallel", "halt", 1, /*defer_cutover=*/true);
  auto one = ParkAll(single);
  EXPECT_EQ(NextCutover(), 0);
  AddRequest(single.id, RequestKind::kCutover);
  SetRequest(single.id, RequestKind::kCutover, RequestStatus::kCompleted);
  EXPECT_EQ(NextCutover(), 0);  // only a pending request releases it
  SetRequest(single.id, RequestKind::kCutover, RequestStatus::kPending);
  EXPECT_EQ(NextCutover(), one[0]);
}

TEST_P(CutoverClaim, StaleInFlightRecoveryIgnoresPolicy) {
  auto rolling = Create("rolling", "halt", 2);
  SetOp(OpIds(rolling.id)[0], S::kRevertWindow, /*stale=*/true);
  auto single = Create("barrier", "halt", 1, /*defer_cutover=*/true);
  SetOp(OpIds(single.id)[0], S::kCuttingOver, /*stale=*/true);
  EXPECT_EQ(NextCutover(), OpIds(rolling.id)[0]);
  EXPECT_EQ(NextCutover(), OpIds(single.id)[0]);
}

TEST_P(CutoverClaim, LiveHolderIsSkippedAndBeginsItsOwnCutoverWhenItsTurnComes) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kWaitingForCutover);  // fresh lease tok-A
  SetOp(ids[1], S::kWaitingForCutover);  // fresh lease tok-B
  EXPECT_EQ(NextCutover(), 0);
  auto b_turn = store_->BeginCutover(LeaseOf(ids[1]));
  ASSERT_TRUE(b_turn.ok()) << b_turn.status().ToString();
  EXPECT_FALSE(*b_turn);  // not yet: A is not completed
  EXPECT_EQ(Op(ids[1]).state, S::kWaitingForCutover);
  auto a_turn = store_->BeginCutover(LeaseOf(ids[0]));
  ASSERT_TRUE(a_turn.ok()) << a_turn.status().ToString();
  EXPECT_TRUE(*a_turn);
  EXPECT_EQ(Op(ids[0]).state, S::kCuttingOver);
  EXPECT_EQ(Op(ids[0]).lease_token, LeaseOf(ids[0]).token);
  EXPECT_FALSE(*store_->BeginCutover(LeaseOf(ids[1])));  // A cutting over
  ASSERT_TRUE(store_->TransitionOperation(LeaseOf(ids[0]), S::kCompleted).ok());
  EXPECT_TRUE(*store_->BeginCutover(LeaseOf(ids[1])));
  Lease wrong = LeaseOf(ids[1]);
  wrong.token = "not-the-token";
  EXPECT_TRUE(store_->BeginCutover(wrong).status().Is(StatusCode::kLeaseLost));
}

TEST_P(CutoverClaim, BeginCutoverRespectsStopAndManualDeferral) {
  auto a = Create("barrier", "halt", 1, /*defer_cutover=*/true);
  auto id = OpIds(a.id)[0];
  SetOp(id, S::kWaitingForCutover);
  EXPECT_FALSE(*store_->BeginCutover(LeaseOf(id)));
  AddRequest(a.id, RequestKind::kCutover);
  AddRequest(a.id, RequestKind::kStop);
  EXPECT_FALSE(*store_->BeginCutover(LeaseOf(id)));
  SetRequest(a.id, RequestKind::kStop, RequestStatus::kCompleted);
  EXPECT_TRUE(*store_->BeginCutover(LeaseOf(id)));
}

TEST_P(CutoverClaim, ReleasedRowIsNeverCopyClaimedButCutoverClaimedOnItsTurn) {
  auto released_long_ago = [&](int64_t id) {
    SetOp(id, S::kWaitingForCutover);
    Release(id);
    SetOpSql(id, "updated_at = " + backend_->MicrosAgoSql(int64_t{86'400'000'000} * 30));
  };
  for (const char* policy : {"rolling", "barrier", "parallel"}) {
    auto a = Create(policy, "halt", 2);
    auto ids = OpIds(a.id);
    SetOp(ids[0], S::kRevertWindow);  // fresh: its holder bakes the window
    released_long_ago(ids[1]);
    EXPECT_FALSE(ClaimCopy().has_value()) << policy;
    EXPECT_EQ(NextCutover(), 0) << policy;  // not its turn yet
    SetOp(ids[0], S::kCompleted);
    EXPECT_FALSE(ClaimCopy().has_value()) << policy;
    auto c = ClaimCutover();
    ASSERT_TRUE(c) << policy;
    EXPECT_EQ(c->operation.id, ids[1]);
    EXPECT_EQ(c->operation.state, S::kWaitingForCutover);
    EXPECT_EQ(Op(ids[1]).state, S::kCuttingOver);
  }
  auto single = Create("rolling", "halt", 1);  // its driver released it on shutdown
  int64_t one = OpIds(single.id)[0];
  released_long_ago(one);
  EXPECT_FALSE(ClaimCopy().has_value());
  EXPECT_EQ(NextCutover(), one);
}

TEST_P(CutoverClaim, ParkAfterALostBeginCutoverAnswerChangesNothing) {
  auto a = Create("barrier", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kWaitingForCutover);
  Lease lease = LeaseOf(ids[0]);
  auto began = store_->BeginCutover(lease);
  ASSERT_TRUE(began.ok() && *began) << began.status().ToString();
  // The caller never saw the answer and parks the row, with the same lease.
  OperationRecord before = Op(ids[0]);
  size_t events = store_->ListEvents(a.id)->size();
  Status parked = store_->Park(lease);
  EXPECT_TRUE(parked.Is(StatusCode::kFailedPrecondition)) << parked.ToString();
  EXPECT_EQ(parked.message(),
            "operation " + std::to_string(ids[0]) + " is cutting_over; not parked");
  OperationRecord after = Op(ids[0]);
  EXPECT_EQ(after.state, S::kCuttingOver);
  EXPECT_EQ(after.lease_token, before.lease_token);
  EXPECT_EQ(after.lease_owner, before.lease_owner);
  EXPECT_EQ(after.updated_at, before.updated_at);
  EXPECT_EQ(store_->ListEvents(a.id)->size(), events);
  EXPECT_TRUE(store_->Heartbeat(lease).ok());  // the lease is still the holder's
}

// Scenario 33: a stop committed between the claim's SELECT and its UPDATE wins. The
// stop runs on a second handle (another process) and starts right after the SELECT;
// the claim's UPDATE waits until the stop committed — or, on a backend with a single
// writer (SQLite), until the stop is seen waiting for the claim's write lock, in which
// case the stop is ordered after the claim. Either way the outcome must be consistent.
TEST_P(CutoverClaim, StopCommittedBetweenSelectAndUpdateWins) {
  auto a = Create("barrier", "halt", 2);
  auto ids = ParkAll(a);
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto& sp = SyncPoints::Get();
  sp.LoadDependencies({{"Store::ClaimCutover:AfterSelect", "Test:StopBegins"},
                       {"Test:StopSettled", "Store::ClaimCutover:BeforeUpdate"}});
  sp.SetCallback("Store::WaitingForLock", [] { ORDO_SYNC_POINT("Test:StopSettled"); });
  sp.Enable();
  Result<RequestAnswer> stop = Internal("not run");
  bool stop_committed_first = false;
  std::thread stopper([&] {
    ORDO_SYNC_POINT("Test:StopBegins");
    stop = (*other)->RequestControl(a.id, RequestKind::kStop, "operator");
    stop_committed_first = !SyncPoints::Get().Passed("Store::ClaimCutover:AfterUpdate");
    ORDO_SYNC_POINT("Test:StopSettled");
  });
  auto claimed = store_->ClaimNextCutover("host/1/driver-1");
  stopper.join();
  sp.DisableAndClear();
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_TRUE(stop.ok()) << stop.status().ToString();
  EXPECT_EQ(stop->outcome, RequestOutcome::kAccepted);
  if (stop_committed_first) {
    EXPECT_FALSE(claimed->has_value()) << "a cutover started after a committed stop";
    EXPECT_EQ(Op(ids[0]).state, S::kWaitingForCutover);
    EXPECT_FALSE(Op(ids[0]).lease_token.has_value());
  } else {
    // Serialised behind the claim: the cutover started before the stop existed.
    ASSERT_TRUE(claimed->has_value());
    EXPECT_EQ(Op(ids[0]).state, S::kCuttingOver);
  }
  EXPECT_EQ(NextCutover(), 0);  // with the stop pending, nothing more starts
}

ORDO_INSTANTIATE_STORE_SUITE(CutoverClaim);

}  // namespace
}  // namespace ordo::testing

// Conformance: apply-level behaviour and control requests.
#include <map>

#include "core/derive.h"
#include "ordo/sync_point.h"
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

class ApplyLevel : public StoreSuite {
 protected:
  NewApply Spec(std::vector<std::string> deployments, const std::string& environment = "prod") {
    NewApply a;
    a.database = "app";
    a.environment = environment;
    a.requested_by = "test";
    for (auto& d : deployments) a.operations.push_back(NewOperation{d, {}});
    return a;
  }
  // What the operator does after a transition: derive, then CAS the apply row.
  void Project(int64_t apply_id, const Lease& lease) {
    auto ops = store_->ListOperations(apply_id);
    auto requests = store_->ListRequests(apply_id);
    ASSERT_TRUE(ops.ok() && requests.ok());
    bool latched = false;
    for (const auto& r : *requests)
      latched |= r.kind == RequestKind::kRelease && r.status != RequestStatus::kFailed;
    DerivedApplyState d = DeriveApplyState(*ops, latched);
    auto swapped = store_->CasApplyState(lease, Apply(apply_id).state, d.state, d.error);
    ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
    EXPECT_TRUE(*swapped);
  }
};

TEST_P(ApplyLevel, HalfCreatedApplyIsInvisible) {
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok());
  std::optional<size_t> listed;
  std::optional<StatusCode> found, first_op;
  auto& sp = SyncPoints::Get();
  sp.SetCallback("Store::CreateApply:BeforeCommit", [&] {
    auto list = (*other)->ListApplies(100);
    if (list.ok()) listed = list->size();
    found = (*other)->FindApply("ap_halfcreated").status().code();
    first_op = (*other)->GetOperation(1).status().code();
  });
  sp.Enable();
  NewApply spec = Spec({"d1", "d2", "d3"});
  spec.external_id = "ap_halfcreated";
  auto created = store_->CreateApply(spec);
  sp.DisableAndClear();
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(listed, 0u);
  EXPECT_EQ(found, StatusCode::kNotFound);
  EXPECT_EQ(first_op, StatusCode::kNotFound);
  EXPECT_EQ(store_->ListOperations(created->id)->size(), 3u);
  EXPECT_EQ(store_->ListChanges(store_->ListOperations(created->id)->at(0).id)->size(), 0u);
  EXPECT_EQ((*other)->FindApply("ap_halfcreated")->id, created->id);
}

TEST_P(ApplyLevel, AnApplyRemembersWhoCreatedIt) {
  NewApply spec = Spec({"d1"});
  spec.requested_by = "cli:alice@ops-1";
  auto created = store_->CreateApply(spec);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->created_by, "cli:alice@ops-1");
  auto found = store_->FindApply(created->external_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->created_by, "cli:alice@ops-1");
  auto listed = store_->ListApplies(10);
  ASSERT_TRUE(listed.ok() && !listed->empty());
  EXPECT_EQ(listed->front().created_by, "cli:alice@ops-1");
}

TEST_P(ApplyLevel, CreateValidatesItsInput) {
  EXPECT_TRUE(store_->CreateApply(Spec({})).status().Is(StatusCode::kInvalidArgument));
  EXPECT_TRUE(store_->CreateApply(Spec({"d1", "d1"})).status().Is(StatusCode::kInvalidArgument));
  NewApply named = Spec({"d1"});
  named.external_id = "ap_same";
  ASSERT_TRUE(store_->CreateApply(named).ok());
  named.environment = "other";
  EXPECT_TRUE(store_->CreateApply(named).status().Is(StatusCode::kAlreadyExists));
  auto generated = store_->CreateApply(Spec({"d1"}, "third"));
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->external_id.rfind("ap_", 0), 0u);
}

TEST_P(ApplyLevel, CreateRefusesPoliciesThatAreNotExactlyAKnownValue) {
  // MariaDB's PAD SPACE collation compares "continue " equal to "continue"; the store
  // must refuse it on every backend rather than store what a gate may read either way.
  for (const char* on_failure : {"continue ", "Continue", "bogus", ""}) {
    NewApply spec = Spec({"d1"}, "policy-check");
    spec.on_failure = on_failure;
    auto created = store_->CreateApply(spec);
    ASSERT_TRUE(created.status().Is(StatusCode::kInvalidArgument))
        << "\"" << on_failure << "\": " << created.status().ToString();
    EXPECT_NE(created.status().message().find("\"" + std::string(on_failure) + "\""),
              std::string::npos)
        << created.status().message();
    EXPECT_NE(created.status().message().find("halt, continue, pause"), std::string::npos);
  }
  for (const char* policy : {"continue ", "Continue", "bogus", "Rolling", "barrier "}) {
    NewApply spec = Spec({"d1"}, "policy-check");
    spec.cutover_policy = policy;
    auto created = store_->CreateApply(spec);
    ASSERT_TRUE(created.status().Is(StatusCode::kInvalidArgument)) << policy;
    EXPECT_NE(created.status().message().find("rolling, barrier, parallel"), std::string::npos)
        << created.status().message();
  }
  EXPECT_TRUE(store_->ListApplies(10)->empty());
  NewApply exact = Spec({"d1"}, "policy-check");
  exact.cutover_policy = "parallel";
  exact.on_failure = "continue";
  EXPECT_TRUE(store_->CreateApply(exact).ok());
}

TEST_P(ApplyLevel, AStoredStateOrdoDoesNotKnowIsAnInternalErrorNamingIt) {
  auto a = Create("rolling", "halt", 1);
  int64_t op = OpIds(a.id)[0];
  SetOpSql(op, "state = 'exploded'");
  auto read = store_->GetOperation(op);
  ASSERT_TRUE(read.status().Is(StatusCode::kInternal)) << read.status().ToString();
  EXPECT_NE(read.status().message().find("\"exploded\""), std::string::npos)
      << read.status().message();
  SetOpSql(op, "state = 'pending'");
  SetApplySql(a.id, "state = 'Running'");
  EXPECT_TRUE(store_->GetApply(a.id).status().Is(StatusCode::kInternal));
}

TEST_P(ApplyLevel, OneActiveApplyPerDeployment) {
  auto x = store_->CreateApply(Spec({"d1", "d2"}));
  ASSERT_TRUE(x.ok());
  auto overlap = store_->CreateApply(Spec({"d2", "d3"}));
  ASSERT_TRUE(overlap.status().Is(StatusCode::kConflict)) << overlap.status().ToString();
  EXPECT_NE(overlap.status().message().find(x->external_id), std::string::npos)
      << overlap.status().message();
  EXPECT_TRUE(store_->CreateApply(Spec({"d3", "d4"})).ok());             // disjoint
  EXPECT_TRUE(store_->CreateApply(Spec({"d1", "d2"}, "staging")).ok());  // other environment
}

TEST_P(ApplyLevel, SettledOrHaltedAppliesReleaseTheirDeployments) {
  auto x = store_->CreateApply(Spec({"d1", "d2"}));
  ASSERT_TRUE(x.ok());
  auto ids = OpIds(x->id);
  SetOp(ids[0], S::kFailed);  // halt: d2 never runs, the apply is failed (settled)
  EXPECT_TRUE(store_->CreateApply(Spec({"d1", "d2"})).ok());
}

TEST_P(ApplyLevel, RestartOfStoppedApplyRechecksItsDeployments) {
  auto x = store_->CreateApply(Spec({"d1", "d2"}));
  ASSERT_TRUE(x.ok());
  auto xs = OpIds(x->id);
  SetOp(xs[0], S::kStopped);
  SetOp(xs[1], S::kStopped);
  SetApplySql(x->id, "state = 'stopped'");
  auto y = store_->CreateApply(Spec({"d2", "d3"}));  // a stopped apply holds nothing
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  auto holder = store_->HolderOfDeployments(x->id);  // what a start would be refused for
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  EXPECT_EQ(holder->value_or(""),
            "deployment d2 is held by apply " + y->external_id + " (operation pending)");
  auto start = store_->RequestControl(x->id, RequestKind::kStart, "operator");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->outcome, RequestOutcome::kRefused);
  EXPECT_NE(start->reason.find(y->external_id), std::string::npos) << start->reason;
  auto requests = store_->ListRequests(x->id);
  ASSERT_TRUE(requests.ok() && requests->size() == 1);
  EXPECT_EQ((*requests)[0].status, RequestStatus::kFailed);
  EXPECT_EQ(Op(xs[0]).state, S::kStopped);
  for (int64_t id : OpIds(y->id)) SetOp(id, S::kCompleted);
  SetApplySql(y->id, "state = 'completed'");
  holder = store_->HolderOfDeployments(x->id);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  EXPECT_EQ(*holder, std::nullopt);
  start = store_->RequestControl(x->id, RequestKind::kStart, "operator");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->outcome, RequestOutcome::kAccepted) << start->reason;
}

TEST_P(ApplyLevel, AStartAcceptedForAStoppedApplyHoldsItsDeployments) {
  auto x = store_->CreateApply(Spec({"d1", "d2"}));
  ASSERT_TRUE(x.ok());
  auto xs = OpIds(x->id);
  SetOp(xs[0], S::kStopped);  // had started: stays stopped until the copy claim resumes it
  SetOp(xs[1], S::kStopped);
  SetOpSql(xs[1], "started_at = NULL");  // never started: back to pending on the start
  SetApplySql(x->id, "state = 'stopped'");
  auto start = store_->RequestControl(x->id, RequestKind::kStart, "operator");
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  ASSERT_EQ(start->outcome, RequestOutcome::kAccepted) << start->reason;
  EXPECT_EQ(Op(xs[1]).state, S::kPending);
  ExpectApply(x->id, ApplyState::kStopped);  // until its stopped row is resumed
  for (const char* d : {"d1", "d2"}) {
    auto y = store_->CreateApply(Spec({d, "d3"}));
    ASSERT_TRUE(y.status().Is(StatusCode::kConflict)) << d << ": " << y.status().ToString();
    EXPECT_NE(y.status().message().find(x->external_id), std::string::npos) << y.status().message();
  }
  // A stop supersedes the start: the stopped apply holds nothing again.
  ASSERT_EQ(store_->RequestControl(x->id, RequestKind::kStop, "operator")->outcome,
            RequestOutcome::kAccepted);
  auto y = store_->CreateApply(Spec({"d2", "d3"}));
  EXPECT_TRUE(y.ok()) << y.status().ToString();
}

TEST_P(ApplyLevel, ExpiryFailsExhaustedOrOldRetriesAndLeavesParkedSuccessor) {
  auto exhausted = Create("barrier", "halt", 2);
  auto e = OpIds(exhausted.id);
  SetOp(e[0], S::kFailedRetryable);
  SetOp(e[1], S::kWaitingForCutover);
  SetApplySql(exhausted.id, "state = 'failed_retryable', attempt = 10, failed_at = " + NowSql());
  auto old = Create("rolling", "halt", 1);
  SetOp(OpIds(old.id)[0], S::kFailedRetryable);
  SetApplySql(old.id, "state = 'failed_retryable', attempt = 1, failed_at = " +
                          backend_->MicrosAgoSql(Options().retry_freshness_micros + 60'000'000));
  auto healthy = Create("rolling", "halt", 1);
  SetOp(OpIds(healthy.id)[0], S::kFailedRetryable);
  SetApplySql(healthy.id, "state = 'failed_retryable', attempt = 2, failed_at = " + NowSql());

  auto expired = store_->ExpireRetries();
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  EXPECT_EQ(*expired, 2);
  ApplyRecord ex = Apply(exhausted.id);
  EXPECT_EQ(ex.state, ApplyState::kFailed);
  ASSERT_TRUE(ex.error.has_value());
  EXPECT_NE(ex.error->find("budget"), std::string::npos) << *ex.error;
  EXPECT_TRUE(ex.completed_at.has_value());
  EXPECT_EQ(Op(e[0]).state, S::kFailed);
  EXPECT_EQ(Op(e[1]).state, S::kWaitingForCutover);
  ApplyRecord o = Apply(old.id);
  EXPECT_EQ(o.state, ApplyState::kFailed);
  EXPECT_NE(o.error.value_or("").find("window"), std::string::npos) << o.error.value_or("");
  EXPECT_EQ(Op(OpIds(old.id)[0]).state, S::kFailed);
  EXPECT_EQ(Apply(healthy.id).state, ApplyState::kFailedRetryable);
  EXPECT_EQ(*store_->ExpireRetries(), 0);
}

TEST_P(ApplyLevel, ExpiryMarksTheRowsThatStartedAsOwingTheirCleanup) {
  auto a = Create("parallel", "halt", 3);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailedRetryable);  // started: may have left shadow tables
  SetOp(ids[1], S::kFailedRetryable);
  SetOpSql(ids[1], "started_at = NULL");  // never started
  SetOp(ids[2], S::kFailed);              // failed by its driver, which cleaned up
  SetApplySql(a.id, "state = 'failed_retryable', attempt = 10, failed_at = " + NowSql());
  ASSERT_EQ(*store_->ExpireRetries(), 1);
  ExpectApply(a.id, ApplyState::kFailed);
  OperationRecord started = Op(ids[0]);
  OperationRecord never = Op(ids[1]);
  EXPECT_EQ(started.state, S::kFailed);
  EXPECT_TRUE(started.cleanup_pending);
  EXPECT_EQ(never.state, S::kFailed);
  EXPECT_FALSE(never.cleanup_pending);
  EXPECT_FALSE(Op(ids[2]).cleanup_pending);
}

TEST_P(ApplyLevel, StopReconciliationStopsLeftoverPendingWork) {
  auto a = Create("rolling", "continue", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kFailed);
  auto none = store_->ClaimNextStop("host/1/driver-1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());  // no stop requested
  auto stop = store_->RequestControl(a.id, RequestKind::kStop, "operator");
  ASSERT_TRUE(stop.ok());
  EXPECT_EQ(stop->outcome, RequestOutcome::kAccepted);
  auto claimed = store_->ClaimNextStop("host/1/driver-1");
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->apply_id, a.id);
  EXPECT_EQ((*claimed)->stopped_operation_ids, std::vector<int64_t>{ids[1]});
  EXPECT_EQ(Op(ids[1]).state, S::kStopped);
  EXPECT_EQ(Apply(a.id).state, ApplyState::kStopped);
  auto requests = *store_->ListRequests(a.id);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status, RequestStatus::kCompleted);
  EXPECT_FALSE(store_->ClaimNextStop("host/1/driver-1")->has_value());
}

TEST_P(ApplyLevel, StopReconciliationSkipsAppliesWithActiveWork) {
  auto a = Create("parallel", "continue", 3);
  auto ids = SetOps(a, {S::kFailed, S::kRunning});
  AddRequest(a.id, RequestKind::kStop);
  EXPECT_FALSE(store_->ClaimNextStop("host/1/driver-1")->has_value());
  EXPECT_EQ(Op(ids[2]).state, S::kPending);
}

TEST_P(ApplyLevel, ApplyStateProjectionFollowsFailurePolicies) {
  struct Case {
    const char* on_failure;
    bool release;
    ApplyState want;
  };
  for (const Case& c :
       {Case{"continue", false, ApplyState::kRunningDegraded},
        Case{"halt", false, ApplyState::kFailed}, Case{"pause", false, ApplyState::kPaused},
        Case{"pause", true, ApplyState::kRunningDegraded}}) {
    auto a = Create("rolling", c.on_failure, 2);
    auto ids = OpIds(a.id);
    SetOp(ids[0], S::kFailed);
    SetOpSql(ids[0], "error = 'boom'");
    if (c.release) AddRequest(a.id, RequestKind::kRelease);
    Project(a.id, LeaseOf(ids[0]));
    EXPECT_EQ(Apply(a.id).state, c.want) << c.on_failure << " release=" << c.release;
  }
}

TEST_P(ApplyLevel, SettledApplyWithOneFailureIsFailedNamingItAndMootsRequests) {
  auto a = Create("rolling", "continue", 3);
  auto ids = SetOps(a, {S::kCompleted, S::kFailed});
  SetOpSql(ids[1], "error = 'duplicate key'");
  SetOp(ids[2], S::kCompleted);
  AddRequest(a.id, RequestKind::kCutover);
  Project(a.id, LeaseOf(ids[2]));
  ApplyRecord settled = Apply(a.id);
  EXPECT_EQ(settled.state, ApplyState::kFailed);
  EXPECT_EQ(settled.error, "deployment d2 failed: duplicate key");
  EXPECT_TRUE(settled.completed_at.has_value());
  auto requests = *store_->ListRequests(a.id);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status, RequestStatus::kCompleted);  // moot
}

TEST_P(ApplyLevel, ADriversSwapKeepsAnApplyUnsettledWhileADeploymentIsInItsWindow) {
  auto a = Create("rolling", "halt", 3);
  auto ids = SetOps(a, {S::kRevertWindow, S::kFailed});
  SetOpSql(ids[1], "error = 'boom'");
  Project(a.id, LeaseOf(ids[1]));
  ExpectApply(a.id, ApplyState::kRevertWindow);  // not settled
  ASSERT_TRUE(store_->TransitionOperation(LeaseOf(ids[0]), S::kCompleted).ok());
  Project(a.id, LeaseOf(ids[0]));
  ExpectApply(a.id, ApplyState::kFailed, "deployment d2 failed: boom");
}

TEST_P(ApplyLevel, AnOperationThatEndsWellShowsNoErrorOfAnEarlierAttempt) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCuttingOver);
  SetOpSql(ids[0], "error = 'connection refused'");  // an attempt before, retried
  ASSERT_TRUE(store_->TransitionOperation(LeaseOf(ids[0]), S::kCompleted).ok());
  EXPECT_FALSE(Op(ids[0]).error.has_value()) << *Op(ids[0]).error;
  // A failure keeps the last error, or brings its own.
  SetOp(ids[1], S::kRunning);
  SetOpSql(ids[1], "error = 'first'");
  ASSERT_TRUE(store_->TransitionOperation(LeaseOf(ids[1]), S::kFailedRetryable).ok());
  EXPECT_EQ(Op(ids[1]).error, "first");
}

TEST_P(ApplyLevel, ControlRequestsAnswerAcceptedAlreadyRequestedOrRefused) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  auto first = store_->RequestControl(a.id, RequestKind::kCancel, "alice");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->outcome, RequestOutcome::kAccepted);
  EXPECT_EQ(store_->RequestControl(a.id, RequestKind::kCancel, "bob")->outcome,
            RequestOutcome::kAlreadyRequested);
  auto revert = store_->RequestControl(a.id, RequestKind::kRevert, "alice");
  EXPECT_EQ(revert->outcome, RequestOutcome::kRefused);
  EXPECT_NE(revert->reason.find("revert window"), std::string::npos);
  SetOp(ids[0], S::kRevertWindow);
  EXPECT_EQ(store_->RequestControl(a.id, RequestKind::kRevert, "alice")->outcome,
            RequestOutcome::kAccepted);
  EXPECT_TRUE(store_->CompleteRequest(a.id, RequestKind::kRevert).ok());
  EXPECT_TRUE(store_->CompleteRequest(a.id, RequestKind::kRevert).ok());  // idempotent
  EXPECT_TRUE(store_->FailRequest(a.id, RequestKind::kCancel, "could not drop").ok());
  EXPECT_TRUE(store_->CompleteRequest(a.id, RequestKind::kStart).Is(StatusCode::kNotFound));
  auto requests = *store_->ListRequests(a.id);
  ASSERT_EQ(requests.size(), 3u);  // cancel, the stop recorded with it, revert
  auto events = *store_->ListEvents(a.id);
  int control_events = 0;
  for (const auto& e : events) control_events += e.kind == "control_request";
  EXPECT_GE(control_events, 5);
}

TEST_P(ApplyLevel, RevertIsAcceptedDuringAWindowAfterALaterDeploymentFailed) {
  auto a = Create("rolling", "halt", 3);
  auto ids = SetOps(a, {S::kRevertWindow, S::kFailed});
  SetApplySql(a.id, "state = 'revert_window'");
  auto revert = store_->RequestControl(a.id, RequestKind::kRevert, "alice");
  ASSERT_TRUE(revert.ok()) << revert.status().ToString();
  EXPECT_EQ(revert->outcome, RequestOutcome::kAccepted) << revert->reason;
  EXPECT_EQ(store_->ListRequests(a.id)->at(0).status, RequestStatus::kPending);
  SetOp(ids[0], S::kCompleted);  // the window ended: the apply is failed, settled
  auto late = store_->RequestControl(a.id, RequestKind::kSkipRevert, "alice");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->outcome, RequestOutcome::kRefused);
  EXPECT_NE(late->reason.find("is failed"), std::string::npos) << late->reason;
}

TEST_P(ApplyLevel, CancelOnARunningApplyRecordsItsStopAndSupersedesAPendingStart) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kResuming);
  AddRequest(a.id, RequestKind::kStart);
  auto cancel = store_->RequestControl(a.id, RequestKind::kCancel, "alice");
  ASSERT_TRUE(cancel.ok()) << cancel.status().ToString();
  EXPECT_EQ(cancel->outcome, RequestOutcome::kAccepted);
  auto requests = store_->ListRequests(a.id);
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(requests.ok() && events.ok());
  std::map<RequestKind, ControlRequestRecord> by_kind;
  for (const auto& r : *requests) by_kind[r.kind] = r;
  ASSERT_EQ(by_kind.size(), 3u);
  EXPECT_EQ(by_kind[RequestKind::kCancel].status, RequestStatus::kPending);
  EXPECT_EQ(by_kind[RequestKind::kStop].status, RequestStatus::kPending);
  EXPECT_EQ(by_kind[RequestKind::kStop].requested_by, "alice");
  EXPECT_EQ(by_kind[RequestKind::kStart].status, RequestStatus::kFailed);
  EXPECT_EQ(by_kind[RequestKind::kStart].error, "superseded by stop");
  bool stop_event = false;
  for (const auto& e : *events)
    stop_event |= e.message == "stop requested by alice (with the cancel)";
  EXPECT_TRUE(stop_event);
  EXPECT_FALSE(ClaimCopy().has_value());  // the stop halts the gates at once
}

TEST_P(ApplyLevel, CancelOnAStoppedApplyRecordsNoStop) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kCompleted);
  SetOp(ids[1], S::kStopped);  // nothing active: there is nothing to stop
  SetApplySql(a.id, "state = 'stopped'");
  auto cancel = store_->RequestControl(a.id, RequestKind::kCancel, "alice");
  ASSERT_TRUE(cancel.ok()) << cancel.status().ToString();
  EXPECT_EQ(cancel->outcome, RequestOutcome::kAccepted) << cancel->reason;
  auto requests = store_->ListRequests(a.id);
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(requests.ok() && events.ok());
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ((*requests)[0].kind, RequestKind::kCancel);
  EXPECT_EQ((*requests)[0].status, RequestStatus::kPending);
  for (const auto& e : *events) EXPECT_EQ(e.message.find("stop"), std::string::npos) << e.message;
}

TEST_P(ApplyLevel, StartResumesInOrderAndStopSupersedesIt) {
  auto a = Create("rolling", "halt", 2);
  auto ids = OpIds(a.id);
  SetOp(ids[0], S::kStopped);  // had started
  SetOp(ids[1], S::kStopped);
  SetOpSql(ids[1], "started_at = NULL");  // stopped before it ever started
  SetApplySql(a.id, "state = 'stopped'");
  ASSERT_EQ(store_->RequestControl(a.id, RequestKind::kStart, "op")->outcome,
            RequestOutcome::kAccepted);
  EXPECT_EQ(Op(ids[1]).state, S::kPending);  // back behind the ordering gate
  auto c = ClaimCopy();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->operation.id, ids[0]);
  EXPECT_FALSE(ClaimCopy().has_value());  // B waits for A: a start never reorders
  EXPECT_EQ(store_->ListRequests(a.id)->at(0).status, RequestStatus::kCompleted);
  ASSERT_EQ(store_->RequestControl(a.id, RequestKind::kStop, "op")->outcome,
            RequestOutcome::kAccepted);
  EXPECT_EQ(store_->RequestControl(a.id, RequestKind::kStart, "op")->outcome,
            RequestOutcome::kRefused);  // a stop is in progress
}

ORDO_INSTANTIATE_STORE_SUITE(ApplyLevel);

}  // namespace
}  // namespace ordo::testing

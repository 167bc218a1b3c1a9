#include "core/request_decision.h"

#include <gtest/gtest.h>

namespace ordo {
namespace {

using S = OperationState;

RequestFacts Facts(std::initializer_list<S> states, std::string on_failure = "halt") {
  RequestFacts f;
  f.apply.id = 1;
  f.apply.external_id = "ap_1";
  f.apply.state = ApplyState::kRunning;
  int64_t id = 1;
  for (S s : states) {
    OperationRecord op;
    op.id = id++;
    op.apply_id = 1;
    op.deployment = "d" + std::to_string(op.id);
    op.state = s;
    op.on_failure = on_failure;
    if (s != S::kPending) op.started_at = 1;
    f.operations.push_back(op);
  }
  return f;
}

void Add(RequestFacts& f, RequestKind kind, RequestStatus status = RequestStatus::kPending) {
  ControlRequestRecord r;
  r.apply_id = 1;
  r.kind = kind;
  r.status = status;
  f.requests.push_back(r);
}

DeploymentHolderLookup Nobody() {
  return [](const std::vector<std::string>&) -> Result<std::optional<std::string>> {
    return std::optional<std::string>();
  };
}

RequestDecision Decide(const RequestFacts& f, RequestKind kind,
                       const DeploymentHolderLookup& holder = Nobody()) {
  auto d = DecideRequest(f, kind, holder);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : RequestDecision{};
}

TEST(RequestDecision, APendingRequestIsAlreadyRequested) {
  RequestFacts f = Facts({S::kRunning});
  Add(f, RequestKind::kStop);
  EXPECT_EQ(Decide(f, RequestKind::kStop).answer.outcome, RequestOutcome::kAlreadyRequested);
}

TEST(RequestDecision, RevertIsAcceptedDuringAWindowAfterALaterDeploymentFailed) {
  // The verdict is failed, but d1's window still runs: the apply is not settled.
  RequestFacts f = Facts({S::kRevertWindow, S::kFailed, S::kPending});
  EXPECT_EQ(Decide(f, RequestKind::kRevert).answer.outcome, RequestOutcome::kAccepted);
  EXPECT_EQ(Decide(f, RequestKind::kSkipRevert).answer.outcome, RequestOutcome::kAccepted);
  f.operations[0].state = S::kCompleted;
  RequestDecision d = Decide(f, RequestKind::kRevert);
  EXPECT_EQ(d.answer.outcome, RequestOutcome::kRefused);
  EXPECT_EQ(d.answer.reason, "apply ap_1 is failed");
}

TEST(RequestDecision, ACancelRecordsAStopOnlyWhenSomethingIsActive) {
  RequestFacts f = Facts({S::kCompleted, S::kRunning});
  EXPECT_TRUE(Decide(f, RequestKind::kCancel).also_stop);
  RequestFacts stopped = Facts({S::kCompleted, S::kStopped});
  stopped.apply.state = ApplyState::kStopped;
  RequestDecision d = Decide(stopped, RequestKind::kCancel);
  EXPECT_EQ(d.answer.outcome, RequestOutcome::kAccepted);
  EXPECT_FALSE(d.also_stop);  // nothing to stop: no "stop refused" is recorded
}

TEST(RequestDecision, StartSendsNeverStartedRowsBackAndIsServedWhenNothingElseIsStopped) {
  RequestFacts f = Facts({S::kCompleted, S::kStopped, S::kStopped});
  f.operations[2].started_at.reset();
  RequestDecision d = Decide(f, RequestKind::kStart);
  EXPECT_EQ(d.back_to_pending, std::vector<int64_t>{3});
  EXPECT_FALSE(d.start_served);
  f.operations[1].started_at.reset();
  d = Decide(f, RequestKind::kStart);
  EXPECT_EQ(d.back_to_pending, (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(d.start_served);
}

TEST(RequestDecision, StartIsRefusedWhileAStopIsPendingOrAnotherApplyHoldsADeployment) {
  RequestFacts f = Facts({S::kStopped});
  Add(f, RequestKind::kStop);
  EXPECT_EQ(Decide(f, RequestKind::kStart).answer.reason, "a stop is still in progress");
  RequestFacts g = Facts({S::kStopped});
  auto busy = [](const std::vector<std::string>& deps) -> Result<std::optional<std::string>> {
    return std::optional<std::string>("deployment " + deps[0] + " is held by apply ap_2");
  };
  EXPECT_EQ(Decide(g, RequestKind::kStart, busy).answer.reason,
            "deployment d1 is held by apply ap_2");
}

TEST(RequestDecision, StopSupersedesAPendingStart) {
  RequestFacts f = Facts({S::kResuming});
  Add(f, RequestKind::kStart);
  EXPECT_TRUE(Decide(f, RequestKind::kStop).supersede_start);
}

}  // namespace
}  // namespace ordo

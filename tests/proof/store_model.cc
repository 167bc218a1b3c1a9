#include "store_model.h"

#include <algorithm>
#include <set>

#include "core/request_decision.h"

namespace ordo::proof {
namespace {

using S = OperationState;

void Fresh(OperationRecord& op) { op.updated_at = kNow; }

// The apply row written like WriteApplyState: a settled state completes the requests
// still pending as moot; failed_retryable starts the retry freshness window.
void WriteApplyState(State& s, int64_t apply_id, ApplyState next) {
  reference::ApplyRow& a = ApplyOf(s, apply_id);
  if (a.state == next) return;
  a.state = next;
  a.updated_at = kNow;
  if (next == ApplyState::kFailedRetryable) a.failed_at = kNow;
  if (IsSettled(next)) {
    for (auto& r : s.store.requests)
      if (r.apply_id == apply_id && r.status == RequestStatus::kPending)
        r.status = RequestStatus::kCompleted;
  }
}

void RederiveApply(State& s, int64_t apply_id) {
  WriteApplyState(s, apply_id, Derived(s, apply_id).state);
}

void SetRequest(State& s, int64_t apply_id, RequestKind kind, RequestStatus status) {
  for (auto& r : s.store.requests) {
    if (r.apply_id == apply_id && r.kind == kind) {
      r.status = status;
      return;
    }
  }
  s.store.requests.push_back(reference::RequestRow{apply_id, kind, status});
}

// The manual cutover request is served once nothing of the apply can still park.
void CompleteServedCutover(State& s, int64_t apply_id) {
  if (RequestOf(s, apply_id, RequestKind::kCutover) != RequestStatus::kPending) return;
  for (const auto& op : s.store.operations) {
    if (op.apply_id != apply_id) continue;
    switch (op.state) {
      case S::kPending:
      case S::kRunning:
      case S::kResuming:
      case S::kWaitingForCutover:
      case S::kFailedRetryable:
      case S::kStopped:
        return;
      default:
        break;
    }
  }
  SetRequest(s, apply_id, RequestKind::kCutover, RequestStatus::kCompleted);
}

int IndexOf(const State& s, int64_t id) {
  for (size_t i = 0; i < s.store.operations.size(); ++i)
    if (s.store.operations[i].id == id) return static_cast<int>(i);
  return -1;
}

void Lease(OperationRecord& op, const std::string& token) {
  op.lease_token = token;
  op.lease_owner = "driver";
  Fresh(op);
}

Status Fence(const State& s, int op, const std::string& token) {
  const OperationRecord& r = Op(s, op);
  if (token.empty() || r.lease_token != token)
    return LeaseLost("operation " + std::to_string(r.id));
  return Status::Ok();
}

// A person's view of the apply for DecideRequest.
RequestFacts FactsOf(const State& s, int64_t apply_id) {
  RequestFacts f;
  f.apply.id = apply_id;
  f.apply.external_id = "ap_" + std::to_string(apply_id);
  f.apply.state = ApplyOf(s, apply_id).state;
  f.operations = OpsOf(s, apply_id);
  for (const auto& r : s.store.requests) {
    if (r.apply_id != apply_id) continue;
    ControlRequestRecord c;
    c.apply_id = apply_id;
    c.kind = r.kind;
    c.status = r.status;
    f.requests.push_back(c);
  }
  return f;
}

// The other apply holding one of `deployments` (HoldsDeployment), as the refusal says it.
std::optional<std::string> Holder(const State& s, int64_t self,
                                  const std::vector<std::string>& deployments) {
  for (const auto& op : s.store.operations) {
    if (op.apply_id == self) continue;
    if (std::find(deployments.begin(), deployments.end(), op.deployment) == deployments.end())
      continue;
    if (HoldsDeployment(op.state, Derived(s, op.apply_id).state,
                        RequestOf(s, op.apply_id, RequestKind::kStart) == RequestStatus::kPending))
      return "deployment " + op.deployment + " is held by apply ap_" + std::to_string(op.apply_id);
  }
  return std::nullopt;
}

}  // namespace

OperationRecord& Op(State& s, int op) { return s.store.operations[op]; }
const OperationRecord& Op(const State& s, int op) { return s.store.operations[op]; }

reference::ApplyRow& ApplyOf(State& s, int64_t apply_id) {
  for (auto& a : s.store.applies)
    if (a.id == apply_id) return a;
  return s.store.applies.front();
}

const reference::ApplyRow& ApplyOf(const State& s, int64_t apply_id) {
  for (const auto& a : s.store.applies)
    if (a.id == apply_id) return a;
  return s.store.applies.front();
}

std::vector<OperationRecord> OpsOf(const State& s, int64_t apply_id) {
  std::vector<OperationRecord> out;
  for (const auto& op : s.store.operations)
    if (op.apply_id == apply_id) out.push_back(op);
  return out;
}

DerivedApplyState Derived(const State& s, int64_t apply_id) {
  return reference::DerivedState(s.store, apply_id);
}

std::optional<RequestStatus> RequestOf(const State& s, int64_t apply_id, RequestKind kind) {
  for (const auto& r : s.store.requests)
    if (r.apply_id == apply_id && r.kind == kind) return r.status;
  return std::nullopt;
}

worker::ApplyControl ControlOf(const State& s, int64_t apply_id) {
  std::vector<ControlRequestRecord> requests;
  for (const auto& r : s.store.requests) {
    if (r.apply_id != apply_id) continue;
    ControlRequestRecord c;
    c.kind = r.kind;
    c.status = r.status;
    requests.push_back(c);
  }
  worker::ApplyControl c = worker::ReadControl(requests);
  c.apply_decided =
      IsSettled(ApplyOf(s, apply_id).state) || IsSettled(Derived(s, apply_id).verdict);
  return c;
}

std::string NewToken(const State& s) {
  std::set<std::string> used;
  for (const auto& op : s.store.operations)
    if (op.lease_token) used.insert(*op.lease_token);
  for (const auto& p : s.processes) {
    for (const auto& r : p.drivers) used.insert(r.token);
    for (const auto& r : p.keepers) used.insert(r.token);
  }
  for (int i = 1;; ++i) {
    std::string t = "t" + std::to_string(i);
    if (!used.count(t)) return t;
  }
}

std::optional<int> ClaimCopy(State& s, const std::string& token, OperationRecord* before) {
  std::optional<int64_t> id = reference::FirstCopyClaim(s.store);
  if (!id) return std::nullopt;
  int i = IndexOf(s, *id);
  OperationRecord& op = Op(s, i);
  *before = op;
  switch (*reference::CopyArmFor(s.store, op)) {
    case reference::CopyArm::kStartPending:
      op.state = S::kRunning;
      if (!op.started_at) op.started_at = kNow;
      break;
    case reference::CopyArm::kRecoverStale:
      break;
    case reference::CopyArm::kResumeStopped: {
      op.state = S::kResuming;
      bool stopped_left = false;
      for (const auto& o : s.store.operations)
        stopped_left = stopped_left || (o.apply_id == op.apply_id && o.state == S::kStopped);
      if (!stopped_left) SetRequest(s, op.apply_id, RequestKind::kStart, RequestStatus::kCompleted);
      break;
    }
    case reference::CopyArm::kRetry: {
      reference::ApplyRow& a = ApplyOf(s, op.apply_id);
      if (a.state == ApplyState::kFailedRetryable) {
        // A real redispatch spends one unit of the budget.
        a.state = ApplyState::kRunning;
        a.attempt = std::min(a.attempt + 1, s.store.options.retry_budget);
        ++op.attempt;
      }
      a.updated_at = kNow;
      break;
    }
  }
  Lease(op, token);
  return i;
}

std::optional<int> ClaimCutover(State& s, const std::string& token, OperationRecord* before) {
  std::optional<int64_t> id = reference::FirstCutoverClaim(s.store);
  if (!id) return std::nullopt;
  int i = IndexOf(s, *id);
  OperationRecord& op = Op(s, i);
  *before = op;
  bool start_parked = *reference::CutoverArmFor(s.store, op) == reference::CutoverArm::kStartParked;
  if (start_parked) op.state = S::kCuttingOver;
  Lease(op, token);
  if (start_parked) CompleteServedCutover(s, op.apply_id);
  return i;
}

std::optional<int> ClaimCleanup(State& s, const std::string& token, OperationRecord* before) {
  std::vector<int64_t> ids = reference::CleanupClaimable(s.store);
  if (ids.empty()) return std::nullopt;
  int i = IndexOf(s, ids.front());
  *before = Op(s, i);
  Lease(Op(s, i), token);
  return i;
}

bool ClaimStop(State& s) {
  std::vector<int64_t> applies = reference::StopReconcilable(s.store);
  if (applies.empty()) return false;
  int64_t apply_id = applies.front();
  for (int64_t id : reference::StopReconciledOperations(s.store, apply_id)) {
    OperationRecord& op = Op(s, IndexOf(s, id));
    op.state = S::kStopped;
    op.lease_token.reset();
    op.lease_owner.reset();
    Fresh(op);
  }
  RederiveApply(s, apply_id);
  SetRequest(s, apply_id, RequestKind::kStop, RequestStatus::kCompleted);
  return true;
}

bool ExpireRetries(State& s, const WorldSpec& w) {
  (void)w;
  std::vector<int64_t> expired = reference::ExpirableApplies(s.store);
  for (int64_t apply_id : expired) {
    for (auto& op : s.store.operations) {
      if (op.apply_id != apply_id || op.state != S::kFailedRetryable) continue;
      op.state = S::kFailed;
      op.error = "retry budget exhausted";
      op.lease_token.reset();  // settled without a holder: nobody holds it
      op.lease_owner.reset();
      // Settled without its holder: what it left on its target is still to be removed.
      op.cleanup_pending = op.started_at.has_value();
      Fresh(op);
    }
    WriteApplyState(s, apply_id, ApplyState::kFailed);
  }
  return !expired.empty();
}

bool RederiveUnheld(State& s) {
  std::vector<int64_t> ids = reference::RederivableApplies(s.store);
  for (int64_t apply_id : ids) RederiveApply(s, apply_id);
  return !ids.empty();
}

Status Transition(State& s, int op_index, const std::string& token, OperationState to) {
  ORDO_RETURN_IF_ERROR(Fence(s, op_index, token));
  OperationRecord& op = Op(s, op_index);
  op.state = to;
  if (to == S::kRunning && !op.started_at) op.started_at = kNow;
  if (to == S::kFailed) op.error = "failed";
  // A holder settles a row only once it has cleaned up its target.
  if (IsSettled(to)) op.cleanup_pending = false;
  Fresh(op);
  if (to == S::kStopped) {
    // A stopped row holds no lease: the transition releases it and moves the apply.
    op.lease_token.reset();
    op.lease_owner.reset();
    RederiveApply(s, op.apply_id);
  }
  return Status::Ok();
}

Status CompleteOwingCleanup(State& s, int op_index, const std::string& token) {
  ORDO_RETURN_IF_ERROR(Fence(s, op_index, token));
  OperationRecord& op = Op(s, op_index);
  if (op.state == S::kCompleted) return Status::Ok();  // a repeat: nothing written
  if (op.state != S::kCuttingOver) return FailedPrecondition("not at the end of its turn");
  op.state = S::kCompleted;
  op.cleanup_pending = true;
  Fresh(op);
  return Status::Ok();
}

Result<bool> BeginCutover(State& s, int op_index, const std::string& token) {
  ORDO_RETURN_IF_ERROR(Fence(s, op_index, token));
  OperationRecord& op = Op(s, op_index);
  if (op.state == S::kCuttingOver) return true;  // already begun: idempotent
  if (op.state != S::kWaitingForCutover) return FailedPrecondition("not waiting_for_cutover");
  if (!reference::BeginCutoverAllowed(s.store, op)) return false;
  op.state = S::kCuttingOver;
  Fresh(op);
  CompleteServedCutover(s, op.apply_id);
  return true;
}

Status Park(State& s, const WorldSpec& w, int op_index, const std::string& token) {
  ORDO_RETURN_IF_ERROR(Fence(s, op_index, token));
  OperationRecord& op = Op(s, op_index);
  bool parkable =
      op.state == S::kRunning || op.state == S::kResuming || op.state == S::kWaitingForCutover;
  if (!parkable && !w.reintroduce.unguarded_park)
    return FailedPrecondition("operation is " + std::string(ToString(op.state)) + "; not parked");
  op.state = S::kWaitingForCutover;
  op.lease_token.reset();
  op.lease_owner.reset();
  Fresh(op);
  return Status::Ok();
}

Status SwapApplyState(State& s, int op_index, const std::string& token) {
  ORDO_RETURN_IF_ERROR(Fence(s, op_index, token));
  int64_t apply_id = Op(s, op_index).apply_id;
  if (HolderMovesApply(ApplyOf(s, apply_id).state, Derived(s, apply_id).state))
    RederiveApply(s, apply_id);
  return Status::Ok();
}

void CompleteRequest(State& s, int64_t apply_id, RequestKind kind) {
  if (RequestOf(s, apply_id, kind) == RequestStatus::kPending)
    SetRequest(s, apply_id, kind, RequestStatus::kCompleted);
}

void FailRequest(State& s, int64_t apply_id, RequestKind kind) {
  if (RequestOf(s, apply_id, kind) == RequestStatus::kPending)
    SetRequest(s, apply_id, kind, RequestStatus::kFailed);
}

RequestOutcome RequestControl(State& s, int64_t apply_id, RequestKind kind) {
  DeploymentHolderLookup holder =
      [&](const std::vector<std::string>& deployments) -> Result<std::optional<std::string>> {
    return Holder(s, apply_id, deployments);
  };
  Result<RequestDecision> d = DecideRequest(FactsOf(s, apply_id), kind, holder);
  if (!d.ok()) return RequestOutcome::kRefused;
  switch (d->answer.outcome) {
    case RequestOutcome::kAlreadyRequested:
      return d->answer.outcome;
    case RequestOutcome::kRefused:
      SetRequest(s, apply_id, kind, RequestStatus::kFailed);
      return d->answer.outcome;
    case RequestOutcome::kAccepted:
      break;
  }
  SetRequest(s, apply_id, kind, RequestStatus::kPending);
  if (d->supersede_start) SetRequest(s, apply_id, RequestKind::kStart, RequestStatus::kFailed);
  if (d->also_stop) SetRequest(s, apply_id, RequestKind::kStop, RequestStatus::kPending);
  for (int64_t id : d->back_to_pending) {
    OperationRecord& op = Op(s, IndexOf(s, id));
    op.state = S::kPending;
    op.lease_token.reset();
    op.lease_owner.reset();
    Fresh(op);
  }
  if (kind == RequestKind::kStart) {
    RederiveApply(s, apply_id);
    if (d->start_served) SetRequest(s, apply_id, RequestKind::kStart, RequestStatus::kCompleted);
  }
  return RequestOutcome::kAccepted;
}

bool CreateApply(State& s, const WorldSpec& w, int index) {
  const ApplySpec& spec = w.applies[index];
  std::vector<std::string> deployments;
  for (int d : spec.deployments) deployments.push_back("d" + std::to_string(d));
  int64_t apply_id = index + 1;
  if (Holder(s, apply_id, deployments)) return false;
  s.created[index] = true;
  s.apply_of_spec[index] = static_cast<int>(apply_id);
  s.store.applies.push_back(reference::ApplyRow{apply_id, ApplyState::kPending, spec.defer_cutover,
                                                0, std::nullopt, kNow});
  for (int d : spec.deployments) {
    OperationRecord op;
    op.id = static_cast<int64_t>(s.store.operations.size()) + 1;
    op.apply_id = apply_id;
    op.deployment = "d" + std::to_string(d);
    op.cutover_policy = spec.cutover_policy;
    op.on_failure = spec.on_failure;
    op.created_at = kNow;
    op.updated_at = kNow;
    s.store.operations.push_back(op);
    s.extra.push_back(OpExtra{d, false, false, false});
  }
  return true;
}

}  // namespace ordo::proof

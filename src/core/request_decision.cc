#include "core/request_decision.h"

#include "core/derive.h"

namespace ordo {
namespace {

using S = OperationState;

std::optional<RequestStatus> StatusOf(const RequestFacts& f, RequestKind kind) {
  for (const auto& r : f.requests)
    if (r.kind == kind) return r.status;
  return std::nullopt;
}

bool ReleaseLatched(const RequestFacts& f) {
  auto release = StatusOf(f, RequestKind::kRelease);
  return release == RequestStatus::kPending || release == RequestStatus::kCompleted;
}

bool AnyIn(const std::vector<OperationRecord>& ops, S state) {
  for (const auto& op : ops)
    if (op.state == state) return true;
  return false;
}

bool AnyActive(const std::vector<OperationRecord>& ops) {
  for (const auto& op : ops)
    if (IsActive(op.state)) return true;
  return false;
}

RequestDecision Refused(std::string reason) {
  RequestDecision d;
  d.answer = RequestAnswer{RequestOutcome::kRefused, std::move(reason)};
  return d;
}

}  // namespace

Result<RequestDecision> DecideRequest(const RequestFacts& f, RequestKind kind,
                                      const DeploymentHolderLookup& holder) {
  std::string name(ToString(kind));
  if (StatusOf(f, kind) == RequestStatus::kPending) {
    RequestDecision d;
    d.answer = RequestAnswer{RequestOutcome::kAlreadyRequested, name + " already requested"};
    return d;
  }
  ApplyState derived = DeriveApplyState(f.operations, ReleaseLatched(f)).state;
  if (IsSettled(f.apply.state) || IsSettled(derived)) {
    ApplyState shown = IsSettled(f.apply.state) ? f.apply.state : derived;
    return Refused("apply " + f.apply.external_id + " is " + std::string(ToString(shown)));
  }
  RequestDecision d;
  switch (kind) {
    case RequestKind::kStop:
      if (!AnyActive(f.operations)) return Refused("nothing to stop: no operation is active");
      // A stop supersedes a start that has not finished resuming.
      d.supersede_start = StatusOf(f, RequestKind::kStart) == RequestStatus::kPending;
      break;
    case RequestKind::kStart: {
      if (StatusOf(f, RequestKind::kStop) == RequestStatus::kPending)
        return Refused("a stop is still in progress");
      if (!AnyIn(f.operations, S::kStopped))
        return Refused("nothing to start: no operation is stopped");
      std::vector<std::string> deployments;
      for (const auto& op : f.operations)
        if (!IsSettled(op.state)) deployments.push_back(op.deployment);
      ORDO_ASSIGN_OR_RETURN(std::optional<std::string> held, holder(deployments));
      if (held) return Refused(*held);
      bool still_stopped = false;
      for (const auto& op : f.operations) {
        if (op.state != S::kStopped) continue;
        if (op.started_at.has_value())
          still_stopped = true;
        else
          d.back_to_pending.push_back(op.id);
      }
      d.start_served = !still_stopped;
      break;
    }
    case RequestKind::kRevert:
    case RequestKind::kSkipRevert:
      if (!AnyIn(f.operations, S::kRevertWindow))
        return Refused(name + " applies only during a revert window");
      break;
    case RequestKind::kCancel:
      d.also_stop =
          AnyActive(f.operations) && StatusOf(f, RequestKind::kStop) != RequestStatus::kPending;
      d.supersede_start =
          d.also_stop && StatusOf(f, RequestKind::kStart) == RequestStatus::kPending;
      break;
    case RequestKind::kCutover:
    case RequestKind::kRelease:
      break;
  }
  d.answer = RequestAnswer{RequestOutcome::kAccepted, ""};
  return d;
}

}  // namespace ordo

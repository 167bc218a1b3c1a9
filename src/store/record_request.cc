#include "store/record_request.h"

namespace ordo {
namespace {

RequestEvent ControlEvent(std::optional<std::string> from, std::string to, std::string message) {
  return RequestEvent{std::nullopt, "control_request", std::move(from), std::move(to),
                      std::move(message)};
}

Status WriteDecision(const RequestWrites& w, RequestKind kind, const RequestDecision& decision,
                     std::string_view requested_by) {
  std::string name(ToString(kind));
  std::string by(requested_by);
  const RequestAnswer& answer = decision.answer;
  if (answer.outcome == RequestOutcome::kAlreadyRequested) return Status::Ok();
  if (answer.outcome == RequestOutcome::kRefused) {
    ORDO_RETURN_IF_ERROR(w.upsert(kind, RequestStatus::kFailed, requested_by, answer.reason));
    return w.event(ControlEvent(std::nullopt, "failed", name + " refused: " + answer.reason));
  }
  if (decision.supersede_start) {
    ORDO_RETURN_IF_ERROR(
        w.upsert(RequestKind::kStart, RequestStatus::kFailed, "", "superseded by stop"));
    ORDO_RETURN_IF_ERROR(w.event(ControlEvent("pending", "failed", "start superseded by stop")));
  }
  for (int64_t id : decision.back_to_pending) {
    ORDO_RETURN_IF_ERROR(w.back_to_pending(id));
    ORDO_RETURN_IF_ERROR(w.event(RequestEvent{id, "state_change", "stopped", "pending",
                                              "start: never started, back to the ordering gate"}));
  }
  ORDO_RETURN_IF_ERROR(w.upsert(kind, RequestStatus::kPending, requested_by, std::nullopt));
  ORDO_RETURN_IF_ERROR(
      w.event(ControlEvent(std::nullopt, "pending", name + " requested by " + by)));
  if (decision.also_stop) {
    // The stop keeps every gate from starting or cutting over anything more, and lets
    // stop reconciliation settle the idle rows.
    ORDO_RETURN_IF_ERROR(
        w.upsert(RequestKind::kStop, RequestStatus::kPending, requested_by, std::nullopt));
    ORDO_RETURN_IF_ERROR(w.event(ControlEvent(
        std::nullopt, "pending", "stop requested by " + by + " (with the " + name + ")")));
  }
  if (kind != RequestKind::kStart) return Status::Ok();
  ORDO_RETURN_IF_ERROR(w.rederive());
  if (!decision.start_served) return Status::Ok();
  // Nothing left stopped (every stopped row had never started): served already.
  ORDO_RETURN_IF_ERROR(w.complete_start());
  return w.event(ControlEvent("pending", "completed", "start completed: nothing left to resume"));
}

}  // namespace

Result<RequestAnswer> RecordRequest(const RequestFacts& facts, RequestKind kind,
                                    const DeploymentHolderLookup& holder, const RequestWrites& w,
                                    std::string_view requested_by) {
  ORDO_ASSIGN_OR_RETURN(RequestDecision decision, DecideRequest(facts, kind, holder));
  ORDO_RETURN_IF_ERROR(WriteDecision(w, kind, decision, requested_by));
  return decision.answer;
}

}  // namespace ordo

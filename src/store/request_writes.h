// The writes that record a control-request decision (core/request_decision.h), the
// same on every backend: which request rows change, in which order, and the events
// with their messages. A backend supplies its statements as RequestWrites and calls
// WriteRequestDecision inside the request's transaction.
//
// Thread-safety: as the callbacks given.
//
//   RequestWrites w{upsert, event, back_to_pending, rederive, complete_start};
//   ORDO_ASSIGN_OR_RETURN(RequestDecision d, DecideRequest(facts, kind, holder));
//   ORDO_RETURN_IF_ERROR(WriteRequestDecision(w, kind, d, requested_by));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/request_decision.h"
#include "ordo/status.h"

namespace ordo {

// An event of the request's apply.
struct RequestEvent {
  std::optional<int64_t> operation_id;
  std::string kind;  // "control_request" or "state_change"
  std::optional<std::string> from_state;
  std::optional<std::string> to_state;
  std::string message;
};

// The backend's statements, each run in the request's transaction.
struct RequestWrites {
  // Upserts the apply's one request row of a kind (created_at reset, completed_at NULL).
  std::function<Status(RequestKind, RequestStatus, std::string_view requested_by,
                       const std::optional<std::string>& error)>
      upsert;
  std::function<Status(const RequestEvent&)> event;
  // Moves a stopped operation that never started back to pending, guarded by its state.
  std::function<Status(int64_t operation_id)> back_to_pending;
  // Re-derives the apply's state from its rows and stores it when it changed.
  std::function<Status()> rederive;
  // Completes the apply's pending start request.
  std::function<Status()> complete_start;
};

// Records `decision` on a new `kind` request: nothing for "already requested"; for a
// refusal, the request as failed with its reason; for an accepted one, its effects
// (a superseded start fails, never-started stopped rows go back to pending), the
// request as pending, the stop a cancel records with it, and for a start the apply
// re-derived and the start completed when nothing is left to resume.
Status WriteRequestDecision(const RequestWrites& w, RequestKind kind,
                            const RequestDecision& decision, std::string_view requested_by);

}  // namespace ordo

// A control request, decided and recorded the same way on every backend: the decision
// is core's DecideRequest (core/request_decision.h) over the rows the backend read in
// the request's transaction; recording it fixes which request rows change, in which
// order, and the events with their messages. A backend supplies its statements as
// RequestWrites.
//
// Thread-safety: as the callbacks given.
//
//   RequestWrites w{upsert, event, back_to_pending, rederive, complete_start};
//   ORDO_ASSIGN_OR_RETURN(RequestAnswer a, RecordRequest(facts, kind, holder, w, "alice"));
//   ORDO_RETURN_IF_ERROR(txn.Commit());
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

// Decides a new `kind` request and records the decision: nothing for "already
// requested"; for a refusal, the request as failed with its reason; for an accepted
// one, its effects (a superseded start fails, never-started stopped rows go back to
// pending), the request as pending, the stop a cancel records with it, and for a
// start the apply re-derived and the start completed when nothing is left to resume.
// Returns the answer; an error from a lookup or a write is returned as is (the caller
// then does not commit).
Result<RequestAnswer> RecordRequest(const RequestFacts& facts, RequestKind kind,
                                    const DeploymentHolderLookup& holder, const RequestWrites& w,
                                    std::string_view requested_by);

}  // namespace ordo

// The control-request decision (docs/model.md "Control requests"; docs/store.md): whether
// a request is accepted, already requested, or refused and why, and what an accepted
// one changes besides its own row. Every store backend runs it inside the request's
// transaction over the rows it read; the protocol's model checker runs the same
// function over its model of the store.
//
// Pure function over values (the deployment-holder lookup is the caller's); thread-safe.
//
//   RequestFacts facts{apply, ops, requests};
//   ORDO_ASSIGN_OR_RETURN(RequestDecision d, DecideRequest(facts, RequestKind::kStart, lookup));
//   if (d.answer.outcome == RequestOutcome::kAccepted) { /* write d's effects */ }
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo {

// What the decision reads: the apply row, its operations in deployment order, and its
// control requests (one per kind at most).
struct RequestFacts {
  ApplyRecord apply;
  std::vector<OperationRecord> operations;
  std::vector<ControlRequestRecord> requests;
};

struct RequestDecision {
  RequestAnswer answer;
  // Effects of an accepted request, besides marking it pending:
  // stop (or a cancel that records one): a pending start fails with "superseded by stop".
  bool supersede_start = false;
  // cancel: a stop is recorded with it (no gate starts or cuts over anything more, and
  // stop reconciliation settles idle rows); false when nothing is active to stop.
  bool also_stop = false;
  // start: stopped operations that never started go back to `pending` (they pass the
  // ordering gate again: a start never reorders) ...
  std::vector<int64_t> back_to_pending;
  // ... and when nothing stopped is left after that, the start is served at once.
  bool start_served = false;
};

// The other apply holding one of `deployments` (same database and environment), as the
// refusal's text ("deployment d is held by apply ap_…"), or nullopt. Called only for a
// start that every other rule accepts.
using DeploymentHolderLookup =
    std::function<Result<std::optional<std::string>>(const std::vector<std::string>& deployments)>;

// The decision for a new `kind` request. A pending request of the same kind is
// "already requested"; every kind is refused once the apply is settled (stored, or as
// its operations derive); see docs/store.md for each kind's rules.
Result<RequestDecision> DecideRequest(const RequestFacts& facts, RequestKind kind,
                                      const DeploymentHolderLookup& holder);

}  // namespace ordo

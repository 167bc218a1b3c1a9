// One active apply per deployment, decided the same way on every backend: which other
// apply holds one of the deployments of an apply being created (or started again).
// The rule is core's HoldsDeployment (src/core/derive.h), applied to each candidate
// row over its apply's derived state and whether a start of that apply is pending; a
// backend only lists the candidate rows (its SQL may leave out rows that can never
// hold, see DeploymentHolderPrefilterSql) and reads the rows of a candidate's apply.
//
// Thread-safety: as the callbacks given; the SQL builder is a pure function.
//
//   DeploymentHolderReads reads{candidates_on, apply_rows};
//   ORDO_ASSIGN_OR_RETURN(std::optional<std::string> holder,
//                         FindDeploymentHolder({"eu-1", "us-1"}, reads));
//   if (holder) return Conflict("cannot create apply: " + *holder);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo {

// An operation of another apply (same database and environment) on a deployment.
struct HolderCandidate {
  int64_t apply_id = 0;
  std::string apply_external_id;
  OperationState state = OperationState::kPending;
};

// What the rule reads of a candidate's apply: its operations in deployment order (the
// derivation) and its control requests (the release latch, a pending start).
struct HolderApplyRows {
  std::vector<OperationRecord> operations;
  std::vector<ControlRequestRecord> requests;
};

// The backend's reads, each run in the caller's transaction.
struct DeploymentHolderReads {
  // The candidate rows on `deployment`, ordered by apply id.
  std::function<Result<std::vector<HolderCandidate>>(const std::string& deployment)> candidates_on;
  std::function<Result<HolderApplyRows>(int64_t apply_id)> apply_rows;
};

// "deployment <d> is held by apply <external id> (operation <state>)" for the first
// candidate, deployment by deployment, that holds its deployment; nullopt when none
// does. Each candidate apply's rows are read once. Errors of the reads pass through.
Result<std::optional<std::string>> FindDeploymentHolder(const std::vector<std::string>& deployments,
                                                        const DeploymentHolderReads& reads);

// A SQL condition over an operation `o` that keeps every row that can hold its
// deployment under some derived state of its apply, built from HoldsDeployment: rows in
// a state that may hold whatever the requests say, and rows in a state that may hold
// only while a start is pending (stopped) when `start_pending` (the backend's
// predicate "a start request is pending for o's apply") holds.
std::string DeploymentHolderPrefilterSql(const std::string& start_pending);

}  // namespace ordo

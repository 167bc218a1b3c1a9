// The store's values at its edges, shared by every backend: what CreateApply accepts,
// and how the enumerated columns it stored are read back.
//
// Policies are refused at create unless they are exactly one of the known values, so
// every backend stores the same bytes whatever its collation compares equal (MariaDB's
// PAD SPACE collation would treat "continue " as "continue"; SQLite would not). A policy
// column that holds another value anyway (written from outside ordo) stays readable:
// the gates and the derivation read it fail-closed (rolling, halt). A state, request
// kind or request status ordo does not know is a corrupt row: reading it is an
// Internal error naming the value, not a guess.
//
// Thread-safety: pure functions.
//
//   ORDO_RETURN_IF_ERROR(ValidateNewApply(apply));   // InvalidArgument on "Continue"
//   ORDO_ASSIGN_OR_RETURN(OperationState s, StoredOperationState(text));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ordo/model.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo {

// InvalidArgument for an empty database, environment or deployment name, no or
// duplicate deployments, or a cutover_policy / on_failure other than exactly one of
// the known values (the message names the value and the allowed ones).
Status ValidateNewApply(const NewApply& apply);

// The stored text of each enumerated column; Internal naming the value when it is not
// one ordo writes.
Result<OperationState> StoredOperationState(std::string_view text);

// An operation that reaches one of its good endings (revert_window, completed,
// reverted) without an error of its own has none: the error of an earlier attempt
// (a connection that failed and was retried) is cleared rather than shown beside the
// success. Every other transition keeps the last error unless it brings one.
bool TransitionClearsError(OperationState to, const std::optional<std::string>& error);
Result<ApplyState> StoredApplyState(std::string_view text);
Result<RequestKind> StoredRequestKind(std::string_view text);
Result<RequestStatus> StoredRequestStatus(std::string_view text);

}  // namespace ordo

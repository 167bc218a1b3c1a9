// The state guards of Store::Park and Store::CompleteOwingCleanup, the same on every
// backend.
//
// Park: a row is released at the barrier only from running, resuming or
// waiting_for_cutover: a driver whose begin_cutover committed but whose answer was
// lost may still call Park, and must not turn a row that is already cutting_over (or
// anything later) back into a parked one.
//
// CompleteOwingCleanup: only the end of a turn (cutting_over) completes with the
// cleanup owed; a repeat (the row is completed) writes nothing.
//
// Thread-safety: pure functions.
//
//   ORDO_RETURN_IF_ERROR(ParkGuard(op.id, op.state));  // then the fenced UPDATE
//   ORDO_ASSIGN_OR_RETURN(bool write, CompleteOwingGuard(op.id, op.state));
#pragma once

#include <cstdint>

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo {

// Ok when an operation in `state` may be parked; otherwise FailedPrecondition
// "operation <id> is <state>; not parked".
Status ParkGuard(int64_t operation_id, OperationState state);
// true: complete it now; false: already completed, write nothing; otherwise
// FailedPrecondition "operation <id> is <state>; not at the end of its turn".
Result<bool> CompleteOwingGuard(int64_t operation_id, OperationState state);

}  // namespace ordo

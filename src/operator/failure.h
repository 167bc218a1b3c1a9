// Failure classification: which engine errors make an operation failed_retryable
// (retried within the apply's budget) and which make it failed (terminal).
//
// Retryable: the status says so (server unreachable, lock wait timeout, deadlock,
// busy, a cutover whose every attempt timed out with nothing swapped). Everything
// else is permanent: bad DDL, refusals by preflight, lossy changes (DataLoss),
// checksum mismatches, an unknown deployment, internal errors.
//
// Thread-safety: a pure function.
#pragma once

#include "ordo/status.h"

namespace ordo::worker {

struct FailureVerdict {
  bool retryable = false;
};

FailureVerdict ClassifyFailure(const Status& status);

}  // namespace ordo::worker

#include "operator/failure.h"

namespace ordo::worker {

FailureVerdict ClassifyFailure(const Status& status) {
  FailureVerdict v;
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kAborted:
    case StatusCode::kTimeout:
      v.retryable = true;
      break;
    case StatusCode::kDataLoss:
    case StatusCode::kInvalidArgument:
      v.retryable = false;  // never retried, whatever the bit says
      break;
    default:
      v.retryable = status.retryable();
      break;
  }
  return v;
}

}  // namespace ordo::worker

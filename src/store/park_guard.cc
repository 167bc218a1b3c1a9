#include "store/park_guard.h"

#include <string>

namespace ordo {

Status ParkGuard(int64_t operation_id, OperationState state) {
  switch (state) {
    case OperationState::kRunning:
    case OperationState::kResuming:
    case OperationState::kWaitingForCutover:
      return Status::Ok();
    default:
      return FailedPrecondition("operation " + std::to_string(operation_id) + " is " +
                                std::string(ToString(state)) + "; not parked");
  }
}

Result<bool> CompleteOwingGuard(int64_t operation_id, OperationState state) {
  if (state == OperationState::kCuttingOver) return true;
  if (state == OperationState::kCompleted) return false;
  return FailedPrecondition("operation " + std::to_string(operation_id) + " is " +
                            std::string(ToString(state)) + "; not at the end of its turn");
}

}  // namespace ordo

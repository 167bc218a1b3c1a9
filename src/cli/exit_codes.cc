#include "cli/exit_codes.h"

namespace ordo::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return kExitUsage;
    case StatusCode::kUnavailable:
      return kExitUnreachable;
    default:
      return kExitNotCompleted;
  }
}

int ExitCodeFor(ApplyState final_state) {
  return final_state == ApplyState::kCompleted ? kExitOk : kExitNotCompleted;
}

}  // namespace ordo::cli

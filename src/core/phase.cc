#include "core/phase.h"

namespace ordo {

std::string OperationPhase(const OperationRecord& op, const std::vector<ChangeRecord>& changes) {
  switch (op.state) {
    case OperationState::kWaitingForCutover:
      return "waiting_for_turn";
    case OperationState::kCuttingOver:
      return "swapping";
    case OperationState::kCompleted:
      // Its turn ended at the swap; the old tables are being dropped.
      return op.cleanup_pending ? "dropping_old_table" : "completed";
    case OperationState::kRunning:
      break;
    default:
      return std::string(ToString(op.state));
  }
  // Every change of an operation reports the same engine phase.
  std::string engine = changes.empty() ? "" : changes.front().state;
  if (engine.empty() || engine == "pending" || engine == "preflight") return "starting";
  if (engine == "indexing") return "building_indexes";
  return engine;
}

std::string HumanPhase(std::string_view phase) {
  if (phase == "waiting_for_turn") return "waiting for its turn";
  std::string out(phase);
  for (char& c : out)
    if (c == '_') c = ' ';
  return out;
}

}  // namespace ordo

// What a deployment is doing now, in the words `ordo status`, the live view and the
// JSON documents use (docs/guide.md, "What a deployment is doing"). The operation's
// state says where it stands in the rollout; while it runs, the engine's phase (the
// changes' state) says which step of the copy runs:
//
//   running + engine "preflight" → starting
//   running + engine "copying"   → copying
//   running + engine "indexing"  → building_indexes
//   running + engine "verifying" → verifying
//   running + engine "in_sync"   → in_sync
//   waiting_for_cutover          → waiting_for_turn   (ready: only the swap is left)
//   cutting_over                 → swapping
//   completed, cleanup owed      → dropping_old_table (the turn is over; the next may swap)
//   anything else                → the state's own name (revert_window, completed, …)
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ordo/model.h"

namespace ordo {

std::string OperationPhase(const OperationRecord& op, const std::vector<ChangeRecord>& changes);
// The phase for people: "waiting for its turn", "building indexes", "revert window".
std::string HumanPhase(std::string_view phase);

}  // namespace ordo

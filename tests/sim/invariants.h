// The simulator's oracle: invariants of the scheduler checked against the events
// table (every transition writes one) and the final rows of the real store.
//
//   - a deployment starts copying only when its cutover policy and the failure
//     exemption allow it (rolling: earlier ones completed; barrier: past the barrier;
//     halt never starts anything after a failure);
//   - cutovers start strictly in deployment order (earlier ones completed or excused)
//     and never overlap within an apply;
//   - the state the events replay to is the state stored;
//   - every apply ends settled, with the state its operations derive to, and every
//     operation ends settled (the cleanup claim cancels what a cancelled, halted or
//     expired rollout left behind);
//   - the target was swapped exactly once for every completed operation and never
//     for any other, and no cancelled operation left a shadow table behind.
//
// Thread-safety: call from the simulator's main task after the workers stopped.
#pragma once

#include <string>
#include <vector>

#include "engine_double.h"
#include "ordo/store.h"

namespace ordo::sim {

std::vector<std::string> CheckInvariants(Store& store, FakeTarget& target,
                                         const std::vector<int64_t>& apply_ids);

}  // namespace ordo::sim

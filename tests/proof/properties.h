// The safety properties the checker holds every state and every step to. Each returns
// an empty string when it holds, else what was violated (naming the operations).
//
//   - one swap at a time per apply (store rows and target tables alike);
//   - swaps in deployment order, and halt never passes a failure: a deployment's change
//     goes live only once every earlier deployment of its apply has completed or failed
//     in a way its on_failure excuses, and no deployment starts copying after an earlier
//     failure its policy does not excuse;
//   - a swap once begun is never undone by anything but a revert: a row that is
//     cutting_over goes on to its window or completed, or — while nothing of it is live
//     on the target — is cancelled or fails; it never goes back to parked or copying;
//   - at most one live lease per row;
//   - no two applies hold one deployment (HoldsDeployment, among rows whose engine has
//     been at the target);
//   - a settled operation has left nothing of ordo on its target (unless its cleanup is
//     recorded as still owed).
//
// Thread-safety: functions over values.
#pragma once

#include <string>

#include "world.h"

namespace ordo::proof {

std::string CheckState(const WorldSpec& w, const State& s);
std::string CheckStep(const WorldSpec& w, const State& before, const State& after);

}  // namespace ordo::proof

// The worlds the checker explores: small configurations that together cover every
// cutover_policy × on_failure × defer_cutover, one to three applies sharing
// deployments, one to three operations each, two and three drivers, with and without
// a free keeper, fleet and embedded.
//
// Thread-safety: plain values.
#pragma once

#include <vector>

#include "world.h"

namespace ordo::proof {

// The set CI explores (label `proof`): every world exhausted.
std::vector<WorldSpec> StandardWorlds();
// Larger worlds for the `slow` label.
std::vector<WorldSpec> LargeWorlds();

}  // namespace ordo::proof

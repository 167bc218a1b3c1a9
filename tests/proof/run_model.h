// Every step the world can take from one state: a driver's tick, one step of a
// driver's or keeper's run (each the point where the real run calls the store or the
// engine, deciding through operator/decisions.h), the engine's outcomes on the target
// (and its faults), crashes, shutdowns and restarts of worker processes, time passing
// (leases going stale, revert windows and retry windows ending), and a person's
// requests.
//
// A step is *progress* when the world takes it without any fault or request of a
// person: drivers and keepers doing their work, time passing, processes coming back,
// and the documented command a person gives when the rollout waits for one (`release`
// a paused apply, `cutover` a deferred one, `start` a stopped one).
//
// Thread-safety: functions over values.
#pragma once

#include <string>
#include <vector>

#include "world.h"

namespace ordo::proof {

struct Successor {
  State next;
  std::string label;
  bool progress = true;
};

// Appends every successor of `s` (a step that changes nothing is left out).
void Successors(const WorldSpec& w, const State& s, std::vector<Successor>* out);

// Whether every created apply and every one of its operations has settled, no run
// holds anything and no target has anything of ordo.
bool Settled(const State& s);

}  // namespace ordo::proof

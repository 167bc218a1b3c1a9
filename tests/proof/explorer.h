// The explicit-state exploration of one world: every state reachable from its start
// (breadth first, so the trace to any state is a shortest one), with the safety
// properties checked on every state and every step, then liveness: from every
// reachable state, progress steps alone (no fault, no request but the documented
// command of a state that waits for a person) can reach a state where everything has
// settled and nothing of ordo is left on any target. Under fair scheduling that is the
// rollout ending whatever happened before.
//
// Thread-safety: one exploration per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "world.h"

namespace ordo::proof {

struct Violation {
  std::string property;                   // which one, and why
  std::vector<std::string> trace;         // the steps from the start, shortest
  std::string state;                      // the state reached (or, for liveness, where it stays)
  std::vector<std::string> continuation;  // liveness: progress steps from there that go nowhere
};

struct Report {
  std::string world;
  uint64_t states = 0;
  uint64_t transitions = 0;
  bool exhausted = false;  // every reachable state was explored (else max_states stopped it)
  double seconds = 0;
  std::optional<Violation> violation;
};

Report Explore(const WorldSpec& w, uint64_t max_states);

// Prints a report (and a violation's trace) for people.
std::string Format(const Report& r);

}  // namespace ordo::proof

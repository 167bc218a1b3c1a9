// The scheduler simulator: a seeded run of several worker processes (real Worker,
// Driver, keeper and lease-monitor code) against one real SQLite store, with the
// engine double, random failures, control requests (stop/start, cancel, release,
// cutover, skip-revert, revert), process crashes and store partitions — all on a
// virtual clock under SimScheduler, so `ordo-sim --seed N` replays a run exactly.
//
// Thread-safety: RunSimulation is self-contained; run one at a time per process
// (it adopts the calling thread as the scheduler's main task).
//
//   SimReport r = RunSimulation({.seed = 42});
//   if (!r.ok()) std::cerr << r.Summary();
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ordo/model.h"

namespace ordo::sim {

struct SimOptions {
  uint64_t seed = 1;
  int applies = 12;
  int workers = 3;
  bool chaos = true;     // stops, cancels, crashes, partitions, store faults
  bool verbose = false;  // operator log lines on stderr
  Micros max_virtual_micros = 1800LL * 1'000'000;
};

struct SimReport {
  uint64_t seed = 0;
  std::vector<std::string> violations;
  std::map<std::string, int> final_states;  // apply state → count
  int crashes = 0;
  int seam_crashes = 0;  // processes that died between a transition and its apply swap
  int partitions = 0;
  int stops = 0;
  int cancels = 0;
  int64_t target_writes = 0;
  uint64_t steps = 0;
  Micros virtual_micros = 0;

  bool ok() const { return violations.empty(); }
  std::string Summary() const;
};

SimReport RunSimulation(const SimOptions& options);

}  // namespace ordo::sim

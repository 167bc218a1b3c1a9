// ordo-sim: runs the scheduler simulator for one seed (or a range) and prints what
// happened; a failing seed replays exactly.
//
//   ordo-sim --seed 42 [--applies 12] [--workers 3] [--no-chaos] [--verbose]
//   ordo-sim --seeds 1-200
#include <CLI/CLI.hpp>
#include <iostream>

#include "simulation.h"

int main(int argc, char** argv) {
  CLI::App app{"ordo-sim: seeded simulation of ordo's scheduler (workers, drivers, keepers)"};
  uint64_t seed = 1;
  std::string seeds;
  ordo::sim::SimOptions o;
  bool no_chaos = false;
  app.add_option("--seed", seed, "the seed to run (replays exactly)");
  app.add_option("--seeds", seeds, "a range of seeds, e.g. 1-200");
  app.add_option("--applies", o.applies, "applies per run");
  app.add_option("--workers", o.workers, "worker processes at the start");
  app.add_flag("--no-chaos", no_chaos, "no failures, stops, crashes or partitions");
  app.add_flag("--verbose", o.verbose, "print the operator's log lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  o.chaos = !no_chaos;
  uint64_t first = seed, last = seed;
  if (!seeds.empty()) {
    auto dash = seeds.find('-');
    first = std::stoull(seeds.substr(0, dash));
    last = dash == std::string::npos ? first : std::stoull(seeds.substr(dash + 1));
  }
  int failed = 0;
  for (uint64_t s = first; s <= last; ++s) {
    o.seed = s;
    ordo::sim::SimReport r = ordo::sim::RunSimulation(o);
    std::cout << r.Summary() << std::flush;
    if (!r.ok()) ++failed;
  }
  return failed == 0 ? 0 : 1;
}

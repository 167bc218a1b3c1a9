// ordo-proof: explores the rollout protocol's worlds (tests/proof/worlds.cc) and
// prints, per world, the states explored and whether every property held; on a
// violation, a shortest trace to it. Exit 1 on any violation or unexhausted world.
//
//   ordo-proof                         the standard worlds (what CI runs)
//   ordo-proof --large                 the larger ones
//   ordo-proof --only policies/rolling/halt
//   ordo-proof --reintroduce narrow_cutover_claim   (or unguarded_park, unowed_turn_end)
#include <CLI/CLI.hpp>
#include <iostream>

#include "explorer.h"
#include "worlds.h"

int main(int argc, char** argv) {
  CLI::App app{"explore the rollout protocol's worlds"};
  bool large = false;
  std::string only;
  std::string reintroduce;
  uint64_t max_states = 5'000'000;
  app.add_flag("--large", large, "the larger worlds");
  app.add_option("--only", only, "only the worlds whose name starts with this");
  app.add_option("--reintroduce", reintroduce,
                 "narrow_cutover_claim | unguarded_park | unowed_turn_end");
  app.add_option("--max-states", max_states, "stop a world after this many states");
  CLI11_PARSE(app, argc, argv);
  auto worlds = large ? ordo::proof::LargeWorlds() : ordo::proof::StandardWorlds();
  uint64_t states = 0;
  double seconds = 0;
  int failed = 0;
  int exhausted = 0;
  int explored = 0;
  for (auto& w : worlds) {
    if (!only.empty() && w.name.rfind(only, 0) != 0) continue;
    if (reintroduce == "narrow_cutover_claim")
      w.reintroduce.narrow_cutover_claim = true;
    else if (reintroduce == "unguarded_park")
      w.reintroduce.unguarded_park = true;
    else if (reintroduce == "unowed_turn_end")
      w.reintroduce.unowed_turn_end = true;
    else if (!reintroduce.empty()) {
      std::cerr << "unknown --reintroduce " << reintroduce << "\n";
      return 2;
    }
    ordo::proof::Report r = ordo::proof::Explore(w, max_states);
    std::cout << ordo::proof::Format(r) << std::flush;
    ++explored;
    states += r.states;
    seconds += r.seconds;
    if (r.exhausted) ++exhausted;
    if (r.violation || !r.exhausted) ++failed;
  }
  std::cout << "total: " << explored << " worlds, " << exhausted << " exhausted, " << states
            << " states, " << seconds << " s\n";
  return failed == 0 ? 0 : 1;
}

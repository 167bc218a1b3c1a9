#include "worlds.h"

#include <functional>
#include <string>

namespace ordo::proof {
namespace {

const char* const kPolicies[] = {"rolling", "barrier", "parallel"};
const char* const kOnFailure[] = {"halt", "continue", "pause"};

ApplySpec Apply(const char* policy, const char* on_failure, bool defer,
                std::vector<int> deployments) {
  ApplySpec a;
  a.cutover_policy = policy;
  a.on_failure = on_failure;
  a.defer_cutover = defer;
  a.deployments = std::move(deployments);
  return a;
}

// A world over `deployments` with `applies` and the defaults (one process, two drivers,
// one keeper, a revert window, one fault, one request); `tweak` sets what differs.
WorldSpec World(std::string name, int deployments, std::vector<ApplySpec> applies,
                const std::function<void(WorldSpec&)>& tweak = nullptr) {
  WorldSpec w;
  w.name = std::move(name);
  w.deployments = deployments;
  w.applies = std::move(applies);
  if (tweak) tweak(w);
  return w;
}

}  // namespace

std::vector<WorldSpec> StandardWorlds() {
  std::vector<WorldSpec> out;
  // Every policy × on_failure × defer_cutover: one apply over two deployments, one
  // process with two drivers and one keeper, a revert window, one fault and one request.
  for (const char* policy : kPolicies) {
    for (const char* on_failure : kOnFailure) {
      for (bool defer : {false, true}) {
        out.push_back(
            World(std::string("policies/") + policy + "/" + on_failure + (defer ? "/deferred" : ""),
                  2, {Apply(policy, on_failure, defer, {0, 1})}));
      }
    }
  }
  // No keeper: every parked row is released at the barrier (the cutover claim's arm 1).
  for (const char* policy : kPolicies) {
    out.push_back(World(std::string("released/") + policy, 2,
                        {Apply(policy, "halt", false, {0, 1})},
                        [](WorldSpec& w) { w.keepers_per_process = 0; }));
  }
  // A single deployment, released on shutdown or with no keeper.
  out.push_back(
      World("single/no-keeper", 1, {Apply("rolling", "halt", false, {0})}, [](WorldSpec& w) {
        w.keepers_per_process = 0;
        w.fault_budget = 2;
      }));
  // Three deployments.
  for (const char* policy : kPolicies)
    out.push_back(
        World(std::string("three/") + policy, 3, {Apply(policy, "continue", false, {0, 1, 2})}));
  // Three drivers in two processes (one crashes, the other recovers).
  out.push_back(
      World("fleet/two-processes", 2, {Apply("barrier", "halt", false, {0, 1})}, [](WorldSpec& w) {
        w.processes = 2;
        w.drivers_per_process = 1;
      }));
  // Three drivers in one process.
  out.push_back(World("fleet/three-drivers", 2, {Apply("parallel", "continue", false, {0, 1})},
                      [](WorldSpec& w) { w.drivers_per_process = 3; }));
  // Applies sharing deployments: a later apply is created while the first runs.
  out.push_back(
      World("shared/two-applies", 2,
            {Apply("parallel", "halt", false, {0, 1}), Apply("rolling", "halt", false, {1})},
            [](WorldSpec& w) {
              w.fault_budget = 1;
              w.request_budget = 2;
            }));
  // No revert window: each turn ends at the swap and its holder drops the old table
  // after it (completed, cleanup owed), while the next deployment may already swap.
  const auto no_window = [](WorldSpec& w) { w.revert_window = false; };
  for (const char* policy : kPolicies) {
    out.push_back(World(std::string("no-window/") + policy, 2,
                        {Apply(policy, "halt", false, {0, 1})}, no_window));
  }
  // … and a holder that dies before the drop, which the other process's cleanup claim does.
  out.push_back(World("no-window/two-processes", 2, {Apply("parallel", "halt", false, {0, 1})},
                      [](WorldSpec& w) {
                        w.processes = 2;
                        w.drivers_per_process = 1;
                        w.revert_window = false;
                      }));
  // Embedded: the process drives only while a command follows the apply.
  const auto embedded = [](WorldSpec& w) { w.embedded = true; };
  for (const char* on_failure : kOnFailure) {
    out.push_back(World(std::string("embedded/barrier/") + on_failure, 2,
                        {Apply("barrier", on_failure, false, {0, 1})}, embedded));
  }
  out.push_back(
      World("embedded/no-window", 2, {Apply("parallel", "halt", false, {0, 1})}, [](WorldSpec& w) {
        w.embedded = true;
        w.revert_window = false;
      }));
  return out;
}

std::vector<WorldSpec> LargeWorlds() {
  std::vector<WorldSpec> out;
  // Every policy × on_failure over three deployments (the standard worlds have
  // barrier and parallel with continue and one fault). Two faults where the world stays
  // exhaustible in about two minutes (rolling everywhere, barrier with halt); one fault
  // for the rest (the three-deployment barrier and parallel worlds with two faults hold
  // seven million states and more each).
  for (const char* policy : kPolicies) {
    for (const char* on_failure : kOnFailure) {
      const bool rolling = std::string(policy) == "rolling";
      const bool two_faults =
          rolling || (std::string(policy) == "barrier" && std::string(on_failure) == "halt");
      if (!rolling && std::string(on_failure) == "continue") continue;
      out.push_back(World(std::string("large/three/") + policy + "/" + on_failure, 3,
                          {Apply(policy, on_failure, false, {0, 1, 2})},
                          [&](WorldSpec& w) { w.fault_budget = two_faults ? 2 : 1; }));
    }
  }
  // Three drivers over three deployments (parallel's world is too large to exhaust).
  for (const char* policy : {"rolling", "barrier"}) {
    out.push_back(World(std::string("large/three-drivers/") + policy, 3,
                        {Apply(policy, "halt", false, {0, 1, 2})},
                        [](WorldSpec& w) { w.drivers_per_process = 3; }));
  }
  // Three applies over two deployments, one of them deferred, two requests.
  out.push_back(World("large/three-applies", 2,
                      {Apply("barrier", "continue", false, {0, 1}),
                       Apply("rolling", "halt", true, {1}), Apply("parallel", "pause", false, {0})},
                      [](WorldSpec& w) { w.request_budget = 2; }));
  return out;
}

}  // namespace ordo::proof

#include "worlds.h"

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

}  // namespace

std::vector<WorldSpec> StandardWorlds() {
  std::vector<WorldSpec> out;
  // Every policy × on_failure × defer_cutover: one apply over two deployments, one
  // process with two drivers and one keeper, a revert window, one fault and one request.
  for (const char* policy : kPolicies) {
    for (const char* on_failure : kOnFailure) {
      for (bool defer : {false, true}) {
        WorldSpec w;
        w.name = std::string("policies/") + policy + "/" + on_failure + (defer ? "/deferred" : "");
        w.deployments = 2;
        w.applies = {Apply(policy, on_failure, defer, {0, 1})};
        out.push_back(w);
      }
    }
  }
  // No keeper: every parked row is released at the barrier (the cutover claim's arm 1).
  for (const char* policy : kPolicies) {
    WorldSpec w;
    w.name = std::string("released/") + policy;
    w.deployments = 2;
    w.keepers_per_process = 0;
    w.applies = {Apply(policy, "halt", false, {0, 1})};
    out.push_back(w);
  }
  // A single deployment, released on shutdown or with no keeper.
  {
    WorldSpec w;
    w.name = "single/no-keeper";
    w.deployments = 1;
    w.keepers_per_process = 0;
    w.fault_budget = 2;
    w.applies = {Apply("rolling", "halt", false, {0})};
    out.push_back(w);
  }
  // Three deployments.
  for (const char* policy : kPolicies) {
    WorldSpec w;
    w.name = std::string("three/") + policy;
    w.deployments = 3;
    w.applies = {Apply(policy, "continue", false, {0, 1, 2})};
    out.push_back(w);
  }
  // Three drivers in two processes (one crashes, the other recovers).
  {
    WorldSpec w;
    w.name = "fleet/two-processes";
    w.deployments = 2;
    w.processes = 2;
    w.drivers_per_process = 1;
    w.applies = {Apply("barrier", "halt", false, {0, 1})};
    out.push_back(w);
  }
  // Three drivers in one process.
  {
    WorldSpec w;
    w.name = "fleet/three-drivers";
    w.deployments = 2;
    w.drivers_per_process = 3;
    w.applies = {Apply("parallel", "continue", false, {0, 1})};
    out.push_back(w);
  }
  // Applies sharing deployments: a later apply is created while the first runs.
  {
    WorldSpec w;
    w.name = "shared/two-applies";
    w.deployments = 2;
    w.fault_budget = 1;
    w.request_budget = 2;
    w.applies = {Apply("parallel", "halt", false, {0, 1}), Apply("rolling", "halt", false, {1})};
    out.push_back(w);
  }
  // No revert window: each turn ends at the swap and its holder drops the old table
  // after it (completed, cleanup owed), while the next deployment may already swap.
  for (const char* policy : kPolicies) {
    WorldSpec w;
    w.name = std::string("no-window/") + policy;
    w.deployments = 2;
    w.revert_window = false;
    w.applies = {Apply(policy, "halt", false, {0, 1})};
    out.push_back(w);
  }
  // … and a holder that dies before the drop, which the other process's cleanup claim does.
  {
    WorldSpec w;
    w.name = "no-window/two-processes";
    w.deployments = 2;
    w.processes = 2;
    w.drivers_per_process = 1;
    w.revert_window = false;
    w.applies = {Apply("parallel", "halt", false, {0, 1})};
    out.push_back(w);
  }
  // Embedded: the process drives only while a command follows the apply.
  for (const char* on_failure : kOnFailure) {
    WorldSpec w;
    w.name = std::string("embedded/barrier/") + on_failure;
    w.deployments = 2;
    w.embedded = true;
    w.applies = {Apply("barrier", on_failure, false, {0, 1})};
    out.push_back(w);
  }
  {
    WorldSpec w;
    w.name = "embedded/no-window";
    w.deployments = 2;
    w.embedded = true;
    w.revert_window = false;
    w.applies = {Apply("parallel", "halt", false, {0, 1})};
    out.push_back(w);
  }
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
      WorldSpec w;
      w.name = std::string("large/three/") + policy + "/" + on_failure;
      w.deployments = 3;
      w.applies = {Apply(policy, on_failure, false, {0, 1, 2})};
      w.fault_budget = two_faults ? 2 : 1;
      out.push_back(w);
    }
  }
  // Three drivers over three deployments (parallel's world is too large to exhaust).
  for (const char* policy : {"rolling", "barrier"}) {
    WorldSpec w;
    w.name = std::string("large/three-drivers/") + policy;
    w.deployments = 3;
    w.drivers_per_process = 3;
    w.applies = {Apply(policy, "halt", false, {0, 1, 2})};
    out.push_back(w);
  }
  // Three applies over two deployments, one of them deferred, two requests.
  {
    WorldSpec w;
    w.name = "large/three-applies";
    w.deployments = 2;
    w.request_budget = 2;
    w.applies = {Apply("barrier", "continue", false, {0, 1}), Apply("rolling", "halt", true, {1}),
                 Apply("parallel", "pause", false, {0})};
    out.push_back(w);
  }
  return out;
}

}  // namespace ordo::proof

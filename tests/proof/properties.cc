#include "properties.h"

#include <map>
#include <set>

#include "store_model.h"

namespace ordo::proof {
namespace {

using S = OperationState;

std::string Name(int op) { return "op" + std::to_string(op); }

// Earlier operations of the same apply that `r`'s swap or start must wait for under its
// policy: anything not completed, except a failure its on_failure excuses.
std::string EarlierUnfinished(const State& s, int index, bool for_swap) {
  const OperationRecord& r = Op(s, index);
  for (size_t i = 0; i < s.store.operations.size(); ++i) {
    const OperationRecord& e = s.store.operations[i];
    if (e.apply_id != r.apply_id || e.id >= r.id) continue;
    if (reference::FailureExempt(s.store, e, r)) continue;
    if (for_swap) {
      if (e.state != S::kCompleted)
        return Name(static_cast<int>(i)) + " is " + std::string(ToString(e.state));
    } else if (e.state == S::kFailed) {
      return Name(static_cast<int>(i)) + " failed and " + r.on_failure + " does not excuse it";
    }
  }
  return "";
}

}  // namespace

std::string CheckState(const WorldSpec& w, const State& s) {
  (void)w;
  // One swap at a time per apply.
  std::map<int64_t, int> swapping;
  for (const auto& op : s.store.operations)
    if (op.state == S::kCuttingOver || op.state == S::kRevertWindow)
      if (++swapping[op.apply_id] > 1)
        return "two swaps in flight in apply " + std::to_string(op.apply_id);
  // One old table kept for a revert window per apply (a completed row's old table is
  // one its holder is dropping after its turn).
  std::map<int64_t, int> windows;
  for (const auto& t : s.targets)
    if (t.old_owner >= 0 && Op(s, t.old_owner).state != S::kCompleted &&
        ++windows[Op(s, t.old_owner).apply_id] > 1)
      return "two old tables kept at once in apply " + std::to_string(Op(s, t.old_owner).apply_id);
  // One live lease per row.
  for (size_t i = 0; i < s.store.operations.size(); ++i) {
    const auto& token = s.store.operations[i].lease_token;
    if (!token) continue;
    int holders = 0;
    for (const auto& p : s.processes)
      for (const auto* runs : {&p.drivers, &p.keepers})
        for (const Run& r : *runs)
          if (r.pc != Pc::kIdle && r.op == static_cast<int>(i) && r.token == *token) ++holders;
    if (holders > 1)
      return Name(static_cast<int>(i)) + " is held by " + std::to_string(holders) + " live leases";
  }
  // One apply per deployment, among rows whose engine has been at the target (a
  // leftover of a decided parallel rollout may be claimed after a newer apply took the
  // deployment: it is cancelled without touching the target).
  std::map<std::string, std::set<int64_t>> holders;
  for (size_t i = 0; i < s.store.operations.size(); ++i) {
    const OperationRecord& op = s.store.operations[i];
    if (s.extra[i].touched &&
        HoldsDeployment(op.state, Derived(s, op.apply_id).state,
                        RequestOf(s, op.apply_id, RequestKind::kStart) == RequestStatus::kPending))
      holders[op.deployment].insert(op.apply_id);
  }
  for (const auto& [deployment, applies] : holders)
    if (applies.size() > 1) return "deployment " + deployment + " is held by two applies";
  // A settled operation leaves nothing behind.
  for (size_t i = 0; i < s.store.operations.size(); ++i) {
    const OperationRecord& op = s.store.operations[i];
    if (!IsSettled(op.state) || op.cleanup_pending) continue;
    const Target& t = s.targets[s.extra[i].deployment];
    bool fence = false;
    for (int f : t.fences) fence = fence || f == static_cast<int>(i);
    if (t.shadow_owner == static_cast<int>(i) || t.old_owner == static_cast<int>(i) || fence)
      return Name(static_cast<int>(i)) + " is " + std::string(ToString(op.state)) +
             " but left ordo's tables on its target";
  }
  return "";
}

std::string CheckStep(const WorldSpec& w, const State& before, const State& after) {
  (void)w;
  for (size_t i = 0; i < before.store.operations.size(); ++i) {
    int op = static_cast<int>(i);
    const OperationRecord& b = before.store.operations[i];
    const OperationRecord& a = after.store.operations[i];
    if (!before.extra[i].swapped && after.extra[i].swapped) {
      std::string waits = EarlierUnfinished(before, op, /*for_swap=*/true);
      if (!waits.empty()) return Name(op) + "'s change went live out of order: " + waits;
    }
    // (parallel has no copy gate: its copies may start after a failure; they are
    // cancelled as soon as the rollout is decided, and swaps still wait.)
    if (!b.started_at && a.started_at &&
        ParseCutoverPolicy(a.cutover_policy) != CutoverPolicy::kParallel) {
      std::string failed = EarlierUnfinished(before, op, /*for_swap=*/false);
      if (!failed.empty()) return Name(op) + " started copying after a failure: " + failed;
    }
    // Once begun, a swap goes on to its window or its end; it is cancelled or fails only
    // while nothing of it is live on the target.
    if (b.state == S::kCuttingOver && a.state != b.state) {
      bool onward = a.state == S::kRevertWindow || a.state == S::kCompleted;
      bool dropped =
          (a.state == S::kCancelled || a.state == S::kFailed || a.state == S::kFailedRetryable) &&
          !after.extra[i].swapped;
      if (!onward && !dropped)
        return Name(op) + "'s swap was undone: cutting_over -> " + std::string(ToString(a.state)) +
               (after.extra[i].swapped ? " with its change live" : "");
    }
    if (b.state == S::kRevertWindow && a.state != b.state && a.state != S::kCompleted &&
        a.state != S::kReverted)
      return Name(op) + " left its revert window for " + std::string(ToString(a.state));
  }
  return "";
}

}  // namespace ordo::proof

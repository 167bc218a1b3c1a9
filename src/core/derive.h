// Derivation of an apply's state from its operations (docs/model.md, "Apply state";
// docs/store.md, "When an apply settles").
//
// Two answers. The *verdict* is the priority order over the operations (any failed →
// failed, …): once it is settled, no operation that has not swapped will ever run
// again (its holder cancels it, or the cleanup claim does). The *state* is what the
// apply shows and stores: the verdict, except that an apply is not settled while one
// of its deployments is swapping or in its revert window — that deployment runs to
// its end (or its revert / skip-revert) whatever happened to the others.
//
// Pure functions over values; thread-safe.
//
//   DerivedApplyState d = DeriveApplyState(ops, /*release_latched=*/false);
//   // [failed(continue), pending] → running_degraded
//   // [revert_window, failed(halt), pending] → state revert_window, verdict failed
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ordo/model.h"

namespace ordo {

struct DerivedApplyState {
  // What the apply shows; settled only when nothing of it can run any more.
  ApplyState state = ApplyState::kPending;
  // The priority order's answer. Settled: the rollout is decided, and every operation
  // that has not swapped is to be cancelled.
  ApplyState verdict = ApplyState::kPending;
  // "deployment <name> failed: <error>" for the first failed deployment, when failed.
  std::optional<std::string> error;
};

// `operations` in deployment order. The on_failure policy is read from the
// operations (captured at create; unknown → halt). `release_latched`: a release
// request exists, pending or completed.
DerivedApplyState DeriveApplyState(const std::vector<OperationRecord>& operations,
                                   bool release_latched);

// The priority rules alone, without the failure policies: failed, reverted,
// failed_retryable, cancelled, stopped, all completed, cutting_over, all unfinished
// parked, revert_window, running, pending.
ApplyState DeriveFromStates(const std::vector<OperationState>& states);

// Whether an operation in `state`, of an apply whose operations derive to
// `apply_derived`, holds its deployment against another apply of the same database and
// environment (one active apply per deployment): live work (running, resuming, parked,
// swapping, in its revert window) does; pending or failed_retryable rows do while their
// apply is neither settled nor stopped; settled rows hold nothing; nor do the rows of a
// stopped apply (it checks again when it is started) — unless a start of it has been
// accepted (`start_pending`), which took the deployments back for it.
bool HoldsDeployment(OperationState state, ApplyState apply_derived, bool start_pending);

// Whether a holder's compare-and-swap moves an apply stored as `stored` to the state
// its operations now derive to: it differs, and a settled apply is never taken back to
// an unsettled state (retry expiry fails a `continue` rollout outright although its rows
// may still derive to running_degraded: the rows left are cancelled); it may still go
// to another settled one (a failure after a cancel ends it failed).
bool HolderMovesApply(ApplyState stored, ApplyState derived);

// Whether Store::RederiveUnheldApplies moves an apply stored as `stored` whose
// operations (none of them under a live lease) derive to `derived`: the stored state
// is not settled and differs, except for an admitted retry (stored active, derived
// failed_retryable), which the copy claim's arm D recovers without spending budget.
bool RederivesUnheld(ApplyState stored, ApplyState derived);

}  // namespace ordo

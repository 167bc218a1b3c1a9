// Derivation of an apply's state from its operations (model.md, "The apply state").
//
// Pure functions over values; thread-safe.
//
//   DerivedApplyState d = DeriveApplyState(ops, /*release_latched=*/false);
//   // [failed(continue), pending] → running_degraded
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ordo/model.h"

namespace ordo {

struct DerivedApplyState {
  ApplyState state = ApplyState::kPending;
  // "deployment <name> failed: <error>" for the first failed deployment, when failed.
  std::optional<std::string> error;
};

// `operations` in deployment order. The on_failure policy is read from the
// operations (captured at create; unknown → halt). `release_latched`: a release
// request exists, pending or completed.
DerivedApplyState DeriveApplyState(const std::vector<OperationRecord>& operations,
                                   bool release_latched);

// The priority rules alone, without the failure policies.
ApplyState DeriveFromStates(const std::vector<OperationState>& states);

// Whether Store::RederiveUnheldApplies moves an apply stored as `stored` whose
// operations (none of them under a live lease) derive to `derived`: the stored state
// is not settled and differs, except for an admitted retry (stored active, derived
// failed_retryable), which the copy claim's arm D recovers without spending budget.
bool RederivesUnheld(ApplyState stored, ApplyState derived);

}  // namespace ordo

#include "core/derive.h"

#include <algorithm>

namespace ordo {
namespace {

bool Any(const std::vector<OperationState>& states, OperationState s) {
  return std::find(states.begin(), states.end(), s) != states.end();
}

}  // namespace

ApplyState DeriveFromStates(const std::vector<OperationState>& states) {
  using S = OperationState;
  if (Any(states, S::kFailed)) return ApplyState::kFailed;
  // A revert ends the rollout: what it stopped or cancelled after it is its consequence.
  if (Any(states, S::kReverted)) return ApplyState::kReverted;
  if (Any(states, S::kFailedRetryable)) return ApplyState::kFailedRetryable;
  if (Any(states, S::kCancelled)) return ApplyState::kCancelled;
  if (Any(states, S::kStopped)) return ApplyState::kStopped;
  if (!states.empty() &&
      std::all_of(states.begin(), states.end(), [](S s) { return s == S::kCompleted; }))
    return ApplyState::kCompleted;
  if (Any(states, S::kCuttingOver)) return ApplyState::kCuttingOver;
  bool any_unfinished = false;
  bool all_unfinished_parked = true;
  for (S s : states) {
    if (s == S::kCompleted) continue;
    any_unfinished = true;
    if (s != S::kWaitingForCutover) all_unfinished_parked = false;
  }
  if (any_unfinished && all_unfinished_parked) return ApplyState::kWaitingForCutover;
  if (Any(states, S::kRevertWindow)) return ApplyState::kRevertWindow;
  if (Any(states, S::kRunning) || Any(states, S::kResuming)) return ApplyState::kRunning;
  return ApplyState::kPending;
}

bool HoldsDeployment(OperationState state, ApplyState apply_derived, bool start_pending) {
  using S = OperationState;
  switch (state) {
    case S::kRunning:
    case S::kResuming:
    case S::kWaitingForCutover:
    case S::kCuttingOver:
    case S::kRevertWindow:
      return true;
    case S::kPending:
    case S::kFailedRetryable:
    case S::kStopped:
      if (IsSettled(apply_derived)) return false;
      if (apply_derived == ApplyState::kStopped || state == S::kStopped) return start_pending;
      return true;
    default:
      return false;
  }
}

bool HolderMovesApply(ApplyState stored, ApplyState derived) {
  return stored != derived && !(IsSettled(stored) && !IsSettled(derived));
}

bool RederivesUnheld(ApplyState stored, ApplyState derived) {
  if (IsSettled(stored) || stored == derived) return false;
  bool stored_active = stored != ApplyState::kFailedRetryable && stored != ApplyState::kStopped;
  return !(derived == ApplyState::kFailedRetryable && stored_active);
}

namespace {

// The verdict and its error (the priority order with the failure policies).
DerivedApplyState Verdict(const std::vector<OperationRecord>& operations, bool release_latched) {
  DerivedApplyState out;
  std::vector<OperationState> all;
  std::vector<OperationState> unsettled;
  const OperationRecord* first_failed = nullptr;
  for (const auto& op : operations) {
    all.push_back(op.state);
    if (!IsSettled(op.state)) unsettled.push_back(op.state);
    if (op.state == OperationState::kFailed && first_failed == nullptr) first_failed = &op;
  }
  if (first_failed == nullptr) {
    out.state = DeriveFromStates(all);
    return out;
  }

  out.error = "deployment " + first_failed->deployment +
              " failed: " + first_failed->error.value_or("unknown error");
  // The verdict is fail-closed: once nothing is left to run, the apply is failed.
  out.state = ApplyState::kFailed;
  // Nothing left to run, or a revert ended the rollout: the verdict is final.
  if (unsettled.empty() ||
      std::find(all.begin(), all.end(), OperationState::kReverted) != all.end())
    return out;

  OnFailure policy = ParseOnFailure(first_failed->on_failure);
  if (policy == OnFailure::kHalt) return out;
  if (policy == OnFailure::kPause && !release_latched) {
    out.state = ApplyState::kPaused;
    return out;
  }
  // continue, or pause after release: the rollout goes on without the failed one.
  ApplyState rest = DeriveFromStates(unsettled);
  if (rest == ApplyState::kFailedRetryable || rest == ApplyState::kStopped) {
    out.state = rest;
  } else {
    out.state = ApplyState::kRunningDegraded;
  }
  return out;
}

}  // namespace

DerivedApplyState DeriveApplyState(const std::vector<OperationRecord>& operations,
                                   bool release_latched) {
  DerivedApplyState out = Verdict(operations, release_latched);
  out.verdict = out.state;
  if (!IsSettled(out.verdict)) return out;
  // A swap in flight or a revert window runs to its end: the apply is not settled yet.
  bool cutting = false;
  bool window = false;
  for (const auto& op : operations) {
    cutting = cutting || op.state == OperationState::kCuttingOver;
    window = window || op.state == OperationState::kRevertWindow;
  }
  if (cutting)
    out.state = ApplyState::kCuttingOver;
  else if (window)
    out.state = ApplyState::kRevertWindow;
  return out;
}

}  // namespace ordo

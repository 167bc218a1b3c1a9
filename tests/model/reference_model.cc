// Shared predicates of the reference model, stop reconciliation and retry expiry.
// The claims themselves are in reference_claims.cc.
#include "model/reference_model.h"

#include <algorithm>

namespace ordo::reference {
namespace {

bool HasLiveLease(const Snapshot& s, const OperationRecord& op) {
  return op.lease_token.has_value() && !IsStale(s, op.updated_at);
}

// Not working on anything a stop must wait for: stop reconciliation may stop it.
bool IdleForStop(const Snapshot& s, const OperationRecord& op) {
  switch (op.state) {
    case OperationState::kPending:
    case OperationState::kFailedRetryable:
      return true;
    case OperationState::kWaitingForCutover:
      return !HasLiveLease(s, op);
    default:
      return false;
  }
}

}  // namespace

bool IsStale(const Snapshot& s, Micros updated_at) {
  return updated_at < s.now - s.options.lease_staleness_micros;
}

bool HasRequest(const Snapshot& s, int64_t apply_id, RequestKind kind, RequestStatus status) {
  for (const auto& r : s.requests)
    if (r.apply_id == apply_id && r.kind == kind && r.status == status) return true;
  return false;
}

bool ReleaseLatched(const Snapshot& s, int64_t apply_id) {
  return HasRequest(s, apply_id, RequestKind::kRelease, RequestStatus::kPending) ||
         HasRequest(s, apply_id, RequestKind::kRelease, RequestStatus::kCompleted);
}

bool FailureExempt(const Snapshot& s, const OperationRecord& earlier, const OperationRecord& r) {
  if (earlier.state != OperationState::kFailed) return false;
  switch (ParseOnFailure(r.on_failure)) {
    case OnFailure::kContinue:
      return true;
    case OnFailure::kPause:
      return ReleaseLatched(s, r.apply_id);
    case OnFailure::kHalt:
      return false;
  }
  return false;
}

std::vector<int64_t> StopReconcilable(const Snapshot& s) {
  std::vector<int64_t> out;
  for (const auto& a : s.applies) {
    if (!HasRequest(s, a.id, RequestKind::kStop, RequestStatus::kPending)) continue;
    bool all_quiet = true;
    for (const auto& op : s.operations) {
      if (op.apply_id != a.id || IsTerminal(op.state)) continue;
      if (!IdleForStop(s, op)) all_quiet = false;
    }
    if (all_quiet) out.push_back(a.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int64_t> StopReconciledOperations(const Snapshot& s, int64_t apply_id) {
  std::vector<int64_t> out;
  for (const auto& op : s.operations)
    if (op.apply_id == apply_id && IdleForStop(s, op)) out.push_back(op.id);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int64_t> ExpirableApplies(const Snapshot& s) {
  std::vector<int64_t> out;
  for (const auto& a : s.applies) {
    if (a.state != ApplyState::kFailedRetryable) continue;
    Micros failed_at = a.failed_at.value_or(a.updated_at);
    bool exhausted = a.attempt >= s.options.retry_budget;
    bool too_old = failed_at < s.now - s.options.retry_freshness_micros;
    if (exhausted || too_old) out.push_back(a.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

DerivedApplyState DerivedState(const Snapshot& s, int64_t apply_id) {
  std::vector<OperationRecord> ops;
  for (const auto& op : s.operations)
    if (op.apply_id == apply_id) ops.push_back(op);
  std::sort(ops.begin(), ops.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return DeriveApplyState(ops, ReleaseLatched(s, apply_id));
}

std::vector<int64_t> RederivableApplies(const Snapshot& s) {
  std::vector<int64_t> out;
  for (const auto& a : s.applies) {
    if (IsSettled(a.state)) continue;
    bool held = false;
    for (const auto& op : s.operations)
      if (op.apply_id == a.id && HasLiveLease(s, op)) held = true;
    if (held) continue;
    ApplyState derived = DerivedState(s, a.id).state;
    if (derived == a.state) continue;
    // An admitted retry whose driver went away: arm D's crash recovery re-leases it
    // without spending budget, so it is left to the copy claim.
    bool active = a.state != ApplyState::kFailedRetryable && a.state != ApplyState::kStopped;
    if (derived == ApplyState::kFailedRetryable && active) continue;
    out.push_back(a.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ordo::reference

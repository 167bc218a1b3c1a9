// The copy claim (arms A–D), the cutover claim (arms 1–2) and begin_cutover of the
// reference model, each arm a predicate that follows docs/model.md's wording.
#include <algorithm>

#include "model/reference_model.h"

namespace ordo::reference {
namespace {

using S = OperationState;

const ApplyRow* FindApply(const Snapshot& s, int64_t apply_id) {
  for (const auto& a : s.applies)
    if (a.id == apply_id) return &a;
  return nullptr;
}

bool StopPending(const Snapshot& s, int64_t apply_id) {
  return HasRequest(s, apply_id, RequestKind::kStop, RequestStatus::kPending);
}

int OperationCount(const Snapshot& s, int64_t apply_id) {
  return static_cast<int>(std::count_if(s.operations.begin(), s.operations.end(),
                                        [&](const auto& op) { return op.apply_id == apply_id; }));
}

// Earlier in the order key within the same apply (rows of one apply are created
// together, so id order is deployment order).
std::vector<const OperationRecord*> EarlierSiblings(const Snapshot& s, const OperationRecord& r) {
  std::vector<const OperationRecord*> out;
  for (const auto& e : s.operations)
    if (e.apply_id == r.apply_id && e.id < r.id) out.push_back(&e);
  return out;
}

// Arm A's ordering gate: does earlier sibling `e` keep pending row `r` from starting?
bool BlocksCopy(const Snapshot& s, const OperationRecord& e, const OperationRecord& r) {
  CutoverPolicy policy = ParseCutoverPolicy(r.cutover_policy);
  if (policy == CutoverPolicy::kParallel) return false;
  if (FailureExempt(s, e, r)) return false;
  if (policy == CutoverPolicy::kBarrier) return !IsPastBarrier(e.state);
  return e.state != S::kCompleted;  // rolling, and unknown policies fail closed to it
}

// The cutover gate: only completed (or an excused failure) lets a later row swap.
bool BlocksCutover(const Snapshot& s, const OperationRecord& e, const OperationRecord& r) {
  return e.state != S::kCompleted && !FailureExempt(s, e, r);
}

bool MultiOpBarrierOrParallel(const Snapshot& s, const OperationRecord& r) {
  CutoverPolicy policy = ParseCutoverPolicy(r.cutover_policy);
  return policy != CutoverPolicy::kRolling && OperationCount(s, r.apply_id) > 1;
}

// Parked rows that belong to the cutover claim and so are exempt from arm B.
bool ParkedForCutoverClaim(const Snapshot& s, const OperationRecord& r) {
  if (r.state != S::kWaitingForCutover) return false;
  return !r.lease_token.has_value() || MultiOpBarrierOrParallel(s, r);
}

bool ApplyIsActive(ApplyState a) {
  return !IsSettled(a) && a != ApplyState::kFailedRetryable && a != ApplyState::kStopped;
}

bool ArmA(const Snapshot& s, const OperationRecord& r) {
  if (r.state != S::kPending || StopPending(s, r.apply_id)) return false;
  for (const auto* e : EarlierSiblings(s, r))
    if (BlocksCopy(s, *e, r)) return false;
  return true;
}

bool ArmB(const Snapshot& s, const OperationRecord& r) {
  switch (r.state) {
    case S::kRunning:
    case S::kWaitingForCutover:
    case S::kCuttingOver:
    case S::kRevertWindow:
    case S::kResuming:
      break;
    default:
      return false;
  }
  return IsStale(s, r.updated_at) && !ParkedForCutoverClaim(s, r);
}

bool ArmC(const Snapshot& s, const OperationRecord& r) {
  return r.state == S::kStopped &&
         HasRequest(s, r.apply_id, RequestKind::kStart, RequestStatus::kPending) &&
         !StopPending(s, r.apply_id);
}

bool ArmD(const Snapshot& s, const OperationRecord& r) {
  if (r.state != S::kFailedRetryable) return false;
  const ApplyRow* a = FindApply(s, r.apply_id);
  if (a == nullptr) return false;
  if (a->state == ApplyState::kFailedRetryable) {
    Micros failed_at = a->failed_at.value_or(a->updated_at);
    return a->attempt < s.options.retry_budget &&
           failed_at >= s.now - s.options.retry_freshness_micros && !StopPending(s, r.apply_id);
  }
  // Crash recovery of an admitted retry: no budget check, but never a live lease.
  return ApplyIsActive(a->state) && IsStale(s, a->updated_at) && IsStale(s, r.updated_at);
}

// Arm 1's automatic eligibility, the same as begin_cutover's: the apply was not
// started with manual defer_cutover, whatever its policy and number of operations.
bool AutomaticCutover(const Snapshot& s, const OperationRecord& r) {
  const ApplyRow* a = FindApply(s, r.apply_id);
  if (a == nullptr || a->defer_cutover) return false;
  return !s.reintroduced.narrow_cutover_claim || MultiOpBarrierOrParallel(s, r);
}

bool CutoverReleased(const Snapshot& s, const OperationRecord& r) {
  return AutomaticCutover(s, r) ||
         HasRequest(s, r.apply_id, RequestKind::kCutover, RequestStatus::kPending);
}

bool TurnHasCome(const Snapshot& s, const OperationRecord& r) {
  for (const auto* e : EarlierSiblings(s, r))
    if (BlocksCutover(s, *e, r)) return false;
  return true;
}

template <typename Pred>
std::vector<int64_t> InOrder(const Snapshot& s, Pred pred) {
  std::vector<const OperationRecord*> rows;
  for (const auto& op : s.operations)
    if (pred(op)) rows.push_back(&op);
  std::sort(rows.begin(), rows.end(), [](const auto* x, const auto* y) {
    return x->created_at != y->created_at ? x->created_at < y->created_at : x->id < y->id;
  });
  std::vector<int64_t> ids;
  for (const auto* r : rows) ids.push_back(r->id);
  return ids;
}

std::optional<int64_t> First(const std::vector<int64_t>& ids) {
  if (ids.empty()) return std::nullopt;
  return ids.front();
}

}  // namespace

std::optional<CopyArm> CopyArmFor(const Snapshot& s, const OperationRecord& op) {
  if (ArmA(s, op)) return CopyArm::kStartPending;
  if (ArmB(s, op)) return CopyArm::kRecoverStale;
  if (ArmC(s, op)) return CopyArm::kResumeStopped;
  if (ArmD(s, op)) return CopyArm::kRetry;
  return std::nullopt;
}

std::vector<int64_t> CopyClaimable(const Snapshot& s) {
  return InOrder(s, [&](const OperationRecord& op) { return CopyArmFor(s, op).has_value(); });
}

std::optional<int64_t> FirstCopyClaim(const Snapshot& s) { return First(CopyClaimable(s)); }

std::optional<CutoverArm> CutoverArmFor(const Snapshot& s, const OperationRecord& op) {
  if (op.state == S::kWaitingForCutover) {
    bool free = !op.lease_token.has_value() || IsStale(s, op.updated_at);
    if (free && CutoverReleased(s, op) && !StopPending(s, op.apply_id) && TurnHasCome(s, op))
      return CutoverArm::kStartParked;
    return std::nullopt;
  }
  if ((op.state == S::kCuttingOver || op.state == S::kRevertWindow) && IsStale(s, op.updated_at))
    return CutoverArm::kRecoverInFlight;
  return std::nullopt;
}

std::vector<int64_t> CutoverClaimable(const Snapshot& s) {
  return InOrder(s, [&](const OperationRecord& op) { return CutoverArmFor(s, op).has_value(); });
}

std::optional<int64_t> FirstCutoverClaim(const Snapshot& s) { return First(CutoverClaimable(s)); }

std::vector<int64_t> CleanupClaimable(const Snapshot& s) {
  return InOrder(s, [&](const OperationRecord& op) {
    bool held = op.lease_token.has_value() && !IsStale(s, op.updated_at);
    // A row failed by retry expiry still owes the removal of what it left on its
    // target; expiry released its lease, so only a cleanup driver's lease holds it. A
    // row completed at its swap owes the old tables' drop until its holder (or, once
    // that one's heartbeat is stale, a cleanup driver) has done it.
    if (op.state == S::kFailed || op.state == S::kCompleted) return op.cleanup_pending && !held;
    bool idle = op.state == S::kPending || op.state == S::kStopped ||
                op.state == S::kFailedRetryable || op.state == S::kWaitingForCutover;
    const ApplyRow* a = FindApply(s, op.apply_id);
    bool ended =
        a != nullptr && (IsSettled(a->state) ||
                         HasRequest(s, op.apply_id, RequestKind::kCancel, RequestStatus::kPending));
    return idle && !held && ended && !CopyArmFor(s, op) && !CutoverArmFor(s, op);
  });
}

std::optional<int64_t> FirstCleanupClaim(const Snapshot& s) { return First(CleanupClaimable(s)); }

bool BeginCutoverAllowed(const Snapshot& s, const OperationRecord& op) {
  const ApplyRow* a = FindApply(s, op.apply_id);
  if (a == nullptr || op.state != S::kWaitingForCutover || StopPending(s, op.apply_id))
    return false;
  bool released = !a->defer_cutover ||
                  HasRequest(s, op.apply_id, RequestKind::kCutover, RequestStatus::kPending);
  return released && TurnHasCome(s, op);
}

}  // namespace ordo::reference

#include "ordo/model.h"

#include <array>
#include <utility>

#include "core/check.h"

namespace ordo {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  // Every enumerator has its name in the table.
  ORDO_DCHECK(false) << "no name for value " << static_cast<int>(value);
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [e, n] : table)
    if (n == name) return e;
  return std::nullopt;
}

constexpr std::array<std::pair<OperationState, std::string_view>, 12> kOperationStates{{
    {OperationState::kPending, "pending"},
    {OperationState::kRunning, "running"},
    {OperationState::kWaitingForCutover, "waiting_for_cutover"},
    {OperationState::kCuttingOver, "cutting_over"},
    {OperationState::kRevertWindow, "revert_window"},
    {OperationState::kCompleted, "completed"},
    {OperationState::kFailed, "failed"},
    {OperationState::kFailedRetryable, "failed_retryable"},
    {OperationState::kStopped, "stopped"},
    {OperationState::kResuming, "resuming"},
    {OperationState::kCancelled, "cancelled"},
    {OperationState::kReverted, "reverted"},
}};

constexpr std::array<std::pair<ApplyState, std::string_view>, 13> kApplyStates{{
    {ApplyState::kPending, "pending"},
    {ApplyState::kRunning, "running"},
    {ApplyState::kWaitingForCutover, "waiting_for_cutover"},
    {ApplyState::kCuttingOver, "cutting_over"},
    {ApplyState::kRevertWindow, "revert_window"},
    {ApplyState::kCompleted, "completed"},
    {ApplyState::kFailed, "failed"},
    {ApplyState::kFailedRetryable, "failed_retryable"},
    {ApplyState::kStopped, "stopped"},
    {ApplyState::kCancelled, "cancelled"},
    {ApplyState::kReverted, "reverted"},
    {ApplyState::kRunningDegraded, "running_degraded"},
    {ApplyState::kPaused, "paused"},
}};

constexpr std::array<std::pair<CutoverPolicy, std::string_view>, 3> kPolicies{{
    {CutoverPolicy::kRolling, "rolling"},
    {CutoverPolicy::kBarrier, "barrier"},
    {CutoverPolicy::kParallel, "parallel"},
}};

constexpr std::array<std::pair<OnFailure, std::string_view>, 3> kOnFailure{{
    {OnFailure::kHalt, "halt"},
    {OnFailure::kContinue, "continue"},
    {OnFailure::kPause, "pause"},
}};

constexpr std::array<std::pair<RequestKind, std::string_view>, 7> kRequestKinds{{
    {RequestKind::kStop, "stop"},
    {RequestKind::kStart, "start"},
    {RequestKind::kCutover, "cutover"},
    {RequestKind::kRevert, "revert"},
    {RequestKind::kSkipRevert, "skip_revert"},
    {RequestKind::kCancel, "cancel"},
    {RequestKind::kRelease, "release"},
}};

constexpr std::array<std::pair<RequestStatus, std::string_view>, 3> kRequestStatuses{{
    {RequestStatus::kPending, "pending"},
    {RequestStatus::kCompleted, "completed"},
    {RequestStatus::kFailed, "failed"},
}};

}  // namespace

std::string_view ToString(OperationState s) { return NameOf(kOperationStates, s); }
std::string_view ToString(ApplyState s) { return NameOf(kApplyStates, s); }
std::string_view ToString(CutoverPolicy p) { return NameOf(kPolicies, p); }
std::string_view ToString(OnFailure f) { return NameOf(kOnFailure, f); }
std::string_view ToString(RequestKind k) { return NameOf(kRequestKinds, k); }
std::string_view ToString(RequestStatus s) { return NameOf(kRequestStatuses, s); }

std::optional<OperationState> ParseOperationState(std::string_view s) {
  return ValueOf(kOperationStates, s);
}
std::optional<ApplyState> ParseApplyState(std::string_view s) { return ValueOf(kApplyStates, s); }
std::optional<RequestKind> ParseRequestKind(std::string_view s) {
  return ValueOf(kRequestKinds, s);
}
std::optional<RequestStatus> ParseRequestStatus(std::string_view s) {
  return ValueOf(kRequestStatuses, s);
}
std::optional<CutoverPolicy> ParseCutoverPolicyExact(std::string_view s) {
  return ValueOf(kPolicies, s);
}
std::optional<OnFailure> ParseOnFailureExact(std::string_view s) { return ValueOf(kOnFailure, s); }

CutoverPolicy ParseCutoverPolicy(std::string_view s) {
  return ParseCutoverPolicyExact(s).value_or(CutoverPolicy::kRolling);
}
OnFailure ParseOnFailure(std::string_view s) {
  return ParseOnFailureExact(s).value_or(OnFailure::kHalt);
}

bool IsTerminal(OperationState s) {
  switch (s) {
    case OperationState::kCompleted:
    case OperationState::kFailed:
    case OperationState::kStopped:
    case OperationState::kCancelled:
    case OperationState::kReverted:
      return true;
    default:
      return false;
  }
}

bool IsActive(OperationState s) { return !IsTerminal(s); }

bool IsSettled(OperationState s) { return IsTerminal(s) && s != OperationState::kStopped; }

bool IsPastBarrier(OperationState s) {
  return s == OperationState::kWaitingForCutover || s == OperationState::kCuttingOver ||
         s == OperationState::kRevertWindow || s == OperationState::kCompleted;
}

bool IsSettled(ApplyState s) {
  return s == ApplyState::kCompleted || s == ApplyState::kFailed || s == ApplyState::kCancelled ||
         s == ApplyState::kReverted;
}

}  // namespace ordo

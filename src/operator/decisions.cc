#include "operator/decisions.h"

#include "core/check.h"
#include "operator/failure.h"

namespace ordo::worker {

ApplyControl ReadControl(const std::vector<ControlRequestRecord>& requests) {
  ApplyControl p;
  for (const auto& r : requests) {
    bool pending = r.status == RequestStatus::kPending;
    switch (r.kind) {
      case RequestKind::kStop:
        p.stop = pending;
        break;
      case RequestKind::kCancel:
        p.cancel = pending;
        break;
      case RequestKind::kCutover:
        p.cutover = pending;
        break;
      case RequestKind::kRevert:
        p.revert = pending;
        break;
      case RequestKind::kSkipRevert:
        p.skip_revert = pending;
        break;
      // The pause latch: pending or completed.
      case RequestKind::kRelease:
        p.release = r.status != RequestStatus::kFailed;
        break;
      case RequestKind::kStart:
        p.start = pending;
        break;
    }
  }
  return p;
}

namespace {

// Nothing of the apply is in a step that a stop lets finish: no copy running, no swap
// in flight, no revert window running (a stop does not end one), nothing parked under
// a lease.
bool Quiescent(const std::vector<OperationRecord>& operations) {
  for (const auto& op : operations) {
    switch (op.state) {
      case OperationState::kRunning:
      case OperationState::kResuming:
      case OperationState::kCuttingOver:
      case OperationState::kRevertWindow:
        return false;
      case OperationState::kWaitingForCutover:
        if (op.lease_token) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

}  // namespace

bool FollowerMayEnd(ApplyState stored, const std::vector<OperationRecord>& operations,
                    const ApplyControl& control, bool interrupted, bool drives) {
  bool all_settled = IsSettled(stored);
  for (const auto& op : operations)
    all_settled = all_settled && IsSettled(op.state) && !(drives && op.cleanup_pending);
  if (all_settled) return true;
  // A stop not yet reconciled would make the `ordo start` the user is told to run
  // refuse ("a stop is still in progress") with nobody left to finish it.
  if (!Quiescent(operations) || control.stop) return false;
  if (interrupted) return true;
  return stored == ApplyState::kStopped && !control.start && !control.cancel;
}

Interrupt DecideInterrupt(const ApplyControl& c) {
  if (c.cancel || c.apply_decided) return Interrupt::kCancel;
  if (c.stop) return Interrupt::kStop;
  return Interrupt::kNone;
}

RunStep DecideDispatch(ClaimSource source, OperationState was, bool ever_started,
                       const ApplyControl& c) {
  using S = OperationState;
  // Handed out only for an ended apply, never with a swap in flight; a failed or
  // completed row only when its target is still to be cleaned up.
  if (source == ClaimSource::kCleanup) {
    if (was == S::kFailed) return RunStep::kCleanUpFailed;
    if (was == S::kCompleted) return RunStep::kFinishSwap;
    return RunStep::kCancel;
  }
  bool swap_started = was == S::kCuttingOver || was == S::kRevertWindow;
  // A swap once begun finishes; anything else of a cancelled or decided apply swaps
  // nothing more.
  if (!swap_started && (c.cancel || c.apply_decided)) return RunStep::kCancel;
  if (was == S::kCuttingOver) return RunStep::kCutOver;
  if (was == S::kRevertWindow) return RunStep::kRevertWindow;
  if (source == ClaimSource::kCutover) return RunStep::kCutOver;  // the claim began the swap
  if (c.stop) return RunStep::kStop;
  switch (was) {
    case S::kStopped:
    case S::kResuming:
      return ever_started ? RunStep::kResumeCopy : RunStep::kBackToPending;
    case S::kFailedRetryable:
      return RunStep::kRetryCopy;
    default:  // pending (now running), running, waiting_for_cutover (recovered)
      // No claim hands a settled row to a copy: it would be copied and swapped again.
      ORDO_CHECK(was == S::kPending || was == S::kRunning || was == S::kWaitingForCutover)
          << ToString(was) << " dispatched to a copy";
      return RunStep::kCopy;
  }
}

TurnStep DecideTurn(std::optional<bool> began, bool keeper_free, bool shutting_down) {
  if (shutting_down) return TurnStep::kRelease;
  if (began == true) return TurnStep::kCutOver;
  return keeper_free ? TurnStep::kKeep : TurnStep::kRelease;
}

ParkOutcome DecidePark(const Status& park) {
  if (park.ok()) return ParkOutcome::kReleased;
  if (park.Is(StatusCode::kFailedPrecondition)) return ParkOutcome::kSwapIsOurs;
  return ParkOutcome::kLeftForRecovery;
}

ErrorStep DecideEngineError(RunPhase phase, const Status& status, bool lease_lost,
                            const ApplyControl& c, bool shutting_down) {
  if (lease_lost) return ErrorStep::kNothing;
  bool asked_to_stop = status.Is(StatusCode::kCancelled);
  if (phase == RunPhase::kCopy && asked_to_stop) {
    switch (DecideInterrupt(c)) {
      case Interrupt::kCancel:
        return ErrorStep::kCancel;
      case Interrupt::kStop:
        return ErrorStep::kStop;
      case Interrupt::kNone:
        break;
    }
  }
  bool transient = asked_to_stop || ClassifyFailure(status).retryable;
  // Shutting down, a transient error (or any error after the swap) is left for
  // recovery; a permanent one is still recorded.
  if (shutting_down && (transient || phase == RunPhase::kWindow)) return ErrorStep::kLeave;
  switch (phase) {
    case RunPhase::kCopy:
      // An engine that stopped without being asked to is a transient failure.
      return transient ? ErrorStep::kFailRetryable : ErrorStep::kFail;
    case RunPhase::kSwap:
      if (status.Is(StatusCode::kTimeout)) return ErrorStep::kFailRetryable;  // nothing swapped
      return transient ? ErrorStep::kRetryInPlace : ErrorStep::kFail;
    case RunPhase::kWindow:
      return ErrorStep::kRetryInPlace;
    case RunPhase::kCleanup:
      return transient ? ErrorStep::kRetryInPlace : ErrorStep::kSettleAnyway;
  }
  return ErrorStep::kFail;
}

WindowStep DecideWindow(const ApplyControl& c, bool deadline_passed, bool shutting_down,
                        bool revert_refused) {
  if (shutting_down) return WindowStep::kLeave;
  if (c.revert && !revert_refused) return WindowStep::kRevert;
  if (c.skip_revert || deadline_passed) return WindowStep::kFinish;
  return WindowStep::kWait;
}

}  // namespace ordo::worker

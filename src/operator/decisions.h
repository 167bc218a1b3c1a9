// The operator's decisions, as pure functions: what a driver does with a claimed
// operation, what a holder does at each point of its run (after the copy, when its
// engine stops or fails, in the revert window), and the order of the tick. The
// operator's code (driver.cc, operation_*.cc) asks these functions at each point and
// only carries out the answer; the protocol's model checker (tests/proof) explores the
// same functions over its model of the store and the targets. A rule of the operator
// is therefore written here once.
//
// Thread-safety: pure functions over values.
//
//   RunStep step = DecideDispatch(ClaimSource::kCopy, OperationState::kPending,
//                                 /*ever_started=*/false, control);   // kCopy
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::worker {

// What a holder acts on besides its own work, as last read: the apply's pending
// control requests, and whether its rollout is decided.
struct ApplyControl {
  // The apply's verdict is settled (DerivedApplyState::verdict), or its stored state is
  // (retry expiry fails an apply outright): no operation that has not swapped will run
  // again, so a holder of one cancels it.
  bool apply_decided = false;
  bool stop = false;
  bool start = false;
  bool cancel = false;
  bool cutover = false;
  bool revert = false;
  bool skip_revert = false;
  bool release = false;
};

// The pending requests (and the release latch) of one apply.
ApplyControl ReadControl(const std::vector<ControlRequestRecord>& requests);

// ---- a process that follows one apply to its end ----------------------------------------
// Whether a process that drives one apply in-process (an embedded `ordo apply`, or a
// control command that drives) may stop: the apply and every one of its operations
// have settled; or it is stopped with nothing in flight (no copy, swap or revert
// window running, nothing parked under a live lease) and no start or cancel waiting to
// be carried out; or the user interrupted it (a stop recorded) and nothing is in
// flight. Never while a stop is still pending: stop reconciliation must have finished
// it, or the `ordo start` the user is told to run would be refused. One that `drives`
// also waits for the cleanups its settled rows still owe (cleanup_pending: an old
// table being dropped after its turn, what a retry expiry left), which its own drivers
// do, so it returns with nothing of ordo's left on the targets; one that only watches
// does not (nobody it controls would do them).
bool FollowerMayEnd(ApplyState stored, const std::vector<OperationRecord>& operations,
                    const ApplyControl& control, bool interrupted, bool drives);

// ---- the tick ------------------------------------------------------------------------
// Each driver, per tick, in this order; at most one claim per tick.
enum class TickStep {
  kExpireRetries,
  kRederive,
  kStopReconciliation,
  kCleanupClaim,
  kCutoverClaim,
  kCopyClaim,
};
inline constexpr std::array<TickStep, 6> kTickOrder = {
    TickStep::kExpireRetries, TickStep::kRederive,     TickStep::kStopReconciliation,
    TickStep::kCleanupClaim,  TickStep::kCutoverClaim, TickStep::kCopyClaim,
};

// ---- a claimed operation ----------------------------------------------------------------
enum class ClaimSource { kCopy, kCutover, kCleanup };

enum class RunStep {
  kCancel,         // cancel it: drop what it has on the target (if it ever started), → cancelled
  kCleanUpFailed,  // a row failed by retry expiry: drop what it left on the target; it stays failed
  kFinishSwap,     // a row completed at its swap whose holder died before dropping the old
                   // tables: drop them; it stays completed
  kStop,           // → stopped, nothing started
  kCutOver,        // rebuild the engine, catch up, swap (a parked row whose turn came, or a
                   // swap another holder left in flight)
  kRevertWindow,   // continue the revert window
  kBackToPending,  // a stopped row that never started goes back through the ordering gate
  kResumeCopy,     // → running, resume the copy from the checkpoint
  kRetryCopy,      // → running, wait the retry backoff, then (re-deciding) resume the copy
  kCopy,           // preflight and copy (a fresh start, or recovered copy-phase work)
};

// What a driver does with the operation a claim returned in state `was` (its state
// before the claim). `ever_started`: the row has a started_at.
RunStep DecideDispatch(ClaimSource source, OperationState was, bool ever_started,
                       const ApplyControl& control);

// Between steps of the copy phase (after the retry backoff, once in sync): cancel,
// stop, or go on.
enum class Interrupt { kNone, kCancel, kStop };
Interrupt DecideInterrupt(const ApplyControl& control);

// ---- in sync: the turn ----------------------------------------------------------------
enum class TurnStep {
  kCutOver,  // begin_cutover said yes: swap now
  kKeep,     // not yet: a keeper keeps the live engine in sync and asks again
  kRelease,  // not yet and no keeper is free (or shutting down, or the store kept
             // failing): release the row at the barrier (Store::Park)
};
// `began`: begin_cutover's answer, or nullopt when it kept failing. Not asked at all
// while shutting down (pass nullopt).
TurnStep DecideTurn(std::optional<bool> began, bool keeper_free, bool shutting_down);

// Store::Park's answer for a row we hold: FailedPrecondition means the row is no
// longer parkable because an earlier begin_cutover of ours committed but its answer
// was lost — the swap is ours to do.
enum class ParkOutcome { kReleased, kSwapIsOurs, kLeftForRecovery };
ParkOutcome DecidePark(const Status& park);

// ---- the engine stopped or failed ----------------------------------------------------------
// Where in its run the holder was.
enum class RunPhase {
  kCopy,     // preflight, copy, kept in sync while parked, the catch-up before a swap
  kSwap,     // Cutover(): the verification, the locks and the rename
  kWindow,   // the revert window: keeping the old table in sync, revert, finish
  kCleanup,  // Cancel(): dropping what the operation left on the target
};

enum class ErrorStep {
  kNothing,        // the lease is lost: write nothing more, anywhere
  kCancel,         // a cancel (or a decided apply) asked the engine to stop
  kStop,           // a stop asked it to
  kLeave,          // shutting down: the row stays as it is, recovered once stale
  kRetryInPlace,   // the row keeps its state: back off and try the step again
                   // (a fresh engine) while the lease lives
  kFailRetryable,  // → failed_retryable (retried within the apply's budget)
  kFail,           // → failed (after removing what it left on the target)
  kSettleAnyway,   // cleaning up failed for good: settle as intended, noting it
};

// What a holder does when its engine returned `status` (not ok) in `phase`.
// Nothing swapped yet and the error transient: failed_retryable. During the swap only a
// `Timeout` means the engine knows nothing was swapped; any other transient error may
// have come after the rename, so the swap is retried in place (the next engine finds
// out whether it happened). After the swap errors never move the row back: they are
// retried in place. While cleaning up, a transient error is retried in place and a
// permanent one settles the row anyway, with the error in its message.
ErrorStep DecideEngineError(RunPhase phase, const Status& status, bool lease_lost,
                            const ApplyControl& control, bool shutting_down);

// ---- the revert window ------------------------------------------------------------------------
enum class WindowStep {
  kLeave,   // shutting down: another holder continues the same window once the row is stale
  kRevert,  // swap back
  kFinish,  // the deadline passed or skip-revert: drop the old tables, → completed
  kWait,    // keep the old tables in sync until something happens
};
// `revert_refused`: the pending revert request was already refused by this holder (it
// is not tried again until a new request comes).
WindowStep DecideWindow(const ApplyControl& control, bool deadline_passed, bool shutting_down,
                        bool revert_refused);

}  // namespace ordo::worker

// OperationRun: drives one claimed operation from its claim to a resting point —
// ended (completed, failed, failed_retryable, stopped, cancelled, or back to pending),
// released at the barrier, handed to a keeper, or abandoned because the lease was
// lost or the worker is shutting down (another worker recovers it).
//
// What it does depends on the state the claim returned (the state from before the
// claim) and on which claim it was; see docs/operator.md for the table. Every
// transition is followed by a compare-and-swap of the apply's derived state.
//
// Thread-safety: driven by one task at a time (the driver, then possibly a keeper);
// the engine may call the HeldOperation from its own threads.
//
//   auto run = std::make_shared<OperationRun>(ctx, claimed, ClaimSource::kCopy, t0);
//   run->Drive();  // returns when the driver is free again
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operator/decisions.h"
#include "operator/held_operation.h"
#include "operator/worker_context.h"
#include "ordo/engine.h"
#include "ordo/store.h"

namespace ordo::worker {

class OperationRun : public std::enable_shared_from_this<OperationRun> {
 public:
  OperationRun(WorkerContext& ctx, ClaimedOperation claimed, ClaimSource source,
               Micros claim_started);
  ~OperationRun();

  // Runs on the driver's task; returns when the driver may claim again.
  void Drive();

 private:
  // operation_run.cc: loading, dispatch, the copy phase.
  bool Load();
  void Dispatch();
  // Builds the engine when there is none; false (and the row failed) when it cannot.
  bool EnsureEngine();
  // A new engine for this operation from its latest checkpoint: the store's resume
  // state, not the claim's. After a retry in place the engine before may have saved
  // more — a swap above all: one built from the claim's state would plan the change
  // again on the table it already swapped. (A failed read keeps the claim's.)
  Result<std::unique_ptr<OperationEngine>> NewEngineFromCheckpoint();
  void CopyPhase();
  void WaitRetryBackoff();
  // operation_park.cc: after the copy, cut over now or park (keeper or release).
  void InSync();
  // begin_cutover, asked again through transient failures; nullopt when it kept failing.
  std::optional<bool> AskTurn();
  // Releases the row at the barrier (Store::Park); a row that turns out to be
  // cutting_over under our lease (our begin_cutover's answer was lost) is cut over.
  void Release();
  void KeepParked();
  bool ReadyForCutover();
  // operation_cutover.cc: the swap and the revert window.
  void CutOver(bool catch_up);
  Result<CutoverReport> Swap(bool catch_up);
  void AfterSwap(const CutoverReport& report);
  // Without a revert window: the turn ends at the swap (completed, cleanup owed), then
  // the old tables go and `completed` again clears the flag.
  void EndTurn();
  void FinishSwap();
  // Decides on an error of a swap or window step: true to try the step again (after a
  // backoff, with a fresh engine), false when the run has ended (or was left).
  bool RetryInPlace(RunPhase phase, const Status& status, Micros* backoff);
  void RevertWindow();
  void ReverseSyncWindow(Micros deadline);
  // A fresh engine (preflighted) for a recovered window, when there is none.
  Status EnsureSwappedEngine();
  // Fails the pending revert request with `why` (logged); returns `why`.
  std::string RefuseRevert(const std::string& why);
  void EndReverted(const CutoverReport& report);
  void EndRevertWindow(bool skipped);
  // Logs a swap ("swapped" / "reverted" N tables, write-block, attempts) and appends it
  // as an event of `kind` ("cutover" / "revert"); an event that cannot be written is
  // logged, not fatal.
  void RecordSwap(const std::string& kind, const std::string& verb, const CutoverReport& report);
  bool SwapEventRecorded();  // this operation has its cutover event (a takeover asks)
  void SaveFinalProgress(const std::string& state, std::optional<int64_t> lock_ms,
                         std::optional<std::string> error);
  // operation_endings.cc: how a run ends.
  void OnEngineError(RunPhase phase, const Status& status);
  // Carries out an error decision (DecideEngineError) other than retrying in place.
  void Carry(ErrorStep step, const Status& status);
  // Removes what the operation left on its target (if it ever started), retrying
  // transient errors in place. Ok when clean; Cancelled when the run must stop here
  // (lease lost, shutdown); another error when cleaning up failed for good.
  Status CleanUpTarget();
  void EndStopped();
  void EndCancelled();
  // Ends the operation when the apply's controls ask for a cancel or a stop
  // (DecideInterrupt); false when they ask for neither.
  bool EndIfInterrupted();
  void EndFailed(const Status& status);
  bool Transition(OperationState to, std::optional<std::string> error = std::nullopt);
  // What follows every move of the row to `to` by `write` (a fenced store write): the
  // log line, the apply's compare-and-swap, the wake-up; false (logged) when it failed.
  bool Moved(OperationState to, const std::function<Status()>& write);
  // Moves the apply to the state its rows derive to (compare-and-swap).
  void UpdateApplyState(bool row_terminal = false);
  // Retries a store call while it fails with a retryable error and the lease lives.
  Status Persist(const std::function<Status()>& write);
  bool Abandoned();
  void Log(LogLevel level, const std::string& message);

  WorkerContext& ctx_;
  const ClaimedOperation claimed_;
  const ClaimSource source_;
  HeldOperation held_;
  OperationJob job_;
  std::unique_ptr<OperationEngine> engine_;
  bool engine_copied_ = false;  // engine_ is in sync (Copy returned Ok)
  Micros next_cutover_poll_ = 0;
  uint64_t cutover_poll_seen_ = 0;
};

}  // namespace ordo::worker

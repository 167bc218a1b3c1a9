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
//   auto run = std::make_shared<OperationRun>(ctx, claimed, OperationRun::Source::kCopyClaim, t0);
//   run->Drive();  // returns when the driver is free again
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operator/held_operation.h"
#include "operator/worker_context.h"
#include "ordo/engine.h"
#include "ordo/store.h"

namespace ordo {

class OperationRun : public std::enable_shared_from_this<OperationRun> {
 public:
  enum class Source { kCopyClaim, kCutoverClaim, kCleanupClaim };

  OperationRun(WorkerContext& ctx, ClaimedOperation claimed, Source source, Micros claim_started);
  ~OperationRun();

  // Runs on the driver's task; returns when the driver may claim again.
  void Drive();

 private:
  // operation_run.cc: loading, dispatch, the copy phase.
  bool Load();
  void Dispatch();
  bool EnsureEngine();
  void CopyPhase();
  void WaitRetryBackoff();
  // operation_park.cc: after the copy, cut over now or park (keeper or release).
  void InSync();
  void KeepParked();
  bool ReadyForCutover();
  // operation_cutover.cc: the swap and the revert window.
  void CutOver(bool catch_up);
  void RevertWindow();
  void ReverseSyncWindow(Micros deadline);
  // Swaps back; false when the swap did not happen and the window goes on (`refused`
  // then names why when the request was refused, rather than the swap giving up).
  bool RevertSwap(std::string* refused);
  // Fails the pending revert request with `why` (logged); returns `why`.
  std::string RefuseRevert(const std::string& why);
  void EndRevertWindow(bool skipped);
  // Logs a swap ("swapped" / "reverted" N tables, write-block, attempts) and appends it
  // as an event of `kind` ("cutover" / "revert"); an event that cannot be written is
  // logged, not fatal.
  void RecordSwap(const std::string& kind, const std::string& verb, const CutoverReport& report);
  void SaveFinalProgress(const std::string& state, std::optional<int64_t> lock_ms,
                         std::optional<std::string> error);
  // operation_endings.cc: how a run ends.
  void OnEngineError(const Status& status);
  void EndStopped();
  void EndCancelled();
  void EndFailed(const Status& status);
  bool Transition(OperationState to, std::optional<std::string> error = std::nullopt);
  // Moves the apply to the state its rows derive to (compare-and-swap).
  void UpdateApplyState(bool row_terminal = false);
  // Retries a store call while it fails with a retryable error and the lease lives.
  Status Persist(const std::function<Status()>& write);
  bool Abandoned();
  void Log(LogLevel level, const std::string& message);

  WorkerContext& ctx_;
  const ClaimedOperation claimed_;
  const Source source_;
  HeldOperation held_;
  OperationJob job_;
  std::unique_ptr<OperationEngine> engine_;
  bool engine_copied_ = false;  // engine_ is in sync (Copy returned Ok)
  Micros next_cutover_poll_ = 0;
  uint64_t cutover_poll_seen_ = 0;
};

}  // namespace ordo

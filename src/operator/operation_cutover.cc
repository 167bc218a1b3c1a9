// OperationRun: the swap and the revert window.
//
// A swap once begun finishes: only a lost lease stops it. A transient error during it
// may have come after the rename, so the swap is retried in place with a fresh engine
// (which finds out from the target whether it happened); only a Timeout (every attempt
// gave up, nothing swapped) sends the row back through the retry budget.
//
// Without a revert window the turn ends at the swap: the row completes with its
// cleanup owed (the next deployment may swap at once), the old tables are dropped, and
// completing again clears the flag. A holder that dies in between leaves the flag for
// the cleanup claim, whose driver drops them.
//
// The revert window lasts the environment's revert_window from the cutover's
// completion (database clock, so a recovering holder continues the same window) and
// ends early on a skip_revert request. The engine keeps the old tables in sync
// meanwhile and a revert request swaps them back (the row ends `reverted`); the
// engine's reason refuses a revert it cannot do (e.g. an instant change). Errors in
// the window never move the row out of it: they are retried in place.
#include <algorithm>

#include "core/check.h"
#include "db/dsn.h"
#include "operator/operation_run.h"

namespace ordo::worker {

Result<CutoverReport> OperationRun::Swap(bool catch_up) {
  ORDO_DCHECK(engine_ != nullptr);  // built by EnsureEngine, or kept from the copy
  if (catch_up || !engine_copied_) {
    Log(LogLevel::kInfo, "catching up before the cutover");
    ORDO_RETURN_IF_ERROR(engine_->Copy());
    engine_copied_ = true;
  }
  Log(LogLevel::kInfo, "cutting over");
  return engine_->Swap();
}

void OperationRun::CutOver(bool catch_up) {
  // A running cutover finishes: only a lost lease stops it.
  held_.set_stop_scope(HeldOperation::StopScope::kLeaseOnly);
  Micros backoff = 0;
  while (true) {
    // An engine that cannot be built (e.g. the deployment is not in this worker's
    // config) ends the row as failed.
    if ((catch_up || !engine_copied_) && !EnsureEngine()) return;
    Result<CutoverReport> report = Swap(catch_up);
    if (report.ok()) return AfterSwap(*report);
    if (!RetryInPlace(RunPhase::kSwap, report.status(), &backoff)) return;
    catch_up = true;
  }
}

void OperationRun::AfterSwap(const CutoverReport& report) {
  if (report.attempts > 0) {
    held_.set_cutover_lock_ms(report.write_block_ms);
    SaveFinalProgress("swapped", report.write_block_ms, std::nullopt);
    RecordSwap("cutover", "swapped", report);
  } else if (!SwapEventRecorded()) {
    // The swap ran before this claim and its holder stopped before saying so: the
    // event log still gets the operation's one cutover, without the write block
    // nobody measured.
    SaveFinalProgress("swapped", std::nullopt, std::nullopt);
    const std::string message =
        "swapped " + std::to_string(job_.changes.size()) +
        " table(s) under an earlier lease, which ended before recording it; "
        "the write block was not measured";
    Log(LogLevel::kInfo, message);
    held_.RecordEvent("cutover", message);
  }
  Micros window = ctx_.engines.RevertWindow(job_.apply);
  if (window > 0) {
    if (!Transition(OperationState::kRevertWindow)) return;
    RevertWindow();
    return;
  }
  SaveFinalProgress("completed", std::nullopt, std::nullopt);
  EndTurn();
}

void OperationRun::EndTurn() {
  // Moved() wakes the drivers: the next deployment's turn.
  if (!Moved(OperationState::kCompleted,
             [&] { return ctx_.store.CompleteOwingCleanup(held_.lease()); }))
    return;
  Log(LogLevel::kInfo, "dropping the old table(s)");
  FinishSwap();
}

void OperationRun::FinishSwap() {
  Micros backoff = 0;
  while (true) {
    Status s = EnsureSwappedEngine();
    if (s.ok()) s = engine_->FinishSwap();
    if (s.ok()) break;
    if (held_.LeaseLost()) return;
    if (!RetryInPlace(RunPhase::kWindow, s, &backoff)) return;
  }
  Transition(OperationState::kCompleted);  // clears the cleanup owed
}

bool OperationRun::RetryInPlace(RunPhase phase, const Status& status, Micros* backoff) {
  ErrorStep step =
      DecideEngineError(phase, status, held_.LeaseLost(), held_.control(), ctx_.shutdown);
  if (step != ErrorStep::kRetryInPlace) {
    Carry(step, status);
    return false;
  }
  Log(LogLevel::kWarn,
      std::string(phase == RunPhase::kWindow ? "the work after the swap" : "swap") +
          " interrupted, trying again: " + status.ToString());
  engine_.reset();
  engine_copied_ = false;
  *backoff = std::clamp<Micros>(*backoff * 2, 50'000, ctx_.options.retry_backoff_max_micros);
  ctx_.runtime.SleepFor(*backoff);
  return !Abandoned();
}

void OperationRun::RevertWindow() {
  held_.set_stop_scope(HeldOperation::StopScope::kAll);
  Micros window = ctx_.engines.RevertWindow(job_.apply);
  auto op = ctx_.store.GetOperation(held_.lease().operation_id);
  auto db_now = ctx_.store.Now();
  Micros remaining = window;
  if (op.ok() && db_now.ok() && op->cutover_completed_at)
    remaining = *op->cutover_completed_at + window - *db_now;
  Micros deadline = ctx_.Now() + std::max<Micros>(remaining, 0);
  Log(LogLevel::kInfo,
      "revert window: " + std::to_string(std::max<Micros>(remaining, 0) / 1'000'000) + " s left");
  ReverseSyncWindow(deadline);
}

Status OperationRun::EnsureSwappedEngine() {
  if (engine_) return Status::Ok();
  // A recovered window: a fresh engine continues it from the saved reverse position,
  // and its reports keep the cutover's write-block time.
  auto changes = ctx_.store.ListChanges(held_.lease().operation_id);
  if (changes.ok() && !changes->empty() && changes->front().cutover_lock_ms)
    held_.set_cutover_lock_ms(*changes->front().cutover_lock_ms);
  auto engine = NewEngineFromCheckpoint();
  if (!engine.ok()) return engine.status();
  engine_ = std::move(engine).value();
  return engine_->Preflight();
}

void OperationRun::ReverseSyncWindow(Micros deadline) {
  // A stop does not end the window (the swap is done; only revert, skip_revert, the
  // deadline, shutdown or a lost lease do): the engine honours only the lease.
  held_.set_stop_scope(HeldOperation::StopScope::kLeaseOnly);
  std::string refused;  // why the pending revert request was refused (refused once)
  Micros backoff = 0;
  auto decide = [&](bool over) {
    return DecideWindow(held_.control(), over || ctx_.Now() >= deadline, ctx_.shutdown,
                        !refused.empty());
  };
  while (true) {
    Status kept = EnsureSwappedEngine();
    ORDO_DCHECK(!kept.ok() || engine_ != nullptr);
    if (kept.ok())
      kept = engine_->KeepOldInSync(
          [&] { return held_.LeaseLost() || decide(false) != WindowStep::kWait; });
    if (held_.LeaseLost()) return;
    // FailedPrecondition: the engine finds the window over (finished or reverted by a
    // holder whose transition did not land): settle it as the requests say.
    bool over = kept.Is(StatusCode::kFailedPrecondition);
    if (!kept.ok() && !kept.Is(StatusCode::kCancelled) && !over) {
      if (!RetryInPlace(RunPhase::kWindow, kept, &backoff)) return;
      continue;
    }
    ApplyControl r = held_.control();
    if (!r.revert) refused.clear();
    switch (decide(over)) {
      case WindowStep::kLeave:
        Log(LogLevel::kInfo, "shutdown during the revert window; another worker continues it");
        return;
      case WindowStep::kWait:
        continue;
      case WindowStep::kRevert: {
        if (Status can = engine_->CanRevert(); !can.ok() && !over) {
          refused = RefuseRevert(can.message());
          continue;
        }
        Result<CutoverReport> report = engine_->Revert();
        if (report.ok()) return EndReverted(*report);
        if (report.status().Is(StatusCode::kTimeout)) {
          Log(LogLevel::kWarn,
              "revert swap gave up; still in the window: " + report.status().ToString());
          continue;
        }
        if (report.status().Is(StatusCode::kFailedPrecondition) ||
            report.status().Is(StatusCode::kDataLoss)) {
          // Nothing was swapped back: the window goes on, the request fails with the reason.
          refused = RefuseRevert(report.status().message());
          continue;
        }
        if (!RetryInPlace(RunPhase::kWindow, report.status(), &backoff)) return;
        continue;
      }
      case WindowStep::kFinish: {
        if (r.skip_revert) Log(LogLevel::kInfo, "revert window skipped on request");
        Status finished = engine_->FinishSwap();
        if (!finished.ok()) {
          if (!RetryInPlace(RunPhase::kWindow, finished, &backoff)) return;
          continue;
        }
        EndRevertWindow(r.skip_revert);
        return;
      }
    }
  }
}

std::string OperationRun::RefuseRevert(const std::string& why) {
  Log(LogLevel::kWarn, "revert refused: " + why);
  Status s =
      ctx_.store.FailRequest(held_.apply_id(), RequestKind::kRevert, "revert refused: " + why);
  if (!s.ok()) Log(LogLevel::kWarn, "revert request not refused: " + s.ToString());
  return why;
}

void OperationRun::EndReverted(const CutoverReport& report) {
  RecordSwap("revert", "reverted", report);
  SaveFinalProgress("reverted", report.write_block_ms, std::nullopt);
  if (!Transition(OperationState::kReverted)) return;
  Status s = ctx_.store.CompleteRequest(held_.apply_id(), RequestKind::kRevert);
  if (!s.ok() && !s.Is(StatusCode::kFailedPrecondition))
    Log(LogLevel::kWarn, "revert request not completed: " + s.ToString());
}

void OperationRun::EndRevertWindow(bool skipped) {
  SaveFinalProgress("completed", std::nullopt, std::nullopt);
  if (!Transition(OperationState::kCompleted)) return;
  if (skipped) {
    Status s = ctx_.store.CompleteRequest(held_.apply_id(), RequestKind::kSkipRevert);
    if (!s.ok() && !s.Is(StatusCode::kFailedPrecondition))
      Log(LogLevel::kWarn, "skip_revert not completed: " + s.ToString());
  }
}

void OperationRun::SaveFinalProgress(const std::string& state, std::optional<int64_t> lock_ms,
                                     std::optional<std::string> error) {
  auto changes = ctx_.store.ListChanges(held_.lease().operation_id);
  if (!changes.ok()) {
    Log(LogLevel::kWarn, "final progress not saved: " + changes.status().ToString());
    return;
  }
  std::vector<ChangeProgress> progress;
  for (const ChangeRecord& c : *changes) {
    ChangeProgress p;
    p.change_id = c.id;
    p.state = state;
    p.rows_copied = c.rows_copied;
    p.rows_total = c.rows_total;
    p.percent = c.progress;
    p.eta_seconds = c.eta_seconds;
    p.instant = c.instant;
    p.cutover_lock_ms = lock_ms ? lock_ms : c.cutover_lock_ms;
    p.error = error ? error : c.error;
    if (state == "completed" || state == "swapped") {
      // The copy is done: what was copied is the table's size (row estimates drift).
      if (p.rows_copied > 0) p.rows_total = p.rows_copied;
      p.percent = 100;
      p.eta_seconds = 0;
    }
    progress.push_back(std::move(p));
  }
  Status s = Persist([&] { return ctx_.store.SaveProgress(held_.lease(), progress); });
  if (!s.ok() && !held_.LeaseLost())
    Log(LogLevel::kWarn, "final progress not saved: " + s.ToString());
}

bool OperationRun::SwapEventRecorded() {
  auto events = ctx_.store.ListEvents(held_.apply_id());
  if (!events.ok()) {
    // Unknown: no second event rather than a doubled one.
    Log(LogLevel::kWarn, "could not read the event log: " + events.status().ToString());
    return true;
  }
  const int64_t id = held_.lease().operation_id;
  return std::any_of(events->begin(), events->end(), [&](const EventRecord& e) {
    return e.kind == "cutover" && e.operation_id == id;
  });
}

void OperationRun::RecordSwap(const std::string& kind, const std::string& verb,
                              const CutoverReport& report) {
  std::string message = verb + " " + std::to_string(job_.changes.size()) +
                        " table(s): writes blocked " + std::to_string(report.write_block_ms) +
                        " ms, " + std::to_string(report.attempts) + " attempt(s)";
  // (Why earlier attempts gave up was said while they ran: the engine's notices.)
  for (const std::string& killed : report.killed_sessions)
    Log(LogLevel::kWarn, kind + ": killed " + killed + " (engine.cutover_force_after)");
  Log(LogLevel::kInfo, message);
  held_.RecordEvent(kind, message);
}

}  // namespace ordo::worker

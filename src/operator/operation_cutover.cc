// OperationRun: the swap and the revert window.
//
// The revert window lasts the environment's revert_window from the cutover's
// completion (database clock, so a recovering holder continues the same window) and
// ends early on a skip_revert request. With an engine that can swap back, the engine
// keeps the old tables in sync meanwhile and a revert request swaps them back (the row
// ends `reverted`); the engine's reason refuses a revert it cannot do (e.g. an
// instant change). With one that cannot, the window is a timed bake and revert
// requests are refused with kRevertUnsupported.
#include <algorithm>

#include "db/dsn.h"
#include "operator/operation_run.h"

namespace ordo {

void OperationRun::CutOver(bool catch_up) {
  // A running cutover finishes: only a lost lease stops it.
  held_.set_stop_scope(HeldOperation::StopScope::kLeaseOnly);
  if (catch_up || !engine_copied_) {
    if (!EnsureEngine()) return;
    Log(LogLevel::kInfo, "catching up before the cutover");
    Status s = engine_->Copy();
    if (!s.ok()) {
      OnEngineError(s);
      return;
    }
    engine_copied_ = true;
  }
  Log(LogLevel::kInfo, "cutting over");
  Result<CutoverReport> report = engine_->Cutover();
  if (!report.ok()) {
    OnEngineError(report.status());
    return;
  }
  if (report->attempts > 0) {
    held_.set_cutover_lock_ms(report->write_block_ms);
    SaveFinalProgress("swapped", report->write_block_ms, std::nullopt);
    RecordSwap("cutover", "swapped", *report);
  }
  Micros window = ctx_.engines.RevertWindow(job_.apply);
  if (window > 0) {
    if (!Transition(OperationState::kRevertWindow)) return;
    RevertWindow();
    return;
  }
  SaveFinalProgress("completed", std::nullopt, std::nullopt);
  Transition(OperationState::kCompleted);
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
  Log(LogLevel::kInfo, "revert window: " + std::to_string(std::max<Micros>(remaining, 0) / 1'000'000) + " s left");
  if (ctx_.engines.CanRevert()) {
    ReverseSyncWindow(deadline);
    return;
  }
  bool refused_revert = false;
  bool skipped = false;
  uint64_t seen = ctx_.bus->Generation();
  while (true) {
    if (held_.LeaseLost()) return;
    if (ctx_.shutdown) {
      Log(LogLevel::kInfo, "shutdown during the revert window; another worker continues it");
      return;
    }
    ApplyControl r = held_.control();
    if (r.revert && !refused_revert) {
      refused_revert = true;
      Status s = ctx_.store.FailRequest(held_.apply_id(), RequestKind::kRevert, kRevertUnsupported);
      if (!s.ok()) Log(LogLevel::kWarn, "revert request not refused: " + s.ToString());
    }
    if (r.skip_revert) {
      skipped = true;
      Log(LogLevel::kInfo, "revert window skipped on request");
      break;
    }
    Micros now = ctx_.Now();
    if (now >= deadline) break;
    seen = ctx_.bus->WaitFor(seen, std::min(deadline - now, ctx_.options.poll_interval_micros));
  }
  EndRevertWindow(skipped);
}

void OperationRun::ReverseSyncWindow(Micros deadline) {
  // A stop does not end the window (the swap is done; only revert, skip_revert, the
  // deadline, shutdown or a lost lease do): the engine honours only the lease.
  held_.set_stop_scope(HeldOperation::StopScope::kLeaseOnly);
  if (!engine_) {
    // A recovered window: a fresh engine continues it from the saved reverse position,
    // and its reports keep the cutover's write-block time.
    auto changes = ctx_.store.ListChanges(held_.lease().operation_id);
    if (changes.ok() && !changes->empty() && changes->front().cutover_lock_ms)
      held_.set_cutover_lock_ms(*changes->front().cutover_lock_ms);
    if (!EnsureEngine()) return;
    Status s = engine_->Preflight();
    if (!s.ok()) {
      OnEngineError(s);
      return;
    }
  }
  std::string refused;  // why the last revert request was refused (refused once)
  while (true) {
    Status kept = engine_->KeepOldInSync([&] {
      ApplyControl r = held_.control();
      return held_.LeaseLost() || ctx_.shutdown || ctx_.Now() >= deadline || r.skip_revert ||
             (r.revert && refused.empty());
    });
    if (held_.LeaseLost()) return;
    if (!kept.ok() && !kept.Is(StatusCode::kCancelled)) {
      OnEngineError(kept);
      return;
    }
    if (ctx_.shutdown) {
      Log(LogLevel::kInfo, "shutdown during the revert window; another worker continues it");
      return;
    }
    ApplyControl r = held_.control();
    if (r.revert && refused.empty()) {
      if (Status can = engine_->CanRevert(); !can.ok()) {
        refused = RefuseRevert(can.message());
        continue;
      }
      if (RevertSwap(&refused)) return;
      continue;  // no swap this time (gave up or refused): still in the window, in sync
    }
    if (!r.revert) refused.clear();
    if (r.skip_revert) Log(LogLevel::kInfo, "revert window skipped on request");
    Status finished = engine_->FinishRevertWindow();
    if (!finished.ok()) {
      OnEngineError(finished);
      return;
    }
    EndRevertWindow(r.skip_revert);
    return;
  }
}

std::string OperationRun::RefuseRevert(const std::string& why) {
  Log(LogLevel::kWarn, "revert refused: " + why);
  Status s = ctx_.store.FailRequest(held_.apply_id(), RequestKind::kRevert, "revert refused: " + why);
  if (!s.ok()) Log(LogLevel::kWarn, "revert request not refused: " + s.ToString());
  return why;
}

bool OperationRun::RevertSwap(std::string* refused) {
  Log(LogLevel::kInfo, "reverting");
  Result<CutoverReport> report = engine_->Revert();
  if (!report.ok()) {
    if (report.status().Is(StatusCode::kTimeout)) {
      Log(LogLevel::kWarn, "revert swap gave up; still in the window: " + report.status().ToString());
      return false;
    }
    if (report.status().Is(StatusCode::kFailedPrecondition) || report.status().Is(StatusCode::kDataLoss)) {
      // Nothing was swapped back: the window goes on, the request fails with the reason.
      *refused = RefuseRevert(report.status().message());
      return false;
    }
    OnEngineError(report.status());
    return true;
  }
  RecordSwap("revert", "reverted", *report);
  SaveFinalProgress("reverted", report->write_block_ms, std::nullopt);
  if (!Transition(OperationState::kReverted)) return true;
  Status s = ctx_.store.CompleteRequest(held_.apply_id(), RequestKind::kRevert);
  if (!s.ok() && !s.Is(StatusCode::kFailedPrecondition))
    Log(LogLevel::kWarn, "revert request not completed: " + s.ToString());
  return true;
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
  if (!s.ok() && !held_.LeaseLost()) Log(LogLevel::kWarn, "final progress not saved: " + s.ToString());
}

void OperationRun::RecordSwap(const std::string& kind, const std::string& verb, const CutoverReport& report) {
  std::string message = verb + " " + std::to_string(job_.changes.size()) + " table(s): writes blocked " +
                        std::to_string(report.write_block_ms) + " ms, " + std::to_string(report.attempts) +
                        " attempt(s)";
  Log(LogLevel::kInfo, message);
  held_.RecordEvent(kind, message);
}

}  // namespace ordo

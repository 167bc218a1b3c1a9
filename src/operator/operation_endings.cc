// OperationRun: how a run ends — stopped, cancelled, failed (permanent or retryable) —
// and the fenced writes every ending goes through: the transition, then the apply's
// derived state by compare-and-swap.
//
// Whatever a settled operation left on its target is removed before it settles: a
// cancel or a permanent failure drops the shadow tables first, and a transient error
// while doing so is retried in place (the row keeps its state; a shutdown leaves it to
// whoever recovers it), so no settled operation leaves anything of ordo behind.
#include <algorithm>

#include "core/derive.h"
#include "db/dsn.h"
#include "operator/failure.h"
#include "operator/operation_run.h"

namespace ordo::worker {

void OperationRun::OnEngineError(RunPhase phase, const Status& status) {
  Carry(DecideEngineError(phase, status, held_.LeaseLost(), held_.control(), ctx_.shutdown),
        status);
}

void OperationRun::Carry(ErrorStep step, const Status& status) {
  switch (step) {
    case ErrorStep::kNothing:
      Log(LogLevel::kWarn, "lease lost; the engine stopped and nothing more is written");
      return;
    case ErrorStep::kCancel:
      return EndCancelled();
    case ErrorStep::kStop:
      return EndStopped();
    case ErrorStep::kLeave:
      Log(LogLevel::kInfo, "shutdown: stopped at a safe point; the row is left for recovery");
      return;
    case ErrorStep::kFailRetryable:
    case ErrorStep::kFail:
    case ErrorStep::kRetryInPlace:  // not a phase that retries in place: fail it
    case ErrorStep::kSettleAnyway:
      if (status.Is(StatusCode::kCancelled)) {
        // The engine stopped without being asked to: a transient failure.
        return EndFailed(Unavailable("the engine stopped unexpectedly: " + status.message()));
      }
      return EndFailed(status);
  }
}

void OperationRun::EndStopped() {
  Log(LogLevel::kInfo, "stopped on request; resumable");
  engine_.reset();
  // The transition to stopped releases the lease (and moves the apply): the monitor
  // stops first, so no heartbeat runs into the cleared token.
  held_.StopMonitor();
  Transition(OperationState::kStopped);
}

Status OperationRun::CleanUpTarget() {
  // Only an operation that ever started copying can have artefacts on the target. One
  // that never started is not touched: its deployment may already belong to a newer
  // apply whose shadow tables carry the same names.
  bool started = claimed_.operation.started_at.has_value() || engine_ != nullptr;
  if (!started) return Status::Ok();
  Micros backoff = 0;
  while (true) {
    Status s;
    if (!engine_) {
      auto engine = NewEngineFromCheckpoint();
      if (engine.ok())
        engine_ = std::move(engine).value();
      else
        s = engine.status();
    }
    if (s.ok()) s = engine_->Cancel();
    if (s.ok()) {
      engine_.reset();
      return s;
    }
    engine_.reset();
    ErrorStep step =
        DecideEngineError(RunPhase::kCleanup, s, held_.LeaseLost(), held_.control(), ctx_.shutdown);
    if (step != ErrorStep::kRetryInPlace)
      return step == ErrorStep::kSettleAnyway ? s : Cancelled(s.message());
    Log(LogLevel::kWarn, "cleanup on the target failed, trying again: " + s.ToString());
    backoff = std::clamp<Micros>(backoff * 2, 50'000, ctx_.options.retry_backoff_max_micros);
    ctx_.runtime.SleepFor(backoff);
    if (Abandoned()) return Cancelled("abandoned");
  }
}

bool OperationRun::EndIfInterrupted() {
  switch (DecideInterrupt(held_.control())) {
    case Interrupt::kCancel:
      EndCancelled();
      return true;
    case Interrupt::kStop:
      EndStopped();
      return true;
    case Interrupt::kNone:
      break;
  }
  return false;
}

void OperationRun::EndCancelled() {
  std::optional<std::string> note;
  if (!held_.control().cancel) {
    // Not cancelled by request: its rollout was decided elsewhere (e.g. a halt rollout
    // failed at another deployment), so this deployment will never cut over.
    note = "not cut over: the apply has settled";
  }
  Status cleaned = CleanUpTarget();
  if (cleaned.Is(StatusCode::kCancelled) || held_.LeaseLost()) {
    Log(LogLevel::kInfo, "cancel not finished; the row is left for recovery");
    return;
  }
  if (!cleaned.ok())
    note = note.value_or("cancelled") +
           "; cleanup failed, shadow tables may remain: " + cleaned.message();
  if (note) Log(LogLevel::kWarn, *note);
  Log(LogLevel::kInfo, "cancelled");
  SaveFinalProgress("cancelled", std::nullopt, std::nullopt);
  Transition(OperationState::kCancelled,
             note ? std::optional<std::string>(db::RedactUrls(*note)) : std::nullopt);
}

void OperationRun::EndFailed(const Status& status) {
  FailureVerdict verdict = ClassifyFailure(status);
  std::string message = db::RedactUrls(status.message());
  if (!verdict.retryable) {
    // Nobody resumes a failed operation: remove its shadow tables first (refused,
    // harmlessly, once the tables were swapped).
    Status cleaned = CleanUpTarget();
    if (cleaned.Is(StatusCode::kCancelled) || held_.LeaseLost()) {
      Log(LogLevel::kWarn,
          "failed (" + message + "); cleanup not finished, the row is left for recovery");
      return;
    }
    if (!cleaned.ok() && !cleaned.Is(StatusCode::kFailedPrecondition))
      Log(LogLevel::kWarn, "cleanup after failure failed: " + cleaned.ToString());
  }
  engine_.reset();
  if (held_.LeaseLost()) return;
  Log(verdict.retryable ? LogLevel::kWarn : LogLevel::kError,
      std::string(verdict.retryable ? "failed (retryable): " : "failed: ") + message);
  SaveFinalProgress("failed", std::nullopt, message);
  Transition(verdict.retryable ? OperationState::kFailedRetryable : OperationState::kFailed,
             message);
}

Status OperationRun::Persist(const std::function<Status()>& write) {
  Micros backoff = 50'000;
  while (true) {
    Status s = held_.Fenced(write);
    if (s.ok() || held_.LeaseLost() || !s.retryable()) return s;
    Log(LogLevel::kWarn, "store write failed, retrying: " + s.ToString());
    ctx_.runtime.SleepFor(backoff);
    backoff = std::min<Micros>(backoff * 2, ctx_.options.poll_interval_micros);
  }
}

bool OperationRun::Transition(OperationState to, std::optional<std::string> error) {
  return Moved(to, [&] { return ctx_.store.TransitionOperation(held_.lease(), to, error); });
}

bool OperationRun::Moved(OperationState to, const std::function<Status()>& write) {
  Status s = Persist(write);
  if (!s.ok()) {
    if (!held_.LeaseLost())
      Log(LogLevel::kError,
          "transition to " + std::string(ToString(to)) + " failed: " + s.ToString());
    return false;
  }
  Log(LogLevel::kInfo, "state " + std::string(ToString(to)));
  UpdateApplyState(IsTerminal(to));
  ctx_.bus->Notify();
  return true;
}

void OperationRun::UpdateApplyState(bool row_terminal) {
  // The last transition of an apply's last row is the only chance to move the apply
  // to its final state: nobody holds any of its rows afterwards. So once this row is
  // terminal (nobody can claim it from under our token but a start request, which
  // rotates the token and makes the swap answer LeaseLost) the swap is retried
  // through store outages, presumed lease loss notwithstanding, until it lands or the
  // worker shuts down.
  int conflicts = 0;
  Micros backoff = 50'000;
  while (true) {
    if (!row_terminal && held_.LeaseLost()) return;
    Status error;
    auto apply = ctx_.store.GetApply(held_.apply_id());
    auto ops = apply.ok() ? ctx_.store.ListOperations(held_.apply_id())
                          : Result<std::vector<OperationRecord>>(apply.status());
    auto requests = ops.ok() ? ctx_.store.ListRequests(held_.apply_id())
                             : Result<std::vector<ControlRequestRecord>>(ops.status());
    if (requests.ok()) {
      DerivedApplyState derived = DeriveApplyState(*ops, ReadControl(*requests).release);
      // The error changes without the state when a later deployment fails during an
      // earlier one's revert window: the swap then only writes the error.
      bool error_only = derived.state == apply->state && derived.error != apply->error;
      if (!error_only && !HolderMovesApply(apply->state, derived.state)) return;
      auto cas = [&] {
        return ctx_.store.CasApplyState(held_.lease(), apply->state, derived.state, derived.error);
      };
      Result<bool> swapped =
          row_terminal ? cas() : held_.FencedValue<bool>(cas, [](const bool&) { return false; });
      if (swapped.ok()) {
        if (*swapped) {
          Log(LogLevel::kInfo, "apply " + std::string(ToString(apply->state)) + " -> " +
                                   std::string(ToString(derived.state)));
          return;
        }
        // Another holder moved the apply between our read and our swap: read again.
        if (++conflicts >= 5) {
          Log(LogLevel::kWarn, "apply state not swapped: it keeps moving");
          return;
        }
        continue;
      }
      error = swapped.status();
      if (error.Is(StatusCode::kLeaseLost) || error.Is(StatusCode::kNotFound)) return;
    } else {
      error = requests.status();
    }
    if (!error.retryable() || ctx_.shutdown) {
      Log(LogLevel::kWarn, "apply state not derived: " + error.ToString());
      return;
    }
    ctx_.runtime.SleepFor(backoff);
    backoff = std::min<Micros>(backoff * 2, ctx_.options.poll_interval_micros);
  }
}

}  // namespace ordo::worker

// OperationRun: construction, loading, dispatch by the claimed state, the copy phase.
#include "operator/operation_run.h"

#include <algorithm>

#include "db/dsn.h"

namespace ordo::worker {
namespace {

// Reads from the store, retrying transient failures while `keep_trying` holds.
template <typename T>
Result<T> ReadWithRetry(WorkerContext& ctx, const std::function<bool()>& keep_trying,
                        const std::function<Result<T>()>& read) {
  Micros backoff = 50'000;
  while (true) {
    Result<T> r = read();
    if (r.ok() || !r.status().retryable() || !keep_trying()) return r;
    ctx.runtime.SleepFor(backoff);
    backoff = std::min<Micros>(backoff * 2, ctx.options.poll_interval_micros);
  }
}

}  // namespace

OperationRun::OperationRun(WorkerContext& ctx, ClaimedOperation claimed, ClaimSource source,
                           Micros claim_started)
    : ctx_(ctx),
      claimed_(std::move(claimed)),
      source_(source),
      held_(ctx, claimed_, claim_started) {
  job_.operation = claimed_.operation;
  job_.lease = claimed_.lease;
}

OperationRun::~OperationRun() {
  // The engine goes first: its threads may still call the host.
  engine_.reset();
  held_.StopMonitor();
}

void OperationRun::Log(LogLevel level, const std::string& message) {
  ctx_.logger.Log(level, held_.fields(), db::RedactUrls(message));
}

bool OperationRun::Abandoned() { return held_.LeaseLost() || ctx_.shutdown; }

void OperationRun::Drive() {
  held_.StartMonitor();
  if (!Load()) return;
  // A cleanup claim's apply is settled (or cancelled): its stored verdict is left as
  // it is until the row's own ending re-derives it.
  if (source_ != ClaimSource::kCleanup) UpdateApplyState();
  Dispatch();
}

bool OperationRun::Load() {
  auto keep = [this] { return !Abandoned(); };
  auto apply = ReadWithRetry<ApplyRecord>(
      ctx_, keep, [&] { return ctx_.store.GetApply(claimed_.operation.apply_id); });
  auto changes =
      apply.ok() ? ReadWithRetry<std::vector<ChangeRecord>>(
                       ctx_, keep, [&] { return ctx_.store.ListChanges(claimed_.operation.id); })
                 : Result<std::vector<ChangeRecord>>(apply.status());
  Status requests = changes.ok() ? held_.RefreshControl() : changes.status();
  if (!requests.ok()) {
    // The lease stays ours until it goes stale; another driver recovers the row.
    Log(LogLevel::kError,
        "cannot read the operation's apply, changes or requests; leaving it for recovery: " +
            requests.ToString());
    return false;
  }
  job_.apply = std::move(apply).value();
  job_.changes = std::move(changes).value();
  held_.set_apply_external_id(job_.apply.external_id);
  const char* claim = source_ == ClaimSource::kCopy      ? "copy"
                      : source_ == ClaimSource::kCutover ? "cutover"
                                                         : "cleanup";
  Log(LogLevel::kInfo, "claimed (" + std::string(claim) + " claim, was " +
                           std::string(ToString(claimed_.operation.state)) + ")");
  return true;
}

void OperationRun::Dispatch() {
  const OperationRecord& was = claimed_.operation;
  switch (DecideDispatch(source_, was.state, was.started_at.has_value(), held_.control())) {
    case RunStep::kCancel:
      return EndCancelled();
    case RunStep::kCleanUpFailed:
      return EndFailed(FailedPrecondition(was.error.value_or("failed")));
    case RunStep::kFinishSwap:
      return FinishSwap();
    case RunStep::kStop:
      return EndStopped();
    case RunStep::kCutOver:
      return CutOver(/*catch_up=*/true);
    case RunStep::kRevertWindow:
      return RevertWindow();
    case RunStep::kBackToPending:
      Transition(OperationState::kPending);
      return;
    case RunStep::kResumeCopy:
      if (!Transition(OperationState::kRunning)) return;
      break;
    case RunStep::kRetryCopy:
      // Running again at once: while the row stays failed_retryable the apply derives
      // to failed_retryable, which the expiry and the retry claim act on.
      if (!Transition(OperationState::kRunning)) return;
      WaitRetryBackoff();
      if (Abandoned()) return;
      if (EndIfInterrupted()) return;
      break;
    case RunStep::kCopy:
      break;
  }
  CopyPhase();
}

Result<std::unique_ptr<OperationEngine>> OperationRun::NewEngineFromCheckpoint() {
  auto op = ctx_.store.GetOperation(held_.lease().operation_id);
  if (op.ok())
    job_.operation.resume_state = op->resume_state;
  else
    Log(LogLevel::kWarn,
        "cannot read the latest checkpoint, using the claim's: " + op.status().ToString());
  return ctx_.engines.NewEngine(job_, &held_);
}

bool OperationRun::EnsureEngine() {
  if (engine_) return true;
  auto engine = NewEngineFromCheckpoint();
  if (!engine.ok()) {
    EndFailed(engine.status());
    return false;
  }
  engine_ = std::move(engine).value();
  return true;
}

void OperationRun::CopyPhase() {
  held_.set_stop_scope(HeldOperation::StopScope::kAll);
  if (!EnsureEngine()) return;
  Log(LogLevel::kInfo, "preflight and copy");
  Status s = engine_->Preflight();
  if (s.ok()) s = engine_->Copy();
  if (s.ok()) {
    // Ready before its turn: the turn holds only the final catch-up and the swap.
    Log(LogLevel::kInfo, "copied; building the deferred indexes and verifying");
    s = engine_->MakeReady();
  }
  if (!s.ok()) {
    OnEngineError(RunPhase::kCopy, s);
    return;
  }
  engine_copied_ = true;
  Log(LogLevel::kInfo, "ready: indexes built, verified, in sync");
  InSync();
}

void OperationRun::WaitRetryBackoff() {
  int attempt = std::max(1, claimed_.operation.attempt + 1);
  Micros delay = ctx_.options.retry_backoff_micros;
  for (int i = 1; i < attempt && delay < ctx_.options.retry_backoff_max_micros; ++i) delay *= 2;
  delay = std::min(delay, ctx_.options.retry_backoff_max_micros);
  Log(LogLevel::kInfo,
      "retry attempt " + std::to_string(attempt) + " in " + std::to_string(delay / 1000) + " ms");
  Micros deadline = ctx_.Now() + delay;
  uint64_t seen = ctx_.bus->Generation();
  while (!Abandoned()) {
    if (DecideInterrupt(held_.control()) != Interrupt::kNone) return;
    Micros now = ctx_.Now();
    if (now >= deadline) return;
    seen = ctx_.bus->WaitFor(seen, std::min(deadline - now, ctx_.options.poll_interval_micros));
  }
}

}  // namespace ordo::worker

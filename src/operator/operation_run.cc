// OperationRun: construction, loading, dispatch by the claimed state, the copy phase.
#include "operator/operation_run.h"

#include <algorithm>

#include "db/dsn.h"

namespace ordo {
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

OperationRun::OperationRun(WorkerContext& ctx, ClaimedOperation claimed, Source source,
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
  ctx_.logger.Log(level, held_.fields(), RedactUrls(message));
}

bool OperationRun::Abandoned() { return held_.LeaseLost() || ctx_.shutdown; }

void OperationRun::Drive() {
  held_.StartMonitor();
  if (!Load()) return;
  // A cleanup claim's apply is settled (or cancelled): its stored verdict is left as
  // it is until the row's own ending re-derives it.
  if (source_ != Source::kCleanupClaim) UpdateApplyState();
  Dispatch();
}

bool OperationRun::Load() {
  auto keep = [this] { return !Abandoned(); };
  auto apply = ReadWithRetry<ApplyRecord>(ctx_, keep, [&] { return ctx_.store.GetApply(claimed_.operation.apply_id); });
  auto changes = apply.ok() ? ReadWithRetry<std::vector<ChangeRecord>>(ctx_, keep, [&] {
    return ctx_.store.ListChanges(claimed_.operation.id);
  }) : Result<std::vector<ChangeRecord>>(apply.status());
  Status requests = changes.ok() ? held_.RefreshControl() : changes.status();
  if (!requests.ok()) {
    // The lease stays ours until it goes stale; another driver recovers the row.
    Log(LogLevel::kError, "cannot read the operation's apply, changes or requests; leaving it for recovery: " +
                              requests.ToString());
    return false;
  }
  job_.apply = std::move(apply).value();
  job_.changes = std::move(changes).value();
  held_.set_apply_external_id(job_.apply.external_id);
  const char* claim = source_ == Source::kCopyClaim      ? "copy"
                      : source_ == Source::kCutoverClaim ? "cutover"
                                                         : "cleanup";
  Log(LogLevel::kInfo, "claimed (" + std::string(claim) +
                           " claim, was " + std::string(ToString(claimed_.operation.state)) + ")");
  return true;
}

void OperationRun::Dispatch() {
  using S = OperationState;
  const S was = claimed_.operation.state;
  const bool swap_started = was == S::kCuttingOver || was == S::kRevertWindow;
  ApplyControl r = held_.control();
  if (source_ == Source::kCleanupClaim) {
    // Handed out only for a settled or cancelled apply, state unchanged (never a swap
    // in flight): it is cancelled whatever its state.
    EndCancelled();
    return;
  }
  if ((r.cancel || r.apply_settled) && !swap_started) {
    // Whatever the claim handed us, a cancelled or otherwise settled apply swaps
    // nothing more.
    EndCancelled();
    return;
  }
  if (was == S::kCuttingOver) {
    CutOver(/*catch_up=*/true);  // recover a cutover another holder left in flight
    return;
  }
  if (was == S::kRevertWindow) {
    RevertWindow();
    return;
  }
  if (source_ == Source::kCutoverClaim) {
    // A parked row whose turn came: the claim moved it to cutting_over.
    CutOver(/*catch_up=*/true);
    return;
  }
  if (r.stop) {
    // Recovered copy-phase work under a pending stop: stop it without starting anything.
    EndStopped();
    return;
  }
  switch (was) {
    case S::kStopped:
    case S::kResuming:
      if (!claimed_.operation.started_at) {
        // Never started copying: back through the ordering gate rather than jump it.
        Transition(S::kPending);
        return;
      }
      if (!Transition(S::kRunning)) return;
      break;
    case S::kFailedRetryable:
      // Running again at once: while the row stays failed_retryable the apply derives
      // to failed_retryable, which the expiry and the retry claim act on.
      if (!Transition(S::kRunning)) return;
      WaitRetryBackoff();
      if (Abandoned()) return;
      r = held_.control();
      if (r.cancel || r.apply_settled) return EndCancelled();
      if (r.stop) return EndStopped();
      break;
    default:  // pending (now running), running, waiting_for_cutover (recovered)
      break;
  }
  CopyPhase();
}

bool OperationRun::EnsureEngine() {
  if (engine_) return true;
  auto engine = ctx_.engines.NewEngine(job_, &held_);
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
  if (!s.ok()) {
    OnEngineError(s);
    return;
  }
  engine_copied_ = true;
  Log(LogLevel::kInfo, "copied; shadow in sync");
  InSync();
}

void OperationRun::WaitRetryBackoff() {
  int attempt = std::max(1, claimed_.operation.attempt + 1);
  Micros delay = ctx_.options.retry_backoff_micros;
  for (int i = 1; i < attempt && delay < ctx_.options.retry_backoff_max_micros; ++i) delay *= 2;
  delay = std::min(delay, ctx_.options.retry_backoff_max_micros);
  Log(LogLevel::kInfo, "retry attempt " + std::to_string(attempt) + " in " +
                           std::to_string(delay / 1000) + " ms");
  Micros deadline = ctx_.Now() + delay;
  uint64_t seen = ctx_.bus->Generation();
  while (!Abandoned()) {
    ApplyControl r = held_.control();
    if (r.stop || r.cancel || r.apply_settled) return;
    Micros now = ctx_.Now();
    if (now >= deadline) return;
    seen = ctx_.bus->WaitFor(seen, std::min(deadline - now, ctx_.options.poll_interval_micros));
  }
}

}  // namespace ordo

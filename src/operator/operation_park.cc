// OperationRun: in sync after the copy — cut over now when it is this deployment's
// turn, otherwise park: a keeper keeps the live engine in sync and asks for the turn
// (Store::BeginCutover), or, when every keeper is busy, the row is released at the
// barrier (Store::Park) and the cutover claim rebuilds an engine from the checkpoint
// when the turn comes.
#include "operator/operation_run.h"

namespace ordo::worker {

std::optional<bool> OperationRun::AskTurn() {
  // begin_cutover is idempotent for its holder (a row already cutting_over under our
  // token answers yes), so a transient failure, including an answer lost after the
  // commit, is simply asked again while the lease lives.
  Micros backoff = 50'000;
  for (int tries = 0; tries < 5; ++tries) {
    Result<bool> began =
        held_.FencedValue<bool>([&] { return ctx_.store.BeginCutover(held_.lease()); },
                                [](const bool& yes) { return yes; });
    if (began.ok()) return *began;
    if (held_.LeaseLost() || !began.status().retryable() || ctx_.shutdown) {
      if (!held_.LeaseLost())
        Log(LogLevel::kWarn, "begin_cutover failed: " + began.status().ToString());
      return std::nullopt;
    }
    ctx_.runtime.SleepFor(backoff);
    backoff = std::min<Micros>(backoff * 2, ctx_.options.poll_interval_micros);
  }
  return std::nullopt;
}

void OperationRun::InSync() {
  if (!Transition(OperationState::kWaitingForCutover)) return;
  if (EndIfInterrupted()) return;
  std::optional<bool> began;
  if (!ctx_.shutdown) {
    began = AskTurn();
    if (held_.LeaseLost()) return;
  }
  auto self = shared_from_this();
  auto keep = [&] {
    return ctx_.keepers.TryStart("keeper " + held_.fields().deployment, [self] {
      self->KeepParked();
      self->engine_.reset();
      self->held_.StopMonitor();
    });
  };
  // A keeper is only started when the turn has not come (and the worker goes on).
  bool keeper_free = !ctx_.shutdown && began != true && keep();
  switch (DecideTurn(began, keeper_free, ctx_.shutdown)) {
    case TurnStep::kCutOver:
      UpdateApplyState();
      CutOver(/*catch_up=*/false);
      return;
    case TurnStep::kKeep:
      Log(LogLevel::kInfo, "parked at the cutover barrier; a keeper keeps it in sync");
      return;
    case TurnStep::kRelease:
      Release();
      return;
  }
}

void OperationRun::Release() {
  // The engine's checkpoint stays in the row's resume state. The monitor stops first,
  // so no heartbeat runs into the cleared token.
  engine_.reset();
  engine_copied_ = false;
  held_.StopMonitor();
  Status s = Persist([&] { return ctx_.store.Park(held_.lease()); });
  switch (DecidePark(s)) {
    case ParkOutcome::kReleased:
      Log(LogLevel::kInfo, ctx_.shutdown ? "shutdown: released at the cutover barrier"
                                         : "released at the cutover barrier (no keeper free)");
      ctx_.bus->Notify();
      return;
    case ParkOutcome::kSwapIsOurs:
      // Our begin_cutover committed though its answer was lost: the row is cutting_over
      // under our lease, and a swap once begun finishes.
      Log(LogLevel::kInfo, "not parked: " + s.message() + "; the swap is ours");
      held_.StartMonitor();
      CutOver(/*catch_up=*/true);
      return;
    case ParkOutcome::kLeftForRecovery:
      if (!held_.LeaseLost())
        Log(LogLevel::kError, "park failed; left for recovery: " + s.ToString());
      return;
  }
}

bool OperationRun::ReadyForCutover() {
  if (held_.LeaseLost()) return false;
  uint64_t gen = ctx_.bus->Generation();
  Micros now = ctx_.Now();
  // Ask the store at every in-process wake (an earlier deployment may just have
  // completed) and otherwise once per poll interval.
  if (gen == cutover_poll_seen_ && now < next_cutover_poll_) return false;
  cutover_poll_seen_ = gen;
  next_cutover_poll_ = now + ctx_.options.poll_interval_micros;
  Result<bool> r = held_.FencedValue<bool>([&] { return ctx_.store.BeginCutover(held_.lease()); },
                                           [](const bool& began) { return began; });
  if (!r.ok()) {
    // Asked again at the next poll (begin_cutover is idempotent for its holder).
    if (!held_.LeaseLost()) Log(LogLevel::kWarn, "begin_cutover failed: " + r.status().ToString());
    return false;
  }
  return *r;
}

void OperationRun::KeepParked() {
  held_.set_stop_scope(HeldOperation::StopScope::kAll);
  cutover_poll_seen_ = ctx_.bus->Generation();
  next_cutover_poll_ = ctx_.Now() + ctx_.options.poll_interval_micros;
  Status s = engine_->KeepInSync([this] { return ReadyForCutover(); });
  if (s.ok()) {
    UpdateApplyState();
    CutOver(/*catch_up=*/false);
    return;
  }
  if (s.Is(StatusCode::kCancelled) && !held_.LeaseLost() && ctx_.shutdown &&
      DecideInterrupt(held_.control()) == Interrupt::kNone) {
    // Shutting down: release the row so the cutover claim can take it without
    // waiting for the lease to go stale.
    Release();
    return;
  }
  OnEngineError(RunPhase::kCopy, s);
}

}  // namespace ordo::worker

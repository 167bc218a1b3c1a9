// OperationRun: in sync after the copy — cut over now when it is this deployment's
// turn, otherwise park: a keeper keeps the live engine in sync and asks for the turn
// (Store::BeginCutover), or, when every keeper is busy, the row is released at the
// barrier (Store::Park) and the cutover claim rebuilds an engine from the checkpoint
// when the turn comes.
#include "operator/operation_run.h"

namespace ordo {

void OperationRun::InSync() {
  if (!Transition(OperationState::kWaitingForCutover)) return;
  ApplyControl r = held_.control();
  if (r.cancel || r.apply_settled) return EndCancelled();
  if (r.stop) return EndStopped();
  if (!ctx_.shutdown) {
    Result<bool> now = held_.FencedValue<bool>([&] { return ctx_.store.BeginCutover(held_.lease()); },
                                                [](const bool& began) { return began; });
    if (held_.LeaseLost()) return;
    if (!now.ok()) {
      Log(LogLevel::kWarn, "begin_cutover failed, parking: " + now.status().ToString());
    } else if (*now) {
      UpdateApplyState();
      CutOver(/*catch_up=*/false);
      return;
    }
    auto self = shared_from_this();
    bool kept = ctx_.keepers.TryStart("keeper " + held_.fields().deployment, [self] {
      self->KeepParked();
      self->engine_.reset();
      self->held_.StopMonitor();
    });
    if (kept) {
      Log(LogLevel::kInfo, "parked at the cutover barrier; a keeper keeps it in sync");
      return;
    }
  }
  // Release at the barrier: the engine's checkpoint stays in the row's resume state.
  // The monitor stops first, so no heartbeat runs into the cleared token.
  engine_.reset();
  held_.StopMonitor();
  Status s = Persist([&] { return ctx_.store.Park(held_.lease()); });
  if (!s.ok()) {
    if (!held_.LeaseLost()) Log(LogLevel::kError, "park failed; left for recovery: " + s.ToString());
    return;
  }
  Log(LogLevel::kInfo, "released at the cutover barrier (no keeper free or shutting down)");
  ctx_.bus->Notify();
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
  if (held_.LeaseLost()) {
    Log(LogLevel::kWarn, "lease lost while parked; stopped writing");
    return;
  }
  ApplyControl r = held_.control();
  if (s.Is(StatusCode::kCancelled) && !r.cancel && !r.apply_settled && !r.stop && ctx_.shutdown) {
    // Shutting down: release the row so the cutover claim can take it without
    // waiting for the lease to go stale.
    engine_.reset();
    held_.StopMonitor();
    Status parked = Persist([&] { return ctx_.store.Park(held_.lease()); });
    if (parked.ok()) Log(LogLevel::kInfo, "shutdown: released at the cutover barrier");
    return;
  }
  OnEngineError(s);
}

}  // namespace ordo

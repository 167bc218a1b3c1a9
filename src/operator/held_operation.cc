#include "operator/held_operation.h"

#include <algorithm>

#include "core/derive.h"
#include "db/dsn.h"

namespace ordo::worker {

HeldOperation::HeldOperation(WorkerContext& ctx, const ClaimedOperation& claimed,
                             Micros claim_started)
    : ctx_(ctx),
      lease_(claimed.lease),
      apply_id_(claimed.operation.apply_id),
      fields_{claimed.apply_external_id, claimed.operation.deployment, claimed.lease.owner},
      last_ok_started_(claim_started) {}

HeldOperation::~HeldOperation() { StopMonitor(); }

void HeldOperation::MarkLost(const std::string& why) {
  if (lost_.exchange(true)) return;
  ctx_.logger.Log(LogLevel::kWarn, fields_, "lease lost, stopping at once: " + db::RedactUrls(why));
}

bool HeldOperation::LeaseLost() {
  if (lost_) return true;
  Micros silent = ctx_.Now() - last_ok_started_.load();
  if (silent >= ctx_.options.PresumeLostAfter()) {
    MarkLost("no fenced write has succeeded for " + std::to_string(silent / 1000) +
             " ms; presumed lost");
  }
  return lost_;
}

void HeldOperation::NoteResult(const Status& s, Micros started, bool refreshed) {
  if (s.ok()) {
    if (!refreshed) return;
    Micros prev = last_ok_started_.load();
    while (started > prev && !last_ok_started_.compare_exchange_weak(prev, started)) {
    }
    return;
  }
  if (s.Is(StatusCode::kLeaseLost) || s.Is(StatusCode::kNotFound)) MarkLost(s.ToString());
}

Status HeldOperation::Fenced(const std::function<Status()>& write, bool refreshes) {
  if (LeaseLost())
    return ordo::LeaseLost("operation " + std::to_string(lease_.operation_id) + ": lease lost");
  Micros started = ctx_.Now();
  Status s = write();
  NoteResult(s, started, refreshes);
  return s;
}

void HeldOperation::set_cutover_lock_ms(int64_t ms) {
  MutexLock lock(&mu_);
  cutover_lock_ms_ = ms;
}

Status HeldOperation::ReportProgress(const EngineProgress& progress) {
  std::vector<ChangeProgress> changes = progress.changes;
  std::vector<std::string> fresh;
  {
    MutexLock lock(&mu_);
    last_progress_ = progress;
    if (cutover_lock_ms_) {
      for (ChangeProgress& c : changes)
        if (!c.cutover_lock_ms) c.cutover_lock_ms = cutover_lock_ms_;
    }
    for (const std::string& n : progress.notices)
      if (noticed_.insert(n).second) fresh.push_back(n);
  }
  if (!LeaseLost()) {  // a holder that lost its lease writes nothing more
    for (const std::string& n : fresh) {
      ctx_.logger.Log(LogLevel::kWarn, fields_, n);
      RecordEvent("notice", n);
    }
  }
  Status s = Fenced([&] { return ctx_.store.SaveProgress(lease_, changes); });
  if (LeaseLost()) return ordo::LeaseLost("lease lost");
  if (!s.ok())
    ctx_.logger.Log(LogLevel::kWarn, fields_,
                    "progress not saved: " + db::RedactUrls(s.ToString()));
  return Status::Ok();
}

void HeldOperation::RecordEvent(const std::string& kind, const std::string& message) {
  EventRecord e;
  e.apply_id = apply_id_;
  e.operation_id = lease_.operation_id;
  e.kind = kind;
  e.message = message;
  Status s = ctx_.store.AppendEvent(e);
  if (!s.ok())
    ctx_.logger.Log(LogLevel::kWarn, fields_,
                    kind + " event not recorded: " + db::RedactUrls(s.ToString()));
}

Status HeldOperation::SaveResumeState(const std::string& resume_state_json) {
  Status s = Fenced([&] { return ctx_.store.SaveResumeState(lease_, resume_state_json); });
  if (LeaseLost()) return ordo::LeaseLost("lease lost");
  if (!s.ok())
    ctx_.logger.Log(LogLevel::kWarn, fields_,
                    "checkpoint not saved: " + db::RedactUrls(s.ToString()));
  return Status::Ok();
}

bool HeldOperation::ShouldStop() {
  if (LeaseLost()) return true;
  if (scope_ == StopScope::kLeaseOnly) return false;
  if (ctx_.shutdown) return true;
  ApplyControl c = control();
  return c.stop || c.cancel || c.apply_decided;
}

ApplyControl HeldOperation::control() {
  MutexLock lock(&mu_);
  return control_;
}

Status HeldOperation::RefreshControl() {
  auto ops = ctx_.store.ListOperations(apply_id_);
  if (!ops.ok()) return ops.status();
  auto list = ctx_.store.ListRequests(apply_id_);
  if (!list.ok()) return list.status();
  ApplyControl c = ReadControl(*list);
  auto apply = ctx_.store.GetApply(apply_id_);
  if (!apply.ok()) return apply.status();
  // Decided: the operations' verdict is settled, or the stored state is (retry expiry
  // fails an apply outright).
  c.apply_decided = IsSettled(apply->state) || IsSettled(DeriveApplyState(*ops, c.release).verdict);
  MutexLock lock(&mu_);
  control_ = c;
  return Status::Ok();
}

std::optional<EngineProgress> HeldOperation::last_progress() {
  MutexLock lock(&mu_);
  return last_progress_;
}

void HeldOperation::StartMonitor() {
  if (monitor_) return;
  monitor_stop_ = false;
  monitor_ = ctx_.runtime.Spawn("lease " + lease_.owner, [this] { Monitor(); });
}

void HeldOperation::StopMonitor() {
  if (!monitor_) return;
  monitor_stop_ = true;
  ctx_.bus->Notify();
  monitor_->Join();
  monitor_.reset();
}

void HeldOperation::Monitor() {
  const Micros interval = ctx_.options.HeartbeatInterval();
  const Micros poll = ctx_.options.poll_interval_micros;
  uint64_t seen = ctx_.bus->Generation();
  Micros next_heartbeat = ctx_.Now() + interval;
  Micros next_poll = ctx_.Now() + poll;
  bool woke = false;
  while (!monitor_stop_ && !LeaseLost()) {
    Micros now = ctx_.Now();
    if (now >= next_heartbeat) {
      Status s = Fenced([&] { return ctx_.store.Heartbeat(lease_); });
      if (!s.ok() && !LeaseLost())
        ctx_.logger.Log(LogLevel::kWarn, fields_,
                        "heartbeat failed: " + db::RedactUrls(s.ToString()));
      // A failed heartbeat is retried sooner: the lease has a whole window to live.
      next_heartbeat = now + (s.ok() ? interval : std::max<Micros>(interval / 4, 1));
    }
    if (monitor_stop_ || LeaseLost()) break;
    if (woke || now >= next_poll) {
      Status s = RefreshControl();
      if (!s.ok())
        ctx_.logger.Log(
            LogLevel::kWarn, fields_,
            "apply state and control requests not read: " + db::RedactUrls(s.ToString()));
      next_poll = now + poll;
    }
    Micros wait = std::min(next_heartbeat, next_poll) - ctx_.Now();
    uint64_t gen = ctx_.bus->WaitFor(seen, std::max<Micros>(wait, 1));
    woke = gen != seen;
    seen = gen;
  }
}

}  // namespace ordo::worker

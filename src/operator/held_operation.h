// HeldOperation: one operation lease while a driver or keeper holds it — the
// EngineHost the engine reports to, the lease monitor (heartbeat + control-request
// polling) and the lease-loss rule.
//
// The lease is lost when a fenced write answers LeaseLost (or NotFound), and presumed
// lost when no fenced write started within WorkerOptions::PresumeLostAfter() has
// succeeded (3/4 of the staleness window by default, so the holder stops before the
// row can be judged stale and taken over). From then on ShouldStop() is true, every
// callback fails and the holder writes nothing more, anywhere.
//
// The apply's control requests and whether its rollout is decided (its operations'
// verdict, DerivedApplyState::verdict, is settled) are re-read every poll interval and
// at once on an in-process wake; ShouldStop() answers from that cache, so engines may
// call it at every safe point.
//
// Thread-safety: EngineHost callbacks may come from engine threads; everything here is
// guarded by atomics or mu_.
//
//   HeldOperation held(ctx, claimed, claim_started);
//   held.StartMonitor();
//   engine->Copy();            // reports through `held`
//   held.Fenced([&] { return ctx.store.TransitionOperation(held.lease(), to); });
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/mutex.h"
#include "operator/decisions.h"
#include "operator/worker_context.h"
#include "ordo/engine.h"
#include "ordo/store.h"

namespace ordo::worker {

class HeldOperation final : public EngineHost {
 public:
  // `claim_started`: runtime-clock time just before the claim call (the claim's own
  // heartbeat is the first fenced write).
  HeldOperation(WorkerContext& ctx, const ClaimedOperation& claimed, Micros claim_started);
  ~HeldOperation() override;

  // What ShouldStop() honours. Copy and parked phases stop for a stop or cancel
  // request and for shutdown; a cutover in flight only for a lost lease.
  enum class StopScope { kAll, kLeaseOnly };
  void set_stop_scope(StopScope scope) { scope_ = scope; }

  const Lease& lease() const { return lease_; }
  // Appends an event of this operation to the apply's log (`ordo logs`); a store
  // error is logged, not returned.
  void RecordEvent(const std::string& kind, const std::string& message);
  int64_t apply_id() const { return apply_id_; }
  const LogFields& fields() const { return fields_; }
  void set_apply_external_id(const std::string& id) { fields_.apply = id; }

  // EngineHost. Transient store errors in ReportProgress/SaveResumeState are logged
  // and swallowed (the next report or checkpoint supersedes them; a store that stays
  // away makes the lease presumed lost); a lost lease fails them. Each of the engine's
  // notices is logged and recorded as a `notice` event once per holder.
  Status ReportProgress(const EngineProgress& progress) override;
  // After the swap: the write-block time reports keep when the engine's carry none
  // (progress in the revert window must not erase the cutover's figure).
  void set_cutover_lock_ms(int64_t ms);
  Status SaveResumeState(const std::string& resume_state_json) override;
  bool ShouldStop() override;

  // True once the lease is lost or presumed lost (sticky).
  bool LeaseLost();
  // Runs a fenced store write. LeaseLost or NotFound marks the lease lost. A success
  // extends the lease's life only when the write refreshed the row's heartbeat
  // (`refreshes`): a compare-and-swap of the apply or a "not yet" from BeginCutover
  // proves the token but leaves the row's staleness clock running.
  Status Fenced(const std::function<Status()>& write, bool refreshes = true);
  // Like Fenced() for writes that return a value; `refreshed(value)` says whether
  // this answer refreshed the heartbeat.
  template <typename T>
  Result<T> FencedValue(const std::function<Result<T>()>& write,
                        const std::function<bool(const T&)>& refreshed) {
    if (LeaseLost())
      return ordo::LeaseLost("operation " + std::to_string(lease_.operation_id) + ": lease lost");
    Micros started = ctx_.Now();
    Result<T> r = write();
    NoteResult(r.status(), started, r.ok() && refreshed(*r));
    return r;
  }

  ApplyControl control();
  // Re-reads the apply's operations and control requests now.
  Status RefreshControl();
  // The last progress the engine reported (for the final figures of a change).
  std::optional<EngineProgress> last_progress();

  // Starts / stops the monitor task (heartbeats and request polling).
  void StartMonitor();
  void StopMonitor();

 private:
  void NoteResult(const Status& s, Micros started, bool refreshed);
  void MarkLost(const std::string& why);
  void Monitor();

  WorkerContext& ctx_;
  const Lease lease_;
  const int64_t apply_id_;
  LogFields fields_;
  std::atomic<StopScope> scope_{StopScope::kAll};
  std::atomic<bool> lost_{false};
  std::atomic<Micros> last_ok_started_;
  std::atomic<bool> monitor_stop_{false};
  std::unique_ptr<Task> monitor_;

  Mutex mu_;
  ApplyControl control_ ORDO_GUARDED_BY(mu_);
  std::optional<EngineProgress> last_progress_ ORDO_GUARDED_BY(mu_);
  // Fills reports that carry none (set_cutover_lock_ms).
  std::optional<int64_t> cutover_lock_ms_ ORDO_GUARDED_BY(mu_);
  std::set<std::string> noticed_ ORDO_GUARDED_BY(mu_);  // the engine's notices already recorded
};

}  // namespace ordo::worker

// MeteredStore: a Store that forwards every call to another Store and records what
// a worker's drivers do through it into a MetricsRegistry. The worker talks to the
// store only through ordo::Store, so wrapping the store it is given is enough to
// meter claims, lease losses, copy progress and cutover lock time without touching
// the drivers.
//
// Metrics (names are part of the HTTP API's /metrics):
//   ordo_claims_total{kind="copy|cutover|stop|cleanup",outcome="claimed|none|error"}
//   ordo_claim_duration_seconds{kind}        histogram of the claim transaction
//   ordo_lease_losses_total                  leases the store answered LeaseLost for
//                                            (each lease counted once)
//   ordo_rows_copied_total                   rows copied by this process's drivers
//   ordo_cutover_lock_seconds                histogram of the write-blocked time of
//                                            the cutovers this process performed
//
// Rows and lock times are taken from the progress the drivers save: a change's rows
// count from what the store held when this process claimed the operation, so an
// operation recovered from another worker is not counted twice.
//
// Thread-safety: as the wrapped store; the bookkeeping takes its own lock and never
// holds it across a call into the wrapped store.
//
//   MetricsRegistry metrics;
//   MeteredStore metered(*store, metrics);
//   Worker worker(metered, engines, runtime, logger, options);
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/metrics.h"
#include "core/mutex.h"
#include "ordo/clock.h"
#include "ordo/store.h"

namespace ordo::worker {

class MeteredStore final : public Store {
 public:
  // `clock` measures claim latency (monotonic); null: the system clock.
  MeteredStore(Store& inner, MetricsRegistry& metrics, Clock* clock = nullptr);

  Status Migrate() override { return inner_.Migrate(); }
  Result<int> SchemaVersion() override { return inner_.SchemaVersion(); }
  Result<std::string> StoreId() override { return inner_.StoreId(); }
  Result<Micros> Now() override { return inner_.Now(); }
  std::unique_ptr<TurnSignal> WatchTurns() override { return inner_.WatchTurns(); }

  Result<ApplyRecord> CreateApply(const NewApply& apply) override {
    return inner_.CreateApply(apply);
  }
  Result<ApplyRecord> GetApply(int64_t apply_id) override { return inner_.GetApply(apply_id); }
  Result<ApplyRecord> FindApply(std::string_view external_id) override {
    return inner_.FindApply(external_id);
  }
  Result<std::vector<ApplyRecord>> ListApplies(int limit) override {
    return inner_.ListApplies(limit);
  }
  Result<std::vector<OperationRecord>> ListOperations(int64_t apply_id) override {
    return inner_.ListOperations(apply_id);
  }
  Result<OperationRecord> GetOperation(int64_t operation_id) override {
    return inner_.GetOperation(operation_id);
  }
  Result<std::vector<ChangeRecord>> ListChanges(int64_t operation_id) override {
    return inner_.ListChanges(operation_id);
  }
  Result<std::optional<std::string>> HolderOfDeployments(int64_t apply_id) override {
    return inner_.HolderOfDeployments(apply_id);
  }

  Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCutover(std::string_view owner) override;
  Result<std::optional<StopReconciliation>> ClaimNextStop(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCleanup(std::string_view owner) override;
  Result<bool> BeginCutover(const Lease& lease) override;

  Status Heartbeat(const Lease& lease) override;
  Status TransitionOperation(const Lease& lease, OperationState to,
                             std::optional<std::string> error = std::nullopt) override;
  Status CompleteOwingCleanup(const Lease& lease) override;
  Status Park(const Lease& lease) override;
  Status SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) override;
  Status SaveResumeState(const Lease& lease, std::string_view resume_state_json) override;
  Result<bool> CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                             std::optional<std::string> error = std::nullopt) override;

  Result<RequestAnswer> RequestControl(int64_t apply_id, RequestKind kind,
                                       std::string_view requested_by) override {
    return inner_.RequestControl(apply_id, kind, requested_by);
  }
  Status CompleteRequest(int64_t apply_id, RequestKind kind) override {
    return inner_.CompleteRequest(apply_id, kind);
  }
  Status FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) override {
    return inner_.FailRequest(apply_id, kind, error);
  }
  Result<std::vector<ControlRequestRecord>> ListRequests(int64_t apply_id) override {
    return inner_.ListRequests(apply_id);
  }

  Result<int> ExpireRetries() override { return inner_.ExpireRetries(); }
  Result<int> RederiveUnheldApplies() override { return inner_.RederiveUnheldApplies(); }
  Status AppendEvent(const EventRecord& event) override { return inner_.AppendEvent(event); }
  Result<std::vector<EventRecord>> ListEvents(int64_t apply_id) override {
    return inner_.ListEvents(apply_id);
  }

 private:
  // What this process last knew of one change: rows already counted, and whether
  // its cutover lock time was already observed (by us or before our claim).
  struct ChangeSeen {
    int64_t rows_copied = 0;
    bool lock_observed = false;
  };

  // Records the claim's outcome and latency; on a claimed operation, reads its
  // changes so progress counts only from here.
  void RecordClaim(const char* kind, const Status& status, bool claimed, Micros started_micros);
  void Baseline(const ClaimedOperation& claimed);
  // Counts a LeaseLost answer once per lease token.
  void NoteLeaseAnswer(const Lease& lease, const Status& status);
  void Forget(int64_t operation_id);

  Store& inner_;
  MetricsRegistry& metrics_;
  Clock* clock_;
  Counter& lease_losses_;
  Counter& rows_copied_;
  Histogram& cutover_lock_;

  Mutex mu_;
  std::map<int64_t, ChangeSeen> changes_ ORDO_GUARDED_BY(mu_);  // by change id
  std::map<int64_t, std::set<int64_t>> operation_changes_
      ORDO_GUARDED_BY(mu_);  // operation id → change ids
  std::set<std::string> lost_tokens_ ORDO_GUARDED_BY(mu_);
};

}  // namespace ordo::worker

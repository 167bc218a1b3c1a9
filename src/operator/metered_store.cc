#include "operator/metered_store.h"

#include <vector>

namespace ordo::worker {
namespace {

constexpr const char* kClaimsHelp = "Claims made by this process's drivers, by kind and outcome.";
constexpr const char* kClaimLatencyHelp = "Duration of one claim transaction, by kind.";

}  // namespace

MeteredStore::MeteredStore(Store& inner, MetricsRegistry& metrics, Clock* clock)
    : inner_(inner),
      metrics_(metrics),
      clock_(clock != nullptr ? clock : SystemClock::Default()),
      lease_losses_(metrics.GetCounter(
          "ordo_lease_losses_total",
          "Leases of this process's drivers that the store answered lease-lost for.")),
      rows_copied_(
          metrics.GetCounter("ordo_rows_copied_total", "Rows copied by this process's drivers.")),
      cutover_lock_(metrics.GetHistogram(
          "ordo_cutover_lock_seconds",
          "Time writes were blocked during the cutovers this process performed.",
          LockTimeBuckets())) {
  // Every series exists from the start, so a scrape before the first claim shows zeros.
  for (const char* kind : {"copy", "cutover", "stop"}) {
    for (const char* outcome : {"claimed", "none", "error"})
      metrics_.GetCounter("ordo_claims_total", kClaimsHelp, {{"kind", kind}, {"outcome", outcome}});
    metrics_.GetHistogram("ordo_claim_duration_seconds", kClaimLatencyHelp, LatencyBuckets(),
                          {{"kind", kind}});
  }
}

void MeteredStore::RecordClaim(const char* kind, const Status& status, bool claimed,
                               Micros started_micros) {
  const char* outcome = !status.ok() ? "error" : claimed ? "claimed" : "none";
  metrics_.GetCounter("ordo_claims_total", kClaimsHelp, {{"kind", kind}, {"outcome", outcome}})
      .Increment();
  double seconds = static_cast<double>(clock_->MonotonicMicros() - started_micros) / 1e6;
  metrics_
      .GetHistogram("ordo_claim_duration_seconds", kClaimLatencyHelp, LatencyBuckets(),
                    {{"kind", kind}})
      .Observe(seconds);
}

void MeteredStore::Baseline(const ClaimedOperation& claimed) {
  auto changes = inner_.ListChanges(claimed.operation.id);
  if (!changes.ok()) return;  // progress then counts from zero
  MutexLock lock(&mu_);
  auto& ids = operation_changes_[claimed.operation.id];
  for (const ChangeRecord& c : *changes) {
    changes_[c.id] = ChangeSeen{c.rows_copied, c.cutover_lock_ms.has_value()};
    ids.insert(c.id);
  }
}

void MeteredStore::NoteLeaseAnswer(const Lease& lease, const Status& status) {
  if (!status.Is(StatusCode::kLeaseLost)) return;
  {
    MutexLock lock(&mu_);
    if (!lost_tokens_.insert(lease.token).second) return;
  }
  lease_losses_.Increment();
  Forget(lease.operation_id);
}

void MeteredStore::Forget(int64_t operation_id) {
  MutexLock lock(&mu_);
  auto it = operation_changes_.find(operation_id);
  if (it == operation_changes_.end()) return;
  for (int64_t id : it->second) changes_.erase(id);
  operation_changes_.erase(it);
}

Result<std::optional<ClaimedOperation>> MeteredStore::ClaimNextCopy(std::string_view owner) {
  Micros started = clock_->MonotonicMicros();
  auto r = inner_.ClaimNextCopy(owner);
  RecordClaim("copy", r.status(), r.ok() && r->has_value(), started);
  if (r.ok() && r->has_value()) Baseline(**r);
  return r;
}

Result<std::optional<ClaimedOperation>> MeteredStore::ClaimNextCutover(std::string_view owner) {
  Micros started = clock_->MonotonicMicros();
  auto r = inner_.ClaimNextCutover(owner);
  RecordClaim("cutover", r.status(), r.ok() && r->has_value(), started);
  if (r.ok() && r->has_value()) Baseline(**r);
  return r;
}

Result<std::optional<StopReconciliation>> MeteredStore::ClaimNextStop(std::string_view owner) {
  Micros started = clock_->MonotonicMicros();
  auto r = inner_.ClaimNextStop(owner);
  RecordClaim("stop", r.status(), r.ok() && r->has_value(), started);
  return r;
}

Result<std::optional<ClaimedOperation>> MeteredStore::ClaimNextCleanup(std::string_view owner) {
  Micros started = clock_->MonotonicMicros();
  auto r = inner_.ClaimNextCleanup(owner);
  RecordClaim("cleanup", r.status(), r.ok() && r->has_value(), started);
  if (r.ok() && r->has_value()) Baseline(**r);
  return r;
}

Result<bool> MeteredStore::BeginCutover(const Lease& lease) {
  auto r = inner_.BeginCutover(lease);
  NoteLeaseAnswer(lease, r.status());
  return r;
}

Status MeteredStore::Heartbeat(const Lease& lease) {
  Status s = inner_.Heartbeat(lease);
  NoteLeaseAnswer(lease, s);
  return s;
}

Status MeteredStore::TransitionOperation(const Lease& lease, OperationState to,
                                         std::optional<std::string> error) {
  Status s = inner_.TransitionOperation(lease, to, std::move(error));
  NoteLeaseAnswer(lease, s);
  if (s.ok() && IsTerminal(to)) Forget(lease.operation_id);
  return s;
}

Status MeteredStore::CompleteOwingCleanup(const Lease& lease) {
  Status s = inner_.CompleteOwingCleanup(lease);  // the lease stays held
  NoteLeaseAnswer(lease, s);
  return s;
}

Status MeteredStore::Park(const Lease& lease) {
  Status s = inner_.Park(lease);
  NoteLeaseAnswer(lease, s);
  // Released at the barrier: whoever claims it next (maybe us) baselines again.
  if (s.ok()) Forget(lease.operation_id);
  return s;
}

Status MeteredStore::SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) {
  Status s = inner_.SaveProgress(lease, progress);
  NoteLeaseAnswer(lease, s);
  if (!s.ok()) return s;
  int64_t rows = 0;
  std::vector<double> locks_seconds;
  {
    MutexLock lock(&mu_);
    for (const ChangeProgress& p : progress) {
      ChangeSeen& seen = changes_[p.change_id];
      operation_changes_[lease.operation_id].insert(p.change_id);
      // A copy that starts over (its shadow was gone) reports fewer rows: count again
      // from there rather than going backwards.
      if (p.rows_copied > seen.rows_copied) rows += p.rows_copied - seen.rows_copied;
      seen.rows_copied = p.rows_copied;
      if (p.cutover_lock_ms && !seen.lock_observed) {
        seen.lock_observed = true;
        locks_seconds.push_back(static_cast<double>(*p.cutover_lock_ms) / 1000.0);
      }
    }
  }
  rows_copied_.Increment(static_cast<double>(rows));
  for (double seconds : locks_seconds) cutover_lock_.Observe(seconds);
  return s;
}

Status MeteredStore::SaveResumeState(const Lease& lease, std::string_view resume_state_json) {
  Status s = inner_.SaveResumeState(lease, resume_state_json);
  NoteLeaseAnswer(lease, s);
  return s;
}

Result<bool> MeteredStore::CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                                         std::optional<std::string> error) {
  auto r = inner_.CasApplyState(lease, expected, next, std::move(error));
  NoteLeaseAnswer(lease, r.status());
  return r;
}

}  // namespace ordo::worker

// SqliteStore: stop reconciliation, retry expiry, re-deriving unheld applies and the
// event log.
#include "core/derive.h"
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {

// A pending stop whose apply has nothing in flight: the idle operations (pending,
// failed_retryable, parked without a live holder) become stopped, the apply state is
// re-derived and the stop completes.
Result<std::optional<StopReconciliation>> SqliteStore::ClaimNextStop(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  int64_t apply_id = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(StopCandidatesSql() + " LIMIT 1"));
    BindGateParams(st, now);
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<StopReconciliation>();
    apply_id = st.Int(0);
  }
  ORDO_SYNC_POINT("Store::ClaimStop:AfterSelect");
  ORDO_ASSIGN_OR_RETURN(auto lease, db_->Prepare(
      "UPDATE applies SET lease_owner = :owner, lease_token = :token, lease_acquired_at = :now "
      "WHERE id = :apply"));
  ORDO_RETURN_IF_ERROR(lease.Bind(":owner", owner).Bind(":token", token).Bind(":now", now).Bind(":apply", apply_id).Run());
  StopReconciliation out;
  out.apply_id = apply_id;
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(here_, apply_id));
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeUpdate");
  for (const auto& op : ops) {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "UPDATE apply_operations AS o SET state = 'stopped', lease_owner = NULL, lease_token = "
        "NULL, updated_at = :now WHERE o.id = :id AND " + IdleForStopSql("o")));
    BindGateParams(st, now);
    ORDO_RETURN_IF_ERROR(st.Bind(":id", op.id).Run());
    if (db_->Changes() == 0) continue;
    out.stopped_operation_ids.push_back(op.id);
    ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply_id, op.id, "state_change", std::string(ToString(op.state)),
                                     "stopped", "stop reconciliation by " + owner}));
  }
  ORDO_RETURN_IF_ERROR(RederiveApply(here_, apply_id, "stop reconciliation"));
  ORDO_ASSIGN_OR_RETURN(auto done, db_->Prepare(
      "UPDATE control_requests SET status = 'completed', completed_at = :now, updated_at = :now "
      "WHERE apply_id = :apply AND kind = 'stop' AND status = 'pending'"));
  ORDO_RETURN_IF_ERROR(done.Bind(":now", now).Bind(":apply", apply_id).Run());
  if (db_->Changes() > 0) {
    ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply_id, std::nullopt, "control_request", "pending", "completed",
                                     "stop completed by " + owner + " (" +
                                         std::to_string(out.stopped_operation_ids.size()) +
                                         " operations stopped)"}));
  }
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<StopReconciliation>(std::move(out));
}

Result<int> SqliteStore::ExpireRetries() {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  std::vector<std::pair<int64_t, int>> expired;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(ExpiryCandidatesSql()));
    BindGateParams(st, now);
    while (true) {
      ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      expired.emplace_back(st.Int(0), static_cast<int>(st.Int(1)));
    }
  }
  if (expired.empty()) return 0;
  for (const auto& [apply_id, attempt] : expired) {
    std::string reason =
        attempt >= options_.retry_budget
            ? "retry budget exhausted after " + std::to_string(attempt) + " attempts"
            : "retry window expired: failed more than " +
                  std::to_string(options_.retry_freshness_micros / 1'000'000) + " s ago";
    ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(here_, apply_id));
    for (const auto& op : ops) {
      if (op.state != OperationState::kFailedRetryable) continue;
      // Settled without a driver: a row that ever started may have left shadow tables
      // on its target, and owes their cleanup (the cleanup claim hands it out). Its
      // lease is released: only a cleanup driver's lease holds it from now on.
      ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
          "UPDATE apply_operations SET state = 'failed', error = COALESCE(error, :reason), "
          "completed_at = COALESCE(completed_at, :now), updated_at = :now, cleanup_pending = "
          "(started_at IS NOT NULL), lease_owner = NULL, lease_token = NULL WHERE id = :id AND "
          "state = 'failed_retryable'"));
      ORDO_RETURN_IF_ERROR(st.Bind(":reason", reason).Bind(":now", now).Bind(":id", op.id).Run());
      ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply_id, op.id, "state_change", "failed_retryable", "failed", reason}));
    }
    ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(here_, apply_id));
    std::string error = apply.error ? reason + ": " + *apply.error : reason;
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("UPDATE applies SET error = NULL WHERE id = :id"));
    ORDO_RETURN_IF_ERROR(st.Bind(":id", apply_id).Run());
    ORDO_RETURN_IF_ERROR(WriteApplyState(here_, apply, ApplyState::kFailed, error, "retry expiry"));
  }
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return static_cast<int>(expired.size());
}

// The candidate query first runs outside a write transaction (most ticks find
// nothing and take no write lock); when it finds applies, it runs again under BEGIN
// IMMEDIATE and each apply is re-derived and swapped in that transaction.
Result<int> SqliteStore::RederiveUnheldApplies() {
  std::lock_guard<std::mutex> lock(mu_);
  ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> seen, QueryIds(RederiveCandidatesSql(), NowMicros()));
  if (seen.empty()) return 0;
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> ids, QueryIds(RederiveCandidatesSql(), now));
  int moved = 0;
  for (int64_t apply_id : ids) {
    ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(here_, apply_id));
    ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(here_, apply_id));
    ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(here_, apply_id));
    DerivedApplyState derived = DeriveApplyState(ops, latched);
    if (!RederivesUnheld(apply.state, derived.state)) continue;
    ORDO_RETURN_IF_ERROR(WriteApplyState(here_, apply, derived.state, derived.error,
                                         "re-derived: no live lease on any operation"));
    ++moved;
  }
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return moved;
}

Result<std::vector<int64_t>> SqliteStore::StopCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(StopCandidatesSql(), NowMicros());
}

Result<std::vector<int64_t>> SqliteStore::ExpiryCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(ExpiryCandidatesSql(), NowMicros());
}

Result<std::vector<int64_t>> SqliteStore::RederiveCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(RederiveCandidatesSql(), NowMicros());
}

}  // namespace ordo::sqlite

// SqlStore: what stop reconciliation, retry expiry and the re-derivation of unheld
// applies do to one apply, once a backend's candidate query found it and locked it
// (MariaDB: SKIP LOCKED on the apply row; SQLite: the exclusive writer).
#include "core/derive.h"
#include "ordo/sync_point.h"
#include "store/sql/predicates.h"
#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace ordo::sqlstore {

Result<StopReconciliation> SqlStore::ReconcileStop(Session& s, int64_t apply_id,
                                                   const std::string& owner,
                                                   const std::string& token) {
  ORDO_RETURN_IF_ERROR(
      s.Execute(Sql("UPDATE applies SET lease_owner = ?, lease_token = ?, "
                    "lease_acquired_at = {now} WHERE id = ?"),
                {db::SqlValue::Text(owner), db::SqlValue::Text(token), db::SqlValue::Int(apply_id)})
          .status());
  StopReconciliation out;
  out.apply_id = apply_id;
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(s, apply_id));
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeUpdate");
  const std::string stop_sql = Sql("UPDATE apply_operations AS o SET state = 'stopped', "
                                   "lease_owner = NULL, lease_token = NULL, "
                                   "updated_at = {now} WHERE o.id = ? AND ") +
                               IdleForStop("o", d_.now_minus_micros);
  for (const auto& op : ops) {
    ORDO_ASSIGN_OR_RETURN(
        uint64_t updated,
        s.Execute(stop_sql,
                  {db::SqlValue::Int(op.id), db::SqlValue::Int(options_.lease_staleness_micros)}));
    if (updated == 0) continue;
    out.stopped_operation_ids.push_back(op.id);
    ORDO_RETURN_IF_ERROR(
        WriteEvent(s, {apply_id, op.id, "state_change", std::string(ToString(op.state)), "stopped",
                       "stop reconciliation by " + owner}));
  }
  ORDO_RETURN_IF_ERROR(RederiveApply(s, apply_id, "stop reconciliation"));
  ORDO_ASSIGN_OR_RETURN(
      uint64_t completed,
      s.Execute(Sql("UPDATE control_requests SET status = 'completed', completed_at = {now}, "
                    "updated_at = {now} WHERE apply_id = ? AND kind = 'stop' AND "
                    "status = 'pending'"),
                {db::SqlValue::Int(apply_id)}));
  if (completed > 0) {
    ORDO_RETURN_IF_ERROR(WriteEvent(
        s, {apply_id, std::nullopt, "control_request", "pending", "completed",
            "stop completed by " + owner + " (" + std::to_string(out.stopped_operation_ids.size()) +
                " operations stopped)"}));
  }
  return out;
}

Status SqlStore::ExpireApply(Session& s, int64_t apply_id, int attempt) {
  std::string reason = attempt >= options_.retry_budget
                           ? "retry budget exhausted after " + std::to_string(attempt) + " attempts"
                           : "retry window expired: failed more than " +
                                 std::to_string(options_.retry_freshness_micros / 1'000'000) +
                                 " s ago";
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(s, apply_id));
  for (const auto& op : ops) {
    if (op.state != OperationState::kFailedRetryable) continue;
    // Settled without a driver: a row that ever started may have left shadow tables on
    // its target, and owes their cleanup (the cleanup claim hands it out). Its lease is
    // released: only a cleanup driver's lease holds it from now on.
    ORDO_RETURN_IF_ERROR(
        s.Execute(Sql("UPDATE apply_operations SET state = 'failed', error = COALESCE(error, ?), "
                      "completed_at = COALESCE(completed_at, {now}), updated_at = {now}, "
                      "cleanup_pending = CASE WHEN started_at IS NULL THEN 0 ELSE 1 END, "
                      "lease_owner = NULL, lease_token = NULL WHERE id = ? AND state = "
                      "'failed_retryable'"),
                  {db::SqlValue::Text(reason), db::SqlValue::Int(op.id)})
            .status());
    ORDO_RETURN_IF_ERROR(
        WriteEvent(s, {apply_id, op.id, "state_change", "failed_retryable", "failed", reason}));
  }
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(s, apply_id));
  std::string error = apply.error ? reason + ": " + *apply.error : reason;
  ORDO_RETURN_IF_ERROR(
      s.Execute("UPDATE applies SET error = NULL WHERE id = ?", {db::SqlValue::Int(apply_id)})
          .status());
  return WriteApplyState(s, apply, ApplyState::kFailed, error, "retry expiry");
}

Result<bool> SqlStore::RederiveIfUnheld(Session& s, int64_t apply_id, Micros now) {
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(s, apply_id));
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(s, apply_id));
  ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(s, apply_id));
  for (const auto& op : ops)
    if (op.lease_token.has_value() && op.updated_at >= now - options_.lease_staleness_micros)
      return false;
  DerivedApplyState derived = DeriveApplyState(ops, latched);
  if (!RederivesUnheld(apply.state, derived.state)) return false;
  ORDO_RETURN_IF_ERROR(WriteApplyState(s, apply, derived.state, derived.error,
                                       "re-derived: no live lease on any operation"));
  return true;
}

}  // namespace ordo::sqlstore

// MysqlStore: stop reconciliation, retry expiry, re-deriving unheld applies and the
// event log.
//
// The housekeeping jobs lock the apply row they act on with SKIP LOCKED after a
// re-check, so when several drivers run them in the same tick each apply is handled by
// one of them and the others move on.
#include "core/derive.h"
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"

namespace ordo::mysql {

// A pending stop whose apply has nothing in flight: the idle operations (pending,
// failed_retryable, parked without a live holder) become stopped, the apply state is
// re-derived and the stop completes.
Result<std::optional<StopReconciliation>> MysqlStore::ClaimNextStop(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  const GateParams& g = gate_params_;
  ORDO_ASSIGN_OR_RETURN(SqlRows candidates, conn.Query(g.stop_candidates.sql, g.stop_candidates.params));
  int64_t apply_id = 0;
  for (const auto& row : candidates.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    GateQuery q = g.stop_recheck.With({SqlValue::Int(id)});
    ORDO_ASSIGN_OR_RETURN(SqlRows locked, conn.Query(q.sql, q.params));
    if (locked.rows.empty()) continue;
    apply_id = id;
    break;
  }
  if (apply_id == 0) return std::optional<StopReconciliation>();
  ORDO_SYNC_POINT("Store::ClaimStop:AfterSelect");
  ORDO_RETURN_IF_ERROR(conn.Execute("UPDATE applies SET lease_owner = ?, lease_token = ?, "
                                    "lease_acquired_at = NOW(6) WHERE id = ?",
                                    {SqlValue::Text(owner), SqlValue::Text(token),
                                     SqlValue::Int(apply_id)})
                           .status());
  StopReconciliation out;
  out.apply_id = apply_id;
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(conn, apply_id));
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeUpdate");
  const std::string stop_sql =
      "UPDATE apply_operations o SET o.state = 'stopped', o.lease_owner = NULL, "
      "o.lease_token = NULL, o.updated_at = NOW(6) WHERE " +
      g.idle_for_stop.sql + " AND o.id = ?";
  for (const auto& op : ops) {
    GateQuery q = g.idle_for_stop.With({SqlValue::Int(op.id)});
    ORDO_ASSIGN_OR_RETURN(uint64_t updated, conn.Execute(stop_sql, q.params));
    if (updated == 0) continue;
    out.stopped_operation_ids.push_back(op.id);
    ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, op.id, "state_change",
                                           std::string(ToString(op.state)), "stopped",
                                           "stop reconciliation by " + owner}));
  }
  ORDO_RETURN_IF_ERROR(RederiveApply(conn, apply_id, "stop reconciliation"));
  ORDO_ASSIGN_OR_RETURN(
      uint64_t completed,
      conn.Execute("UPDATE control_requests SET status = 'completed', completed_at = NOW(6), "
                   "updated_at = NOW(6) WHERE apply_id = ? AND kind = 'stop' AND "
                   "status = 'pending'",
                   {SqlValue::Int(apply_id)}));
  if (completed > 0) {
    ORDO_RETURN_IF_ERROR(WriteEvent(
        conn, {apply_id, std::nullopt, "control_request", "pending", "completed",
               "stop completed by " + owner + " (" +
                   std::to_string(out.stopped_operation_ids.size()) + " operations stopped)"}));
  }
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<StopReconciliation>(std::move(out));
}

Result<int> MysqlStore::ExpireRetries() {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  const GateParams& g = gate_params_;
  ORDO_ASSIGN_OR_RETURN(SqlRows candidates,
                        conn.Query(g.expiry_candidates.sql, g.expiry_candidates.params));
  if (candidates.rows.empty()) return 0;
  int expired = 0;
  for (const auto& row : candidates.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t apply_id, CellInt(row, 0));
    GateQuery q = g.expiry_recheck.With({SqlValue::Int(apply_id)});
    ORDO_ASSIGN_OR_RETURN(SqlRows locked, conn.Query(q.sql, q.params));
    if (locked.rows.empty()) continue;  // redispatched meanwhile, or another driver has it
    ORDO_ASSIGN_OR_RETURN(int64_t attempt, CellInt(locked.rows[0], 1));
    std::string reason =
        attempt >= options_.retry_budget
            ? "retry budget exhausted after " + std::to_string(attempt) + " attempts"
            : "retry window expired: failed more than " +
                  std::to_string(options_.retry_freshness_micros / 1'000'000) + " s ago";
    ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(conn, apply_id));
    for (const auto& op : ops) {
      if (op.state != OperationState::kFailedRetryable) continue;
      // Settled without a driver: a row that ever started may have left shadow tables
      // on its target, and owes their cleanup (the cleanup claim hands it out). Its
      // lease is released: only a cleanup driver's lease holds it from now on.
      ORDO_RETURN_IF_ERROR(
          conn.Execute("UPDATE apply_operations SET state = 'failed', error = COALESCE(error, ?), "
                       "completed_at = COALESCE(completed_at, NOW(6)), updated_at = NOW(6), "
                       "cleanup_pending = (started_at IS NOT NULL), lease_owner = NULL, "
                       "lease_token = NULL "
                       "WHERE id = ? AND state = 'failed_retryable'",
                       {SqlValue::Text(reason), SqlValue::Int(op.id)})
              .status());
      ORDO_RETURN_IF_ERROR(WriteEvent(
          conn, {apply_id, op.id, "state_change", "failed_retryable", "failed", reason}));
    }
    ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, apply_id));
    std::string error = apply.error ? reason + ": " + *apply.error : reason;
    ORDO_RETURN_IF_ERROR(
        conn.Execute("UPDATE applies SET error = NULL WHERE id = ?", {SqlValue::Int(apply_id)})
            .status());
    ORDO_RETURN_IF_ERROR(WriteApplyState(conn, apply, ApplyState::kFailed, error, "retry expiry"));
    ++expired;
  }
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return expired;
}

// Each candidate in its own transaction: the apply row is locked (SKIP LOCKED: a
// driver's swap or another driver's re-derivation has it), then its operations are
// read as committed, and the decision of the candidate query is taken again in C++
// against the database clock before the swap. Only the apply row is locked, so this
// cannot deadlock with a swap (operation row, then apply row).
Result<int> MysqlStore::RederiveUnheldApplies() {
  ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> ids, QueryIds(gate_params_.rederive_candidates));
  int moved = 0;
  for (int64_t apply_id : ids) {
    ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
    Transaction& conn = txn;
    ORDO_ASSIGN_OR_RETURN(
        SqlRows locked,
        conn.Query("SELECT NOW(6) FROM applies WHERE id = ? FOR UPDATE SKIP LOCKED",
                   {SqlValue::Int(apply_id)}));
    if (locked.rows.empty() || !locked.rows[0][0]) continue;
    ORDO_ASSIGN_OR_RETURN(Micros now, ParseDatetime(*locked.rows[0][0]));
    ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, apply_id));
    ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(conn, apply_id));
    ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(conn, apply_id));
    bool held = false;
    for (const auto& op : ops)
      held = held || (op.lease_token.has_value() &&
                      op.updated_at >= now - options_.lease_staleness_micros);
    DerivedApplyState derived = DeriveApplyState(ops, latched);
    if (held || !RederivesUnheld(apply.state, derived.state)) continue;
    ORDO_RETURN_IF_ERROR(WriteApplyState(conn, apply, derived.state, derived.error,
                                         "re-derived: no live lease on any operation"));
    ORDO_RETURN_IF_ERROR(txn.Commit());
    ++moved;
  }
  return moved;
}

Result<std::vector<int64_t>> MysqlStore::StopCandidates() {
  return QueryIds(gate_params_.stop_candidates);
}

Result<std::vector<int64_t>> MysqlStore::ExpiryCandidates() {
  return QueryIds(gate_params_.expiry_candidates);
}

Result<std::vector<int64_t>> MysqlStore::RederiveCandidates() {
  return QueryIds(gate_params_.rederive_candidates);
}

}  // namespace ordo::mysql

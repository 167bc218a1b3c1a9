// MysqlStore: stop reconciliation, retry expiry, re-deriving unheld applies and the
// event log.
//
// The housekeeping jobs lock the apply row they act on with SKIP LOCKED after a
// re-check, so when several drivers run them in the same tick each apply is handled by
// one of them and the others move on.
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
  ORDO_ASSIGN_OR_RETURN(StopReconciliation out, ReconcileStop(conn, apply_id, owner, token));
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
    ORDO_RETURN_IF_ERROR(ExpireApply(conn, apply_id, static_cast<int>(attempt)));
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
    ORDO_ASSIGN_OR_RETURN(bool moved_one, RederiveIfUnheld(conn, apply_id, now));
    if (!moved_one) continue;
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

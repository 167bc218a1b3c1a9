// MysqlStore: the cutover claim (model.md arms 1–2) and begin_cutover for a live
// holder of a parked row. Same transaction shape as the copy claim.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"

namespace ordo::mysql {
namespace {

// The manual cutover request is served once nothing of the apply can still park.
constexpr const char* kCompleteServedCutoverSql =
    "UPDATE control_requests SET status = 'completed', updated_at = NOW(6), "
    "completed_at = NOW(6) WHERE apply_id = ? AND kind = 'cutover' AND status = 'pending' "
    "AND NOT EXISTS (SELECT 1 FROM apply_operations o WHERE o.apply_id = ? AND o.state IN "
    "('pending','running','resuming','waiting_for_cutover','failed_retryable','stopped'))";

}  // namespace

Result<std::optional<ClaimedOperation>> MysqlStore::ClaimNextCutover(
    std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  ORDO_ASSIGN_OR_RETURN(auto locked, LockFirstCandidate(conn, gate_params_.cutover));
  if (!locked) return std::optional<ClaimedOperation>();
  const OperationRecord& before = locked->operation;
  SqlValue now = SqlValue::Text(locked->now);
  bool start_parked = before.state == OperationState::kWaitingForCutover;
  ORDO_SYNC_POINT("Store::ClaimCutover:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeUpdate");
  const GateQuery& stale = gate_params_.stale;
  std::vector<SqlValue> params = {SqlValue::Text(owner), SqlValue::Text(token), now, now};
  std::string sql;
  if (start_parked) {
    sql = "UPDATE apply_operations SET state = 'cutting_over', cutover_started_at = "
          "COALESCE(cutover_started_at, ?), lease_owner = ?, lease_token = ?, "
          "lease_acquired_at = ?, updated_at = ? WHERE id = ? AND state = "
          "'waiting_for_cutover' AND (lease_token IS NULL OR " +
          stale.sql + ") AND NOT " +
          GateParams::RequestExists("apply_operations.apply_id", "stop");
    params.insert(params.begin(), now);
    params.push_back(SqlValue::Int(before.id));
  } else {
    sql = "UPDATE apply_operations SET lease_owner = ?, lease_token = ?, lease_acquired_at = ?, "
          "updated_at = ? WHERE id = ? AND state = ? AND " +
          stale.sql;
    params.push_back(SqlValue::Int(before.id));
    params.push_back(SqlValue::Text(std::string(ToString(before.state))));
  }
  params.insert(params.end(), stale.params.begin(), stale.params.end());
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, conn.Execute(sql, params));
  if (updated == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCutover:AfterUpdate");
  if (start_parked) {
    ORDO_RETURN_IF_ERROR(conn.Execute(kCompleteServedCutoverSql,
                                      {SqlValue::Int(before.apply_id),
                                       SqlValue::Int(before.apply_id)})
                             .status());
  }
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(
      ClaimedOperation claimed,
      CommitClaim(txn, *locked, start_parked ? OperationState::kCuttingOver : before.state, owner,
                  token, start_parked ? "start parked cutover" : "recover cutover"));
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<bool> MysqlStore::BeginCutover(const Lease& lease) {
  if (lease.owner.empty() || lease.token.empty()) return LeaseLost("begin_cutover: empty lease");
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  auto leased = LockLeased(conn, lease);
  if (!leased.ok()) {
    if (leased.status().Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn.Commit());
    return leased.status();
  }
  const OperationRecord& op = *leased;
  if (op.state == OperationState::kCuttingOver) return true;  // already begun: idempotent
  if (op.state != OperationState::kWaitingForCutover)
    return FailedPrecondition("begin_cutover: operation is " + std::string(ToString(op.state)) +
                              ", not waiting_for_cutover");
  ORDO_SYNC_POINT("Store::BeginCutover:BeforeUpdate");
  // The gates are repeated in the UPDATE so that a stop committed after the row was
  // locked still wins.
  ORDO_ASSIGN_OR_RETURN(uint64_t updated,
                        conn.Execute(gate_params_.begin_cutover.sql,
                                     {SqlValue::Int(lease.operation_id), SqlValue::Text(lease.token)}));
  if (updated == 0) return false;  // not yet; nothing changed
  ORDO_RETURN_IF_ERROR(
      conn.Execute(kCompleteServedCutoverSql, {SqlValue::Int(op.apply_id), SqlValue::Int(op.apply_id)})
          .status());
  ORDO_RETURN_IF_ERROR(WriteEvent(conn, {op.apply_id, op.id, "state_change", "waiting_for_cutover",
                                         "cutting_over",
                                         "begin_cutover by " + lease.owner + " token=" + lease.token}));
  ORDO_SYNC_POINT("Store::BeginCutover:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return true;
}

Result<std::vector<int64_t>> MysqlStore::CutoverCandidates() {
  return QueryIds(gate_params_.cutover.all);
}

}  // namespace ordo::mysql

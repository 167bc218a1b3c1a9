// MysqlStore: the cutover claim (model.md arms 1–2). Same transaction shape as the
// copy claim. (begin_cutover for a live holder of a parked row is the store core's.)
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"
#include "store/sql/predicates.h"

namespace ordo::mysql {

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
    ORDO_RETURN_IF_ERROR(conn.Execute(Sql(sqlstore::CompleteServedCutoverSql()),
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

Result<std::vector<int64_t>> MysqlStore::CutoverCandidates() {
  return QueryIds(gate_params_.cutover.all);
}

}  // namespace ordo::mysql

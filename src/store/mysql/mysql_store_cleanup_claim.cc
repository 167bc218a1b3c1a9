// MysqlStore: the cleanup claim — rows of a settled or cancelled apply that no other
// gate hands out again, and rows failed by retry expiry whose target cleanup is owed,
// leased with their state unchanged so a driver can cancel (or clean up) them.
//
// One READ COMMITTED transaction: a non-locking query lists the first candidates in
// (created_at, id) order, then each is locked by primary key with FOR UPDATE SKIP
// LOCKED repeating the whole gate against the newest committed row (as stop
// reconciliation does); the first one locked gets the lease. The claim is rare (a
// cancel, a halted or expired rollout), so it needs no ordered index walk.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"

namespace ordo::mysql {

Result<std::optional<ClaimedOperation>> MysqlStore::ClaimNextCleanup(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  const GateParams& g = gate_params_;
  ORDO_ASSIGN_OR_RETURN(
      SqlRows candidates,
      conn.Query(g.cleanup_candidates.sql + " LIMIT " + std::to_string(kClaimBatch),
                 g.cleanup_candidates.params));
  std::optional<Locked> locked;
  for (const auto& row : candidates.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    GateQuery q = g.cleanup_lock.With({SqlValue::Int(id)});
    ORDO_ASSIGN_OR_RETURN(SqlRows got, conn.Query(q.sql, q.params));
    if (got.rows.empty()) continue;  // changed meanwhile, or another claim holds it
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(MysqlDialect(), got.rows[0], 1));
    locked = Locked{std::move(op), got.rows[0][0].value_or("")};
    break;
  }
  if (!locked) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCleanup:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCleanup:BeforeUpdate");
  // The row is locked and passed the gate: the lease alone changes.
  SqlValue now = SqlValue::Text(locked->now);
  ORDO_ASSIGN_OR_RETURN(
      uint64_t updated,
      conn.Execute("UPDATE apply_operations SET lease_owner = ?, lease_token = ?, "
                   "lease_acquired_at = ?, updated_at = ? WHERE id = ?",
                   {SqlValue::Text(owner), SqlValue::Text(token), now, now,
                    SqlValue::Int(locked->operation.id)}));
  if (updated == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCleanup:AfterUpdate");
  ORDO_SYNC_POINT("Store::ClaimCleanup:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed,
                        CommitClaim(txn, *locked, locked->operation.state, owner, token, "cleanup"));
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<std::vector<int64_t>> MysqlStore::CleanupCandidates() {
  return QueryIds(gate_params_.cleanup_candidates);
}

}  // namespace ordo::mysql

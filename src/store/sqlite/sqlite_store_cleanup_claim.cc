// SqliteStore: the cleanup claim — rows of a settled or cancelled apply that no other
// gate hands out again, and rows failed by retry expiry whose target cleanup is owed,
// leased with their state unchanged so a driver can cancel (or clean up) them.
//
// One BEGIN IMMEDIATE transaction: the candidate query (sqlite_gates.cc) picks the
// first row in (created_at, id) order, then a guarded UPDATE by primary key takes the
// lease only if the row is still in that state and still owes its cleanup or is held
// by no live lease.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {

Result<std::optional<ClaimedOperation>> SqliteStore::ClaimNextCleanup(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  int64_t id = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(CleanupCandidatesSql() + " LIMIT 1"));
    BindGateParams(st, now);
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<ClaimedOperation>();
    id = st.Int(0);
  }
  ORDO_SYNC_POINT("Store::ClaimCleanup:AfterSelect");
  ORDO_ASSIGN_OR_RETURN(OperationRecord before, ReadOperation(here_, id));
  ORDO_SYNC_POINT("Store::ClaimCleanup:BeforeUpdate");
  ORDO_ASSIGN_OR_RETURN(auto up, db_->Prepare(
      "UPDATE apply_operations SET lease_owner = :owner, lease_token = :token, "
      "lease_acquired_at = :now, updated_at = :now WHERE id = :id AND state = :seen AND (" +
      CleanupOwedSql("apply_operations") + " OR " + CleanupUnheldSql("apply_operations") + ")"));
  BindGateParams(up, now);
  ORDO_RETURN_IF_ERROR(up.Bind(":id", id)
                           .Bind(":owner", owner)
                           .Bind(":token", token)
                           .Bind(":seen", ToString(before.state))
                           .Run());
  if (db_->Changes() == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCleanup:AfterUpdate");
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed,
                        FinishClaim(id, before, owner, token, "cleanup"));
  ORDO_SYNC_POINT("Store::ClaimCleanup:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<std::vector<int64_t>> SqliteStore::CleanupCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(CleanupCandidatesSql(), NowMicros());
}

}  // namespace ordo::sqlite

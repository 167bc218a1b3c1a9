// SqliteStore: the cutover claim (model.md arms 1–2). (begin_cutover for a live
// holder of a parked row is the store core's.)
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sql/predicates.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {
Result<std::optional<ClaimedOperation>> SqliteStore::ClaimNextCutover(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  int64_t id = 0;
  char arm = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(CutoverCandidatesSql() + " LIMIT 1"));
    BindGateParams(st, now);
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<ClaimedOperation>();
    id = st.Int(0);
    arm = st.Text(1)[0];
  }
  ORDO_SYNC_POINT("Store::ClaimCutover:AfterSelect");
  ORDO_ASSIGN_OR_RETURN(OperationRecord before, ReadOperation(here_, id));
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeUpdate");
  std::string lease =
      "lease_owner = :owner, lease_token = :token, lease_acquired_at = :now, updated_at = :now";
  std::string sql =
      arm == '1'
          ? "UPDATE apply_operations SET state = 'cutting_over', cutover_started_at = "
            "COALESCE(cutover_started_at, :now), " + lease +
                " WHERE id = :id AND state = 'waiting_for_cutover' AND (lease_token IS NULL OR "
                "updated_at < :stale_before) AND NOT " +
                RequestExistsSql("apply_operations.apply_id", "stop")
          : "UPDATE apply_operations SET " + lease +
                " WHERE id = :id AND state = :seen AND updated_at < :stale_before";
  ORDO_ASSIGN_OR_RETURN(auto up, db_->Prepare(sql));
  BindGateParams(up, now);
  ORDO_RETURN_IF_ERROR(up.Bind(":id", id).Bind(":owner", owner).Bind(":token", token).Bind(":seen", ToString(before.state)).Run());
  if (db_->Changes() == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCutover:AfterUpdate");
  if (arm == '1') {
    ORDO_RETURN_IF_ERROR(here_.Execute(Sql(sqlstore::CompleteServedCutoverSql()),
                                       {SqlValue::Int(before.apply_id), SqlValue::Int(before.apply_id)})
                             .status());
  }
  ORDO_ASSIGN_OR_RETURN(
      ClaimedOperation claimed,
      FinishClaim(id, before, owner, token, arm == '1' ? "start parked cutover" : "recover cutover"));
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<std::vector<int64_t>> SqliteStore::CutoverCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(CutoverCandidatesSql(), NowMicros());
}

}  // namespace ordo::sqlite

// SqliteStore: the cutover claim (model.md arms 1–2) and begin_cutover for a live
// holder of a parked row.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {
namespace {

// The manual cutover request is served once nothing of the apply can still park.
const char* const kCompleteServedCutoverSql =
    "UPDATE control_requests SET status = 'completed', updated_at = :now, completed_at = :now "
    "WHERE apply_id = :apply AND kind = 'cutover' AND status = 'pending' AND NOT EXISTS "
    "(SELECT 1 FROM apply_operations o WHERE o.apply_id = :apply AND o.state IN "
    "('pending','running','resuming','waiting_for_cutover','failed_retryable','stopped'))";

}  // namespace

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
    ORDO_ASSIGN_OR_RETURN(auto done, db_->Prepare(kCompleteServedCutoverSql));
    ORDO_RETURN_IF_ERROR(done.Bind(":now", now).Bind(":apply", before.apply_id).Run());
  }
  ORDO_ASSIGN_OR_RETURN(
      ClaimedOperation claimed,
      FinishClaim(id, before, owner, token, arm == '1' ? "start parked cutover" : "recover cutover"));
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<bool> SqliteStore::BeginCutover(const Lease& lease) {
  if (lease.owner.empty() || lease.token.empty()) return LeaseLost("begin_cutover: empty lease");
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  Result<OperationRecord> leased = LockLeased(here_, lease);
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
  std::string blocks = "e.state <> 'completed' AND NOT (e.state = 'failed' AND (o.on_failure = "
                       "'continue' OR (o.on_failure = 'pause' AND " +
                       RequestExistsSql("o.apply_id", "release", "'pending','completed'") + ")))";
  ORDO_ASSIGN_OR_RETURN(auto up, db_->Prepare(
      "UPDATE apply_operations AS o SET state = 'cutting_over', cutover_started_at = "
      "COALESCE(cutover_started_at, :now), updated_at = :now WHERE o.id = :id AND o.lease_token = "
      ":token AND o.state = 'waiting_for_cutover' AND NOT " +
      RequestExistsSql("o.apply_id", "stop") +
      " AND ((SELECT defer_cutover FROM applies WHERE id = o.apply_id) = 0 OR " +
      RequestExistsSql("o.apply_id", "cutover") +
      ") AND NOT EXISTS (SELECT 1 FROM apply_operations e WHERE e.apply_id = o.apply_id AND "
      "e.id < o.id AND " + blocks + ")"));
  ORDO_RETURN_IF_ERROR(up.Bind(":now", now).Bind(":id", lease.operation_id).Bind(":token", lease.token).Run());
  if (db_->Changes() == 0) return false;  // not yet; nothing changed
  ORDO_ASSIGN_OR_RETURN(auto done, db_->Prepare(kCompleteServedCutoverSql));
  ORDO_RETURN_IF_ERROR(done.Bind(":now", now).Bind(":apply", op.apply_id).Run());
  ORDO_RETURN_IF_ERROR(WriteEvent(here_, {op.apply_id, op.id, "state_change", "waiting_for_cutover", "cutting_over",
                                   "begin_cutover by " + lease.owner + " token=" + lease.token}));
  ORDO_SYNC_POINT("Store::BeginCutover:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return true;
}

Result<std::vector<int64_t>> SqliteStore::CutoverCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(CutoverCandidatesSql(), NowMicros());
}

}  // namespace ordo::sqlite

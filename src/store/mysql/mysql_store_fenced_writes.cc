// MysqlStore: writes fenced by a lease token (heartbeat, transitions, park, progress,
// resume state) and the derived apply-state compare-and-swap.
//
// Every write is "UPDATE … WHERE id = ? AND lease_token = ?". An UPDATE locks the row
// it examines, so a write from a displaced driver issued while a steal is uncommitted
// waits for the steal, then matches nothing. On zero rows, FenceFailure re-reads: the
// row still carries the token → idempotent ok; the row is gone → NotFound; otherwise
// LeaseLost, and only a lease_lost event is written (and committed).
#include "ordo/sync_point.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"
#include "store/park_guard.h"
#include "store/values.h"

namespace ordo::mysql {
namespace {

Status EmptyLease(const Lease& lease) {
  if (lease.owner.empty() || lease.token.empty())
    return LeaseLost("operation " + std::to_string(lease.operation_id) + ": empty lease");
  return Status::Ok();
}

SqlValue OptText(const std::optional<std::string>& v) {
  return v ? SqlValue::Text(*v) : SqlValue::Null();
}

SqlValue OptInt(const std::optional<int64_t>& v) {
  return v ? SqlValue::Int(*v) : SqlValue::Null();
}

// Commits what a failed fence wrote (the lease_lost event) and returns its verdict;
// an ok verdict (the row still carries the token: an idempotent repeat) commits too.
Status CommitVerdict(Transaction& txn, Status verdict) {
  if (verdict.ok() || verdict.Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn.Commit());
  return verdict;
}

}  // namespace

Status MysqlStore::FencedUpdate(MysqlConnection& conn, const Lease& lease, std::string_view sql,
                                std::vector<SqlValue> params) {
  params.push_back(SqlValue::Int(lease.operation_id));
  params.push_back(SqlValue::Text(lease.token));
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, conn.Execute(sql, params));
  if (updated != 0) return Status::Ok();
  return FenceFailure(conn, lease);
}

Status MysqlStore::Heartbeat(const Lease& lease) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  // The locking read waits for an uncommitted steal (and reports the wait).
  auto leased = LockLeased(txn.conn(), lease);
  if (!leased.ok()) return CommitVerdict(txn, leased.status());
  ORDO_RETURN_IF_ERROR(FencedUpdate(
      txn.conn(), lease,
      "UPDATE apply_operations SET updated_at = NOW(6) WHERE id = ? AND lease_token = ?", {}));
  return txn.Commit();
}

Status MysqlStore::TransitionOperation(const Lease& lease, OperationState to,
                                       std::optional<std::string> error) {
  return Transition(lease, to, std::move(error), /*owe_cleanup=*/false);
}

Status MysqlStore::CompleteOwingCleanup(const Lease& lease) {
  return Transition(lease, OperationState::kCompleted, std::nullopt, /*owe_cleanup=*/true);
}

Status MysqlStore::Transition(const Lease& lease, OperationState to, std::optional<std::string> error,
                              bool owe_cleanup) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  MysqlConnection& conn = txn.conn();
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  auto leased = LockLeased(conn, lease);
  if (!leased.ok()) return CommitVerdict(txn, leased.status());
  const OperationRecord& before = *leased;
  if (owe_cleanup) {
    // The row is locked: its state cannot change before the UPDATE.
    ORDO_ASSIGN_OR_RETURN(bool write, CompleteOwingGuard(before.id, before.state));
    if (!write) return txn.Commit();
  }
  using S = OperationState;
  bool cutover_done =
      to == S::kRevertWindow || (to == S::kCompleted && before.state == S::kCuttingOver);
  ORDO_RETURN_IF_ERROR(FencedUpdate(
      conn, lease,
      "UPDATE apply_operations SET state = ?, error = IF(?, NULL, COALESCE(?, error)), updated_at = NOW(6), "
      "started_at = IF(?, COALESCE(started_at, NOW(6)), started_at), "
      "cutover_started_at = IF(?, COALESCE(cutover_started_at, NOW(6)), cutover_started_at), "
      "cutover_completed_at = IF(?, COALESCE(cutover_completed_at, NOW(6)), "
      "cutover_completed_at), "
      "completed_at = IF(?, COALESCE(completed_at, NOW(6)), completed_at), "
      "cleanup_pending = IF(?, 1, IF(?, 0, cleanup_pending)), "
      "lease_owner = IF(?, NULL, lease_owner), lease_token = IF(?, NULL, lease_token) "
      "WHERE id = ? AND lease_token = ?",
      {SqlValue::Text(std::string(ToString(to))), SqlValue::Int(TransitionClearsError(to, error)), OptText(error),
       SqlValue::Int(to == S::kRunning),
       SqlValue::Int(to == S::kCuttingOver), SqlValue::Int(cutover_done),
       SqlValue::Int(IsSettled(to)), SqlValue::Int(owe_cleanup), SqlValue::Int(IsSettled(to)),
       SqlValue::Int(to == S::kStopped), SqlValue::Int(to == S::kStopped)}));
  if (before.state != to) {
    ORDO_RETURN_IF_ERROR(WriteEvent(conn, {before.apply_id, before.id, "state_change",
                                           std::string(ToString(before.state)),
                                           std::string(ToString(to)),
                                           "by " + lease.owner + " token=" + lease.token +
                                               (error ? ": " + *error : "")}));
  }
  // A stopped row holds no lease; its apply moves in the same transaction, since its
  // driver's own swap no longer can (lock order: the operation row, then the apply).
  if (to == S::kStopped)
    ORDO_RETURN_IF_ERROR(RederiveApply(conn, before.apply_id, "stopped by " + lease.owner));
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeCommit");
  return txn.Commit();
}

Status MysqlStore::Park(const Lease& lease) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  MysqlConnection& conn = txn.conn();
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  auto leased = LockLeased(conn, lease);
  if (!leased.ok()) return CommitVerdict(txn, leased.status());
  const OperationRecord& before = *leased;
  // The row is locked: its state cannot change before the UPDATE. Nothing is written.
  ORDO_RETURN_IF_ERROR(ParkGuard(before.id, before.state));
  ORDO_RETURN_IF_ERROR(FencedUpdate(
      conn, lease,
      "UPDATE apply_operations SET state = 'waiting_for_cutover', lease_owner = NULL, "
      "lease_token = NULL, updated_at = NOW(6) WHERE id = ? AND lease_token = ?",
      {}));
  ORDO_RETURN_IF_ERROR(WriteEvent(
      conn, {before.apply_id, before.id, "parked", std::string(ToString(before.state)),
             "waiting_for_cutover",
             "released at the barrier by " + lease.owner + " token=" + lease.token}));
  return txn.Commit();
}

Status MysqlStore::SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  MysqlConnection& conn = txn.conn();
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  auto leased = LockLeased(conn, lease);
  if (!leased.ok()) return CommitVerdict(txn, leased.status());
  // The heartbeat doubles as the fence for the change rows written below.
  ORDO_RETURN_IF_ERROR(FencedUpdate(
      conn, lease,
      "UPDATE apply_operations SET updated_at = NOW(6) WHERE id = ? AND lease_token = ?", {}));
  for (const auto& p : progress) {
    ORDO_ASSIGN_OR_RETURN(
        uint64_t updated,
        conn.Execute(
            "UPDATE apply_changes SET state = ?, rows_copied = ?, rows_total = ?, progress = ?, "
            "eta_seconds = ?, instant = ?, cutover_lock_ms = ?, error = ?, updated_at = NOW(6) "
            "WHERE id = ? AND operation_id = ?",
            {SqlValue::Text(p.state), SqlValue::Int(p.rows_copied), SqlValue::Int(p.rows_total),
             SqlValue::Double(p.percent), OptInt(p.eta_seconds), SqlValue::Int(p.instant),
             OptInt(p.cutover_lock_ms), OptText(p.error), SqlValue::Int(p.change_id),
             SqlValue::Int(lease.operation_id)}));
    // CLIENT_FOUND_ROWS: a row rewritten with identical values still counts.
    if (updated == 0)
      return NotFound("change " + std::to_string(p.change_id) + " is not part of operation " +
                      std::to_string(lease.operation_id));
  }
  return txn.Commit();
}

Status MysqlStore::SaveResumeState(const Lease& lease, std::string_view resume_state_json) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  auto leased = LockLeased(txn.conn(), lease);
  if (!leased.ok()) return CommitVerdict(txn, leased.status());
  ORDO_RETURN_IF_ERROR(FencedUpdate(
      txn.conn(), lease,
      "UPDATE apply_operations SET resume_state = ?, updated_at = NOW(6) WHERE id = ? AND "
      "lease_token = ?",
      {SqlValue::Text(std::string(resume_state_json))}));
  return txn.Commit();
}

Result<bool> MysqlStore::CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                                       std::optional<std::string> error) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  MysqlConnection& conn = txn.conn();
  // Lock order everywhere: the operation row, then its apply row.
  auto leased = LockLeased(conn, lease);
  if (!leased.ok()) return CommitVerdict(txn, leased.status());
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, leased->apply_id, /*for_update=*/true));
  if (apply.state != expected) return false;
  if (expected == next) {
    // Already there; only a new error is written (a later deployment failed while the
    // apply stays in an earlier one's revert window).
    if (!error || error == apply.error) return true;
    ORDO_RETURN_IF_ERROR(conn.Execute("UPDATE applies SET error = ? WHERE id = ?",
                                      {SqlValue::Text(*error), SqlValue::Int(apply.id)})
                             .status());
    ORDO_RETURN_IF_ERROR(txn.Commit());
    return true;
  }
  ORDO_RETURN_IF_ERROR(WriteApplyState(conn, apply, next, error, "cas by " + lease.owner));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return true;
}

}  // namespace ordo::mysql

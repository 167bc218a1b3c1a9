// MysqlStore: control requests. One reusable row per (apply, kind); the answer is
// "accepted", "already requested" (one is pending) or "refused: why" (it cannot apply
// in the apply's current state). Refusals are recorded as a failed request with the
// reason, so `status` shows them.
//
// Each request locks its apply row first, so two requests for one apply are decided
// one after the other (the SQLite backend gets this from its single writer). Deciding
// never locks operation rows other than the stopped ones a start moves back to
// pending, so a stop can commit while a claim holds its row (scenario 33). An accepted
// start also locks the (database, environment) scope before it looks for another
// apply holding its deployments, as CreateApply does.
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"
#include "store/record_request.h"

namespace ordo::mysql {
namespace {

SqlValue KindValue(RequestKind kind) { return SqlValue::Text(std::string(ToString(kind))); }

}  // namespace

Status MysqlStore::UpsertRequest(sqlstore::Session& conn, int64_t apply_id, RequestKind kind,
                                 RequestStatus status, std::string_view requested_by,
                                 const std::optional<std::string>& error) {
  return conn
      .Execute(
          "INSERT INTO control_requests (apply_id, kind, status, requested_by, error, "
          "created_at, updated_at, completed_at) VALUES (?, ?, ?, ?, ?, NOW(6), NOW(6), NULL) "
          "ON DUPLICATE KEY UPDATE status = VALUES(status), requested_by = VALUES(requested_by), "
          "error = VALUES(error), created_at = VALUES(created_at), "
          "updated_at = VALUES(updated_at), completed_at = NULL",
          {SqlValue::Int(apply_id), KindValue(kind),
           SqlValue::Text(std::string(ToString(status))),
           SqlValue::Text(std::string(requested_by)),
           error ? SqlValue::Text(*error) : SqlValue::Null()})
      .status();
}

// Decided and recorded by RecordRequest (store/record_request.h) over the rows as
// committed once the apply row is locked, with this backend's statements.
Result<RequestAnswer> MysqlStore::RequestControl(int64_t apply_id, RequestKind kind,
                                                 std::string_view requested_by) {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  RequestFacts facts;
  ORDO_ASSIGN_OR_RETURN(facts.apply, ReadApply(conn, apply_id, /*for_update=*/true));
  ORDO_ASSIGN_OR_RETURN(facts.operations, ReadOperations(conn, apply_id));
  ORDO_ASSIGN_OR_RETURN(facts.requests, ReadRequests(conn, apply_id));
  const ApplyRecord& apply = facts.apply;
  DeploymentHolderLookup holder =
      [&](const std::vector<std::string>& deployments) -> Result<std::optional<std::string>> {
    // A restart re-checks one-active-apply-per-deployment, serialised with creates.
    ORDO_RETURN_IF_ERROR(LockScope(conn, apply.database, apply.environment));
    return DeploymentHolder(conn, apply.database, apply.environment, deployments, apply_id);
  };
  RequestWrites writes;
  writes.upsert = [&](RequestKind k, RequestStatus status, std::string_view by,
                      const std::optional<std::string>& error) {
    return UpsertRequest(conn, apply_id, k, status, by, error);
  };
  writes.event = [&](const RequestEvent& e) {
    return WriteEvent(conn, {apply_id, e.operation_id, e.kind, e.from_state, e.to_state, e.message});
  };
  writes.back_to_pending = [&](int64_t operation_id) {
    return conn
        .Execute("UPDATE apply_operations SET state = 'pending', lease_owner = NULL, "
                 "lease_token = NULL, updated_at = NOW(6) WHERE id = ? AND state = 'stopped'",
                 {SqlValue::Int(operation_id)})
        .status();
  };
  writes.rederive = [&] { return RederiveApply(conn, apply_id, "start"); };
  writes.complete_start = [&] {
    return conn
        .Execute("UPDATE control_requests SET status = 'completed', completed_at = NOW(6), "
                 "updated_at = NOW(6) WHERE apply_id = ? AND kind = 'start'",
                 {SqlValue::Int(apply_id)})
        .status();
  };
  ORDO_ASSIGN_OR_RETURN(RequestAnswer answer,
                        RecordRequest(facts, kind, holder, writes, requested_by));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return answer;
}

Status MysqlStore::CompleteRequest(int64_t apply_id, RequestKind kind) {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  std::string name(ToString(kind));
  ORDO_ASSIGN_OR_RETURN(
      SqlRows rows,
      conn.Query("SELECT status FROM control_requests WHERE apply_id = ? AND kind = ? FOR UPDATE",
                 {SqlValue::Int(apply_id), KindValue(kind)}));
  if (rows.rows.empty())
    return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  std::string current = rows.rows[0][0].value_or("");
  if (current == "completed") return Status::Ok();
  if (current == "failed") return FailedPrecondition(name + " request already failed");
  ORDO_RETURN_IF_ERROR(
      conn.Execute("UPDATE control_requests SET status = 'completed', completed_at = NOW(6), "
                   "updated_at = NOW(6) WHERE apply_id = ? AND kind = ? AND status = 'pending'",
                   {SqlValue::Int(apply_id), KindValue(kind)})
          .status());
  ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, std::nullopt, "control_request", "pending",
                                         "completed", name + " completed"}));
  return txn.Commit();
}

Status MysqlStore::FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  std::string name(ToString(kind));
  ORDO_ASSIGN_OR_RETURN(
      SqlRows rows,
      conn.Query("SELECT status FROM control_requests WHERE apply_id = ? AND kind = ? FOR UPDATE",
                 {SqlValue::Int(apply_id), KindValue(kind)}));
  if (rows.rows.empty())
    return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  std::string current = rows.rows[0][0].value_or("");
  if (current == "failed") return Status::Ok();
  if (current == "completed") return FailedPrecondition(name + " request already completed");
  ORDO_RETURN_IF_ERROR(
      conn.Execute("UPDATE control_requests SET status = 'failed', error = ?, "
                   "completed_at = NOW(6), updated_at = NOW(6) WHERE apply_id = ? AND kind = ? "
                   "AND status = 'pending'",
                   {SqlValue::Text(std::string(error)), SqlValue::Int(apply_id), KindValue(kind)})
          .status());
  ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, std::nullopt, "control_request", "pending",
                                         "failed", name + " failed: " + std::string(error)}));
  return txn.Commit();
}

}  // namespace ordo::mysql

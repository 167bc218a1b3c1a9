// MysqlStore: control requests. One reusable row per (apply, kind); the answer is
// "accepted", "already requested" (one is pending) or "refused: why" (it cannot apply
// in the apply's current state). Refusals are recorded as a failed request with the
// reason, so `status` shows them.
//
// Each request locks its apply row first, so two requests for one apply are decided
// one after the other (the SQLite backend gets this from its single writer). Deciding
// never locks operation rows other than the stopped ones a start moves back to
// pending, so a stop can commit while a claim holds its row (scenario 33).
#include "core/derive.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"

namespace ordo::mysql {
namespace {

RequestAnswer Refused(std::string reason) {
  return RequestAnswer{RequestOutcome::kRefused, std::move(reason)};
}

bool AnyIn(const std::vector<OperationRecord>& ops, std::initializer_list<OperationState> states) {
  for (const auto& op : ops)
    for (OperationState s : states)
      if (op.state == s) return true;
  return false;
}

SqlValue KindValue(RequestKind kind) { return SqlValue::Text(std::string(ToString(kind))); }

}  // namespace

Status MysqlStore::UpsertRequest(MysqlConnection& conn, int64_t apply_id, RequestKind kind,
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

// Whether `kind` can apply to `apply` now; for an accepted start, also moves the
// never-started stopped operations back to pending so they go through the ordering
// gate again (a start never reorders).
Result<RequestAnswer> MysqlStore::DecideRequest(MysqlConnection& conn, const ApplyRecord& apply,
                                                RequestKind kind) {
  using S = OperationState;
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(conn, apply.id));
  ORDO_ASSIGN_OR_RETURN(auto stop, ReadRequestStatus(conn, apply.id, RequestKind::kStop));
  ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(conn, apply.id));
  ApplyState derived = DeriveApplyState(ops, latched).state;
  if (IsSettled(apply.state) || IsSettled(derived)) {
    ApplyState shown = IsSettled(apply.state) ? apply.state : derived;
    return Refused("apply " + apply.external_id + " is " + std::string(ToString(shown)));
  }
  switch (kind) {
    case RequestKind::kStop: {
      bool any_active = false;
      for (const auto& op : ops) any_active = any_active || IsActive(op.state);
      if (!any_active) return Refused("nothing to stop: no operation is active");
      // A stop supersedes a start that has not finished resuming.
      ORDO_ASSIGN_OR_RETURN(auto start, ReadRequestStatus(conn, apply.id, RequestKind::kStart));
      if (start == RequestStatus::kPending) {
        ORDO_RETURN_IF_ERROR(UpsertRequest(conn, apply.id, RequestKind::kStart,
                                           RequestStatus::kFailed, "", "superseded by stop"));
        ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply.id, std::nullopt, "control_request",
                                               "pending", "failed", "start superseded by stop"}));
      }
      break;
    }
    case RequestKind::kStart: {
      if (stop == RequestStatus::kPending) return Refused("a stop is still in progress");
      if (!AnyIn(ops, {S::kStopped})) return Refused("nothing to start: no operation is stopped");
      // A restart re-checks one-active-apply-per-deployment, serialised with creates.
      ORDO_RETURN_IF_ERROR(LockScope(conn, apply.database, apply.environment));
      std::vector<std::string> deployments;
      for (const auto& op : ops)
        if (!IsSettled(op.state)) deployments.push_back(op.deployment);
      ORDO_ASSIGN_OR_RETURN(auto holder, DeploymentHolder(conn, apply.database, apply.environment,
                                                          deployments, apply.id));
      if (holder) return Refused(*holder);
      for (const auto& op : ops) {
        if (op.state != S::kStopped || op.started_at.has_value()) continue;
        ORDO_RETURN_IF_ERROR(
            conn.Execute("UPDATE apply_operations SET state = 'pending', lease_owner = NULL, "
                         "lease_token = NULL, updated_at = NOW(6) WHERE id = ? AND "
                         "state = 'stopped'",
                         {SqlValue::Int(op.id)})
                .status());
        ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply.id, op.id, "state_change", "stopped",
                                               "pending",
                                               "start: never started, back to the ordering gate"}));
      }
      break;
    }
    case RequestKind::kRevert:
    case RequestKind::kSkipRevert:
      if (!AnyIn(ops, {S::kRevertWindow}))
        return Refused(std::string(ToString(kind)) + " applies only during a revert window");
      break;
    case RequestKind::kCutover:
    case RequestKind::kCancel:
    case RequestKind::kRelease:
      break;
  }
  return RequestAnswer{RequestOutcome::kAccepted, ""};
}

Result<RequestAnswer> MysqlStore::RequestControl(int64_t apply_id, RequestKind kind,
                                                 std::string_view requested_by) {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  MysqlConnection& conn = txn.conn();
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, apply_id, /*for_update=*/true));
  ORDO_ASSIGN_OR_RETURN(auto current, ReadRequestStatus(conn, apply_id, kind));
  std::string name(ToString(kind));
  if (current == RequestStatus::kPending)
    return RequestAnswer{RequestOutcome::kAlreadyRequested, name + " already requested"};
  ORDO_ASSIGN_OR_RETURN(RequestAnswer answer, DecideRequest(conn, apply, kind));
  if (answer.outcome == RequestOutcome::kRefused) {
    ORDO_RETURN_IF_ERROR(
        UpsertRequest(conn, apply_id, kind, RequestStatus::kFailed, requested_by, answer.reason));
    ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, std::nullopt, "control_request",
                                           std::nullopt, "failed",
                                           name + " refused: " + answer.reason}));
  } else {
    ORDO_RETURN_IF_ERROR(
        UpsertRequest(conn, apply_id, kind, RequestStatus::kPending, requested_by, std::nullopt));
    ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, std::nullopt, "control_request",
                                           std::nullopt, "pending",
                                           name + " requested by " + std::string(requested_by)}));
    if (kind == RequestKind::kStart) {
      ORDO_RETURN_IF_ERROR(RederiveApply(conn, apply_id, "start"));
      // Nothing left stopped (every stopped row had never started): served already.
      ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(conn, apply_id));
      if (!AnyIn(ops, {OperationState::kStopped})) {
        ORDO_RETURN_IF_ERROR(
            conn.Execute("UPDATE control_requests SET status = 'completed', "
                         "completed_at = NOW(6), updated_at = NOW(6) WHERE apply_id = ? AND "
                         "kind = 'start'",
                         {SqlValue::Int(apply_id)})
                .status());
        ORDO_RETURN_IF_ERROR(WriteEvent(conn, {apply_id, std::nullopt, "control_request",
                                               "pending", "completed",
                                               "start completed: nothing left to resume"}));
      }
    }
  }
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return answer;
}

Status MysqlStore::CompleteRequest(int64_t apply_id, RequestKind kind) {
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  MysqlConnection& conn = txn.conn();
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
  MysqlConnection& conn = txn.conn();
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

Result<std::vector<ControlRequestRecord>> MysqlStore::ListRequests(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(MysqlPool::Handle conn, pool_->Acquire());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows,
                        conn->Query(std::string("SELECT ") + kRequestColumns +
                                        " FROM control_requests WHERE apply_id = ? ORDER BY id",
                                    {SqlValue::Int(apply_id)}));
  std::vector<ControlRequestRecord> out;
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(ControlRequestRecord r, DecodeRequest(row));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ordo::mysql

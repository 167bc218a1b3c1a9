// SqlStore: creating applies (with the one-active-apply-per-deployment check) and the
// control requests. One reusable request row per (apply, kind); the answer is
// "accepted", "already requested" (one is pending) or "refused: why", decided by
// RecordRequest (store/record_request.h); refusals are recorded as a failed request
// with the reason, so `status` shows them.
//
// Each request locks its apply row first (the dialect's row lock; SQLite's single
// writer gives the same), so two requests for one apply are decided one after the
// other. Deciding never locks operation rows other than the stopped ones a start
// moves back to pending, so a stop can commit while a claim holds its row (scenario
// 33). Creates, and a start that re-checks the holders, lock the (database,
// environment) scope first, so one-active-apply checks run one at a time.
#include "ordo/sync_point.h"
#include "store/deployment_holder.h"
#include "store/lease_token.h"
#include "store/record_request.h"
#include "store/sql/predicates.h"
#include "store/sql/records.h"
#include "store/sql/sql_store.h"
#include "store/values.h"

namespace ordo::sqlstore {
namespace {

db::SqlValue Text(std::string_view v) { return db::SqlValue::Text(std::string(v)); }

}  // namespace

Status SqlStore::LockScope(Session& s, const std::string& database,
                           const std::string& environment) {
  if (d_.lock_rows.empty()) return Status::Ok();  // write transactions are exclusive
  // The row lock is held to the end of the transaction.
  return s
      .Execute("INSERT INTO apply_scopes (database_name, environment) VALUES (?, ?)" +
                   d_.on_conflict_update("database_name, environment") +
                   "environment = " + d_.inserted("environment"),
               {Text(database), Text(environment)})
      .status();
}

// The rule is HoldsDeployment (store/deployment_holder.h); the candidate query leaves
// out only rows that cannot hold.
Result<std::optional<std::string>> SqlStore::DeploymentHolder(
    Session& s, const std::string& database, const std::string& environment,
    const std::vector<std::string>& deployments, int64_t exclude_apply_id) {
  const std::string sql = DeploymentHolderCandidatesSql(d_);
  DeploymentHolderReads reads;
  reads.candidates_on = [&](const std::string& deployment) -> Result<std::vector<HolderCandidate>> {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                          s.Query(sql, {Text(deployment), Text(database), Text(environment),
                                        db::SqlValue::Int(exclude_apply_id)}));
    std::vector<HolderCandidate> out;
    for (const auto& row : rows.rows) {
      ORDO_ASSIGN_OR_RETURN(int64_t apply_id, CellInt(row, 0));
      ORDO_ASSIGN_OR_RETURN(OperationState state, StoredOperationState(row[2].value_or("")));
      out.push_back(HolderCandidate{apply_id, row[1].value_or(""), state});
    }
    return out;
  };
  reads.apply_rows = [&](int64_t apply_id) -> Result<HolderApplyRows> {
    HolderApplyRows rows;
    ORDO_ASSIGN_OR_RETURN(rows.operations, ReadOperations(s, apply_id));
    ORDO_ASSIGN_OR_RETURN(rows.requests, ReadRequests(s, apply_id));
    return rows;
  };
  return FindDeploymentHolder(deployments, reads);
}

Result<std::optional<std::string>> SqlStore::HolderOfDeployments(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(*s, apply_id));
  ORDO_ASSIGN_OR_RETURN(std::vector<OperationRecord> operations, ReadOperations(*s, apply_id));
  std::vector<std::string> deployments;
  for (const auto& op : operations) deployments.push_back(op.deployment);
  return DeploymentHolder(*s, apply.database, apply.environment, deployments, apply_id);
}

Result<ApplyRecord> SqlStore::CreateApply(const NewApply& apply) {
  ORDO_RETURN_IF_ERROR(ValidateNewApply(apply));
  std::string external_id = apply.external_id.empty() ? NewExternalApplyId() : apply.external_id;
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginWrite());
  ORDO_RETURN_IF_ERROR(LockScope(*txn, apply.database, apply.environment));
  std::vector<std::string> deployments;
  for (const auto& op : apply.operations) deployments.push_back(op.deployment);
  ORDO_ASSIGN_OR_RETURN(auto holder,
                        DeploymentHolder(*txn, apply.database, apply.environment, deployments, 0));
  if (holder) return Conflict("cannot create apply: " + *holder);

  // One timestamp for the apply and its operations: they are created together.
  ORDO_ASSIGN_OR_RETURN(db::SqlRows clock, txn->Query(Sql("SELECT {now}"), {}));
  db::SqlValue now = db::SqlValue::Text(clock.rows.at(0).at(0).value_or(""));
  auto inserted = txn->InsertId(
      "INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
      "options, operation_count, attempt, created_at, updated_at) VALUES (?, ?, ?, 'pending', "
      "?, ?, ?, 0, ?, ?)",
      {Text(external_id), Text(apply.database), Text(apply.environment),
       db::SqlValue::Int(apply.options.defer_cutover),
       Text(OptionsJson(apply.options, apply.requested_by)),
       db::SqlValue::Int(static_cast<int64_t>(apply.operations.size())), now, now});
  if (inserted.status().Is(StatusCode::kAlreadyExists))
    return AlreadyExists("apply " + external_id + " already exists");
  ORDO_RETURN_IF_ERROR(inserted.status());
  int64_t apply_id = *inserted;
  for (const auto& op : apply.operations) {
    ORDO_ASSIGN_OR_RETURN(
        int64_t op_id,
        txn->InsertId("INSERT INTO apply_operations (apply_id, deployment, state, cutover_policy, "
                      "on_failure, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
                      {db::SqlValue::Int(apply_id), Text(op.deployment), Text(apply.cutover_policy),
                       Text(apply.on_failure), now, now}));
    for (const auto& change : op.changes) {
      ORDO_RETURN_IF_ERROR(
          txn->Execute("INSERT INTO apply_changes (operation_id, schema_name, table_name, "
                       "ddl, updated_at) VALUES (?, ?, ?, ?, ?)",
                       {db::SqlValue::Int(op_id), Text(change.schema_name), Text(change.table_name),
                        Text(change.ddl), now})
              .status());
    }
  }
  std::string message = "created by " + apply.requested_by + " for";
  for (const auto& d : deployments) message += " " + d;
  message += " (" + apply.cutover_policy + ", on_failure " + apply.on_failure + ")";
  ORDO_RETURN_IF_ERROR(
      WriteEvent(*txn, {apply_id, std::nullopt, "created", std::nullopt, "pending", message}));
  ORDO_SYNC_POINT("Store::CreateApply:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ApplyRecord record, ReadApply(*txn, apply_id));
  ORDO_RETURN_IF_ERROR(txn->Commit());
  return record;
}

Status SqlStore::UpsertRequest(Session& s, int64_t apply_id, RequestKind kind, RequestStatus status,
                               std::string_view requested_by,
                               const std::optional<std::string>& error) {
  std::string set;
  for (const char* column : {"status", "requested_by", "error", "created_at", "updated_at"})
    set += std::string(column) + " = " + d_.inserted(column) + ", ";
  return s
      .Execute(
          Sql("INSERT INTO control_requests (apply_id, kind, status, requested_by, error, "
              "created_at, updated_at, completed_at) VALUES (?, ?, ?, ?, ?, {now}, {now}, NULL)") +
              d_.on_conflict_update("apply_id, kind") + set + "completed_at = NULL",
          {db::SqlValue::Int(apply_id), Text(ToString(kind)), Text(ToString(status)),
           Text(requested_by), error ? db::SqlValue::Text(*error) : db::SqlValue::Null()})
      .status();
}

Result<RequestAnswer> SqlStore::RequestControl(int64_t apply_id, RequestKind kind,
                                               std::string_view requested_by) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginWrite());
  Session& s = *txn;
  RequestFacts facts;
  ORDO_ASSIGN_OR_RETURN(facts.apply, ReadApply(s, apply_id, /*lock=*/true));
  ORDO_ASSIGN_OR_RETURN(facts.operations, ReadOperations(s, apply_id));
  ORDO_ASSIGN_OR_RETURN(facts.requests, ReadRequests(s, apply_id));
  const ApplyRecord& apply = facts.apply;
  DeploymentHolderLookup holder =
      [&](const std::vector<std::string>& deployments) -> Result<std::optional<std::string>> {
    // A restart re-checks one-active-apply-per-deployment, serialised with creates.
    ORDO_RETURN_IF_ERROR(LockScope(s, apply.database, apply.environment));
    return DeploymentHolder(s, apply.database, apply.environment, deployments, apply_id);
  };
  RequestWrites writes;
  writes.upsert = [&](RequestKind k, RequestStatus status, std::string_view by,
                      const std::optional<std::string>& error) {
    return UpsertRequest(s, apply_id, k, status, by, error);
  };
  writes.event = [&](const RequestEvent& e) {
    return WriteEvent(s, {apply_id, e.operation_id, e.kind, e.from_state, e.to_state, e.message});
  };
  writes.back_to_pending = [&](int64_t operation_id) {
    return s
        .Execute(Sql("UPDATE apply_operations SET state = 'pending', lease_owner = NULL, "
                     "lease_token = NULL, updated_at = {now} WHERE id = ? AND state = 'stopped'"),
                 {db::SqlValue::Int(operation_id)})
        .status();
  };
  writes.rederive = [&] { return RederiveApply(s, apply_id, "start"); };
  writes.complete_start = [&] {
    return s
        .Execute(Sql("UPDATE control_requests SET status = 'completed', completed_at = {now}, "
                     "updated_at = {now} WHERE apply_id = ? AND kind = 'start'"),
                 {db::SqlValue::Int(apply_id)})
        .status();
  };
  ORDO_ASSIGN_OR_RETURN(RequestAnswer answer,
                        RecordRequest(facts, kind, holder, writes, requested_by));
  ORDO_RETURN_IF_ERROR(txn->Commit());
  return answer;
}

Status SqlStore::EndRequest(int64_t apply_id, RequestKind kind, RequestStatus to,
                            const std::optional<std::string>& error) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginWrite());
  std::string name(ToString(kind));
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      txn->Query("SELECT status FROM control_requests WHERE apply_id = ? AND kind = ?" +
                     std::string(d_.lock_rows),
                 {db::SqlValue::Int(apply_id), Text(name)}));
  if (rows.rows.empty())
    return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  ORDO_ASSIGN_OR_RETURN(RequestStatus current, StoredRequestStatus(rows.rows[0][0].value_or("")));
  if (current == to) return Status::Ok();
  if (current != RequestStatus::kPending)
    return FailedPrecondition(name + " request already " + std::string(ToString(current)));
  ORDO_RETURN_IF_ERROR(
      txn->Execute(
             Sql("UPDATE control_requests SET status = ?, error = COALESCE(?, error), "
                 "completed_at = {now}, updated_at = {now} WHERE apply_id = ? AND kind = ? AND "
                 "status = 'pending'"),
             {Text(ToString(to)), error ? db::SqlValue::Text(*error) : db::SqlValue::Null(),
              db::SqlValue::Int(apply_id), Text(name)})
          .status());
  std::string message =
      to == RequestStatus::kCompleted ? name + " completed" : name + " failed: " + *error;
  ORDO_RETURN_IF_ERROR(WriteEvent(*txn, {apply_id, std::nullopt, "control_request", "pending",
                                         std::string(ToString(to)), message}));
  return txn->Commit();
}

// begin_cutover for the live holder of a parked row: its turn starts when every
// cutover gate holds. The ordering gate is decided from the earlier siblings as a
// locking read returns them (pinned until commit); the other gates are in the UPDATE,
// so that a stop committed after the row was locked still wins.
Result<bool> SqlStore::BeginCutover(const Lease& lease) {
  if (lease.owner.empty() || lease.token.empty()) return LeaseLost("begin_cutover: empty lease");
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginWrite());
  Result<OperationRecord> leased = LockLeased(*txn, lease);
  if (!leased.ok()) {
    if (leased.status().Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn->Commit());
    return leased.status();
  }
  const OperationRecord& op = *leased;
  if (op.state == OperationState::kCuttingOver) return true;  // already begun: idempotent
  if (op.state != OperationState::kWaitingForCutover)
    return FailedPrecondition("begin_cutover: operation is " + std::string(ToString(op.state)) +
                              ", not waiting_for_cutover");
  ORDO_SYNC_POINT("Store::BeginCutover:BeforeUpdate");
  ORDO_ASSIGN_OR_RETURN(bool held, HeldBackBySibling(*txn, gates_.turn_siblings.text, op.id));
  if (held) return false;  // not yet; nothing changed
  ORDO_ASSIGN_OR_RETURN(uint64_t updated,
                        txn->Execute(Sql(BeginCutoverSql(d_)),
                                     {db::SqlValue::Int(lease.operation_id), Text(lease.token)}));
  if (updated == 0) return false;  // not yet; nothing changed
  ORDO_RETURN_IF_ERROR(
      txn->Execute(Sql(CompleteServedCutoverSql()),
                   {db::SqlValue::Int(op.apply_id), db::SqlValue::Int(op.apply_id)})
          .status());
  ORDO_RETURN_IF_ERROR(
      WriteEvent(*txn, {op.apply_id, op.id, "state_change", "waiting_for_cutover", "cutting_over",
                        "begin_cutover by " + lease.owner + " token=" + lease.token}));
  ORDO_SYNC_POINT("Store::BeginCutover:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn->Commit());
  return true;
}

Status SqlStore::AppendEvent(const EventRecord& event) {
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginWrite());
  ORDO_RETURN_IF_ERROR(ReadApply(*txn, event.apply_id).status());
  auto opt = [](const std::optional<std::string>& v) {
    return v ? db::SqlValue::Text(*v) : db::SqlValue::Null();
  };
  // The event's own time when it has one, else the database clock.
  ORDO_RETURN_IF_ERROR(
      txn->Execute(
             Sql("INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, "
                 "to_state, "
                 "message) VALUES (?, ?, COALESCE(?, {now}), ?, ?, ?, ?)"),
             {db::SqlValue::Int(event.apply_id),
              event.operation_id ? db::SqlValue::Int(*event.operation_id) : db::SqlValue::Null(),
              event.at != 0 ? d_.time_value(event.at) : db::SqlValue::Null(), Text(event.kind),
              opt(event.from_state), opt(event.to_state), Text(event.message)})
          .status());
  return txn->Commit();
}

Status SqlStore::CompleteRequest(int64_t apply_id, RequestKind kind) {
  return EndRequest(apply_id, kind, RequestStatus::kCompleted, std::nullopt);
}

Status SqlStore::FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) {
  return EndRequest(apply_id, kind, RequestStatus::kFailed, std::string(error));
}

}  // namespace ordo::sqlstore

// MysqlStore: creating applies (with the one-active-apply-per-deployment check) and
// reading applies, operations and changes.
#include "ordo/sync_point.h"
#include "store/deployment_holder.h"
#include "store/lease_token.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"
#include "store/values.h"

namespace ordo::mysql {
namespace {

std::string OptionsJson(const ApplyOptions& options) {
  return std::string("{\"defer_cutover\":") + (options.defer_cutover ? "true" : "false") +
         ",\"allow_unsafe\":" + (options.allow_unsafe ? "true" : "false") + "}";
}

}  // namespace

Status MysqlStore::LockScope(sqlstore::Session& conn, const std::string& database,
                             const std::string& environment) {
  // The row lock is held to the end of the transaction: creates (and resumes) of one
  // database and environment run their holder check one at a time.
  return conn
      .Execute("INSERT INTO apply_scopes (database_name, environment) VALUES (?, ?) "
               "ON DUPLICATE KEY UPDATE environment = VALUES(environment)",
               {SqlValue::Text(database), SqlValue::Text(environment)})
      .status();
}

// The rule is HoldsDeployment (store/deployment_holder.h); the candidate query leaves
// out only rows that cannot hold.
Result<std::optional<std::string>> MysqlStore::DeploymentHolder(
    sqlstore::Session& conn, const std::string& database, const std::string& environment,
    const std::vector<std::string>& deployments, int64_t exclude_apply_id) {
  DeploymentHolderReads reads;
  reads.candidates_on = [&](const std::string& deployment) -> Result<std::vector<HolderCandidate>> {
    ORDO_ASSIGN_OR_RETURN(
        SqlRows rows,
        conn.Query(gate_params_.deployment_holder.sql,
                   {SqlValue::Text(deployment), SqlValue::Text(database),
                    SqlValue::Text(environment), SqlValue::Int(exclude_apply_id)}));
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
    ORDO_ASSIGN_OR_RETURN(rows.operations, ReadOperations(conn, apply_id));
    ORDO_ASSIGN_OR_RETURN(rows.requests, ReadRequests(conn, apply_id));
    return rows;
  };
  return FindDeploymentHolder(deployments, reads);
}

Result<ApplyRecord> MysqlStore::CreateApply(const NewApply& apply) {
  ORDO_RETURN_IF_ERROR(ValidateNewApply(apply));
  std::string external_id = apply.external_id.empty() ? NewExternalApplyId() : apply.external_id;
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  ORDO_RETURN_IF_ERROR(LockScope(conn, apply.database, apply.environment));
  std::vector<std::string> deployments;
  for (const auto& op : apply.operations) deployments.push_back(op.deployment);
  ORDO_ASSIGN_OR_RETURN(auto holder, DeploymentHolder(conn, apply.database, apply.environment,
                                                      deployments, 0));
  if (holder) return Conflict("cannot create apply: " + *holder);

  // One timestamp for the apply and its operations: they are created together.
  ORDO_ASSIGN_OR_RETURN(SqlRows clock, conn.Query("SELECT NOW(6)", {}));
  SqlValue now = SqlValue::Text(clock.rows.at(0).at(0).value_or(""));
  auto inserted = conn.Execute(
      "INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
      "options, operation_count, attempt, created_at, updated_at) VALUES (?, ?, ?, 'pending', "
      "?, ?, ?, 0, ?, ?)",
      {SqlValue::Text(external_id), SqlValue::Text(apply.database),
       SqlValue::Text(apply.environment), SqlValue::Int(apply.options.defer_cutover),
       SqlValue::Text(OptionsJson(apply.options)),
       SqlValue::Int(static_cast<int64_t>(apply.operations.size())), now, now});
  if (inserted.status().Is(StatusCode::kAlreadyExists))
    return AlreadyExists("apply " + external_id + " already exists");
  ORDO_RETURN_IF_ERROR(inserted.status());
  int64_t apply_id = static_cast<int64_t>(txn.conn().last_insert_id());
  for (const auto& op : apply.operations) {
    ORDO_RETURN_IF_ERROR(
        conn.Execute("INSERT INTO apply_operations (apply_id, deployment, state, cutover_policy, "
                     "on_failure, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
                     {SqlValue::Int(apply_id), SqlValue::Text(op.deployment),
                      SqlValue::Text(apply.cutover_policy), SqlValue::Text(apply.on_failure), now,
                      now})
            .status());
    int64_t op_id = static_cast<int64_t>(txn.conn().last_insert_id());
    for (const auto& change : op.changes) {
      ORDO_RETURN_IF_ERROR(
          conn.Execute("INSERT INTO apply_changes (operation_id, schema_name, table_name, ddl, "
                       "updated_at) VALUES (?, ?, ?, ?, ?)",
                       {SqlValue::Int(op_id), SqlValue::Text(change.schema_name),
                        SqlValue::Text(change.table_name), SqlValue::Text(change.ddl), now})
              .status());
    }
  }
  std::string message = "created by " + apply.requested_by + " for";
  for (const auto& d : deployments) message += " " + d;
  message += " (" + apply.cutover_policy + ", on_failure " + apply.on_failure + ")";
  ORDO_RETURN_IF_ERROR(
      WriteEvent(conn, {apply_id, std::nullopt, "created", std::nullopt, "pending", message}));
  ORDO_SYNC_POINT("Store::CreateApply:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ApplyRecord record, ReadApply(conn, apply_id));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return record;
}

}  // namespace ordo::mysql

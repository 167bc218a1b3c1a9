// SqliteStore: creating applies (with the one-active-apply-per-deployment check) and
// reading applies, operations and changes.
#include "ordo/sync_point.h"
#include "store/deployment_holder.h"
#include "store/lease_token.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/values.h"

namespace ordo::sqlite {

// The rule is HoldsDeployment (store/deployment_holder.h); the candidate query leaves
// out only rows that cannot hold.
Result<std::optional<std::string>> SqliteStore::DeploymentHolder(
    const std::string& database, const std::string& environment,
    const std::vector<std::string>& deployments, int64_t exclude_apply_id) {
  DeploymentHolderReads reads;
  reads.candidates_on = [&](const std::string& deployment) -> Result<std::vector<HolderCandidate>> {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(DeploymentHolderCandidatesSql()));
    st.Bind(":dep", deployment).Bind(":db", database).Bind(":env", environment).Bind(":self", exclude_apply_id);
    std::vector<HolderCandidate> out;
    while (true) {
      ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ORDO_ASSIGN_OR_RETURN(OperationState state, StoredOperationState(st.Text(2)));
      out.push_back(HolderCandidate{st.Int(0), st.Text(1), state});
    }
    return out;
  };
  reads.apply_rows = [&](int64_t apply_id) -> Result<HolderApplyRows> {
    HolderApplyRows rows;
    ORDO_ASSIGN_OR_RETURN(rows.operations, ReadOperations(here_, apply_id));
    ORDO_ASSIGN_OR_RETURN(rows.requests, ReadRequests(here_, apply_id));
    return rows;
  };
  return FindDeploymentHolder(deployments, reads);
}

Result<ApplyRecord> SqliteStore::CreateApply(const NewApply& apply) {
  ORDO_RETURN_IF_ERROR(ValidateNewApply(apply));
  std::string external_id = apply.external_id.empty() ? NewExternalApplyId() : apply.external_id;
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  std::vector<std::string> deployments;
  for (const auto& op : apply.operations) deployments.push_back(op.deployment);
  ORDO_ASSIGN_OR_RETURN(auto holder, DeploymentHolder(apply.database, apply.environment, deployments, 0));
  if (holder) return Conflict("cannot create apply: " + *holder);

  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
        "options, operation_count, attempt, created_at, updated_at) VALUES (:ext, :db, :env, "
        "'pending', :defer, :options, :count, 0, :now, :now)"));
    Status s = st.Bind(":ext", external_id)
                   .Bind(":db", apply.database)
                   .Bind(":env", apply.environment)
                   .Bind(":defer", int64_t{apply.options.defer_cutover})
                   .Bind(":options", OptionsJson(apply.options))
                   .Bind(":count", static_cast<int64_t>(apply.operations.size()))
                   .Bind(":now", now)
                   .Run();
    if (s.Is(StatusCode::kAlreadyExists)) return AlreadyExists("apply " + external_id + " already exists");
    ORDO_RETURN_IF_ERROR(s);
  }
  int64_t apply_id = db_->LastInsertId();
  for (const auto& op : apply.operations) {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "INSERT INTO apply_operations (apply_id, deployment, state, cutover_policy, on_failure, "
        "created_at, updated_at) VALUES (:apply, :dep, 'pending', :policy, :on_failure, :now, :now)"));
    ORDO_RETURN_IF_ERROR(st.Bind(":apply", apply_id)
                             .Bind(":dep", op.deployment)
                             .Bind(":policy", apply.cutover_policy)
                             .Bind(":on_failure", apply.on_failure)
                             .Bind(":now", now)
                             .Run());
    int64_t op_id = db_->LastInsertId();
    for (const auto& change : op.changes) {
      ORDO_ASSIGN_OR_RETURN(auto cst, db_->Prepare(
          "INSERT INTO apply_changes (operation_id, schema_name, table_name, ddl, updated_at) "
          "VALUES (:op, :schema, :table, :ddl, :now)"));
      ORDO_RETURN_IF_ERROR(cst.Bind(":op", op_id)
                               .Bind(":schema", change.schema_name)
                               .Bind(":table", change.table_name)
                               .Bind(":ddl", change.ddl)
                               .Bind(":now", now)
                               .Run());
    }
  }
  std::string message = "created by " + apply.requested_by + " for";
  for (const auto& d : deployments) message += " " + d;
  message += " (" + apply.cutover_policy + ", on_failure " + apply.on_failure + ")";
  ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply_id, std::nullopt, "created", std::nullopt, "pending", message}));
  ORDO_SYNC_POINT("Store::CreateApply:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ApplyRecord record, ReadApply(here_, apply_id));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return record;
}

}  // namespace ordo::sqlite

#include "app/apply_creation.h"

#include "app/connect_error.h"
#include "app/ddl_input.h"
#include "db/dsn.h"
#include "engine/ddl_check.h"

namespace ordo::app {

Result<NewApply> PrepareApply(const Config& cfg, const ApplyRequest& request,
                              std::string requested_by) {
  const EnvironmentConfig* env = cfg.FindEnvironment(request.database, request.environment);
  if (env == nullptr) {
    return InvalidArgument(cfg.path + ": databases." + request.database + ".environments." +
                           request.environment + ": not configured");
  }
  ORDO_ASSIGN_OR_RETURN(std::vector<NewOperation> ops, BuildOperations(*env, request.ddl));
  NewApply a;
  a.database = request.database;
  a.environment = request.environment;
  a.cutover_policy = env->cutover_policy;
  a.on_failure = env->on_failure;
  a.options.defer_cutover = request.defer_cutover;
  a.options.allow_unsafe = request.allow_unsafe;
  a.operations = std::move(ops);
  a.requested_by = std::move(requested_by);
  return a;
}

Status TryOnDeployments(const EnvironmentConfig& env, const std::vector<NewOperation>& ops,
                        bool must_reach, Logger& logger) {
  for (const NewOperation& op : ops) {
    const DeploymentConfig* d = nullptr;
    for (const auto& candidate : env.deployments)
      if (candidate.name == op.deployment) d = &candidate;
    if (d == nullptr) return Internal("deployment " + op.deployment + " is not configured");
    ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(d->dsn));
    const std::string name = "deployment " + d->name + " (" + dsn.Redacted() + ")";
    std::vector<TableChange> changes;
    for (const NewChange& c : op.changes)
      changes.push_back({0, c.schema_name, c.table_name, c.ddl});
    engine::DdlTrial trial = engine::TryChangesOnDeployment(dsn, changes, /*connect_timeout_s=*/5);
    if (!trial.reached.ok()) {
      Status err = ConnectError(name, trial.reached);
      if (must_reach || err.Is(StatusCode::kInvalidArgument)) return err;
      logger.Log(LogLevel::kWarn, {},
                 err.message() + "; its changes are tried when a worker gets to it");
      continue;
    }
    const Status& tried = trial.tried;
    if (!tried.ok()) {
      if (tried.Is(StatusCode::kInvalidArgument))
        return InvalidArgument("deployment " + d->name + ": " + tried.message() +
                               " (nothing was created)");
      if (tried.Is(StatusCode::kUnavailable)) return ConnectError(name, tried);
      return tried.WithContext(name + ": trying the changes");
    }
  }
  return Status::Ok();
}

Result<ApplyRecord> CreateApplyFromRequest(Store& store, const Config& cfg,
                                           const ApplyRequest& request, std::string requested_by,
                                           Logger& logger) {
  ORDO_ASSIGN_OR_RETURN(NewApply a, PrepareApply(cfg, request, std::move(requested_by)));
  const EnvironmentConfig* env =
      cfg.FindEnvironment(request.database, request.environment);  // found above
  ORDO_RETURN_IF_ERROR(TryOnDeployments(*env, a.operations, /*must_reach=*/false, logger));
  return store.CreateApply(a);
}

}  // namespace ordo::app

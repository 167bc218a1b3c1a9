#include "operator/mysql_engine_factory.h"

namespace ordo::worker {

Result<EngineSpec> MysqlEngineFactory::SpecFor(const OperationJob& job) const {
  const EnvironmentConfig* env = config_.FindEnvironment(job.apply.database, job.apply.environment);
  if (env == nullptr) {
    return NotFound("database " + job.apply.database + ", environment " + job.apply.environment +
                    " is not in " + config_.path);
  }
  const DeploymentConfig* deployment = nullptr;
  for (const auto& d : env->deployments)
    if (d.name == job.operation.deployment) deployment = &d;
  if (deployment == nullptr) {
    return NotFound("deployment " + job.operation.deployment + " of " + job.apply.database + "/" +
                    job.apply.environment + " is not in " + config_.path);
  }
  EngineSpec spec;
  spec.target_dsn = deployment->dsn;
  for (const auto& c : job.changes)
    spec.changes.push_back(TableChange{c.id, c.schema_name, c.table_name, c.ddl});
  spec.resume_state = job.operation.resume_state;
  spec.fence_token = job.lease.token;
  spec.owner = TargetOwner{store_.id, store_.name, job.apply.external_id,
                           std::to_string(job.operation.id), job.operation.deployment};
  spec.revert_window = env->revert_window_micros > 0;
  spec.copy_threads = config_.engine.copy_threads;
  spec.chunk_target_ms = config_.engine.chunk_target_ms;
  spec.rest_under_writes = config_.engine.rest_under_writes;
  spec.verify_rest_under_writes = config_.engine.verify_rest_under_writes;
  spec.apply_sessions = config_.engine.apply_sessions;
  spec.cutover_lock_timeout_ms = config_.engine.cutover_lock_timeout_ms;
  spec.cutover_max_attempts = config_.engine.cutover_max_attempts;
  spec.cutover_force_after_ms = config_.engine.cutover_force_after_ms;
  spec.keep_old_table = config_.engine.keep_old_table;
  return spec;
}

Result<std::unique_ptr<OperationEngine>> MysqlEngineFactory::NewEngine(const OperationJob& job,
                                                                       EngineHost* host) {
  ORDO_ASSIGN_OR_RETURN(EngineSpec spec, SpecFor(job));
  return NewMysqlEngine(spec, host);
}

Micros MysqlEngineFactory::RevertWindow(const ApplyRecord& apply) {
  const EnvironmentConfig* env = config_.FindEnvironment(apply.database, apply.environment);
  return env == nullptr ? 0 : env->revert_window_micros;
}

}  // namespace ordo::worker

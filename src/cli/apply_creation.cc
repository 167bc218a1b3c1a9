#include "cli/apply_creation.h"

#include "cli/ddl_input.h"

namespace ordo::cli {

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

Result<ApplyRecord> CreateApplyFromRequest(Store& store, const Config& cfg,
                                           const ApplyRequest& request, std::string requested_by) {
  ORDO_ASSIGN_OR_RETURN(NewApply a, PrepareApply(cfg, request, std::move(requested_by)));
  return store.CreateApply(a);
}

}  // namespace ordo::cli

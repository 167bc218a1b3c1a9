// The one path from an apply request to a new apply, shared by `ordo apply` (flags)
// and `ordo serve`'s POST /v1/applies (JSON body, api/apply_request.h): the database
// and environment must be configured, every DDL must be one ALTER TABLE per table
// (ddl_input.h) that applies on every deployment that answers (tried on a temporary
// copy, engine/ddl_check.h), and the environment's policies are captured onto the apply.
//
// Thread-safety: pure functions of their arguments (the store call is the store's).
//
//   ORDO_ASSIGN_OR_RETURN(NewApply a, PrepareApply(cfg, request, "cli (host/42)"));
//   ORDO_ASSIGN_OR_RETURN(ApplyRecord created, store.CreateApply(a));
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/logger.h"
#include "ordo/store.h"

namespace ordo::app {

// What a user asks for when creating an apply — by `ordo apply`'s flags or by the body
// of `POST /v1/applies`.
struct ApplyRequest {
  std::string database;
  std::string environment;
  std::vector<std::string> ddl;  // one ALTER TABLE per table
  bool defer_cutover = false;
  bool allow_unsafe = false;
};

// The apply to create, one operation per deployment in deployment order.
// InvalidArgument naming the config path of an unconfigured database/environment,
// or the offending DDL (`--ddl #N: …`).
Result<NewApply> PrepareApply(const Config& cfg, const ApplyRequest& request,
                              std::string requested_by);

// Every deployment's changes are tried there before anything is created
// (engine/ddl_check.h): InvalidArgument naming the deployment, the table and the
// server's reason for bad DDL, with nothing created. A deployment that does not answer
// is an error when the caller is to drive the apply (`must_reach`: an embedded
// `ordo apply`), otherwise a warning on `logger`: its driver's preflight tries the
// change when it gets there. A refused login is InvalidArgument either way.
Status TryOnDeployments(const EnvironmentConfig& env, const std::vector<NewOperation>& ops,
                        bool must_reach, Logger& logger);

// PrepareApply, TryOnDeployments (never requiring a deployment to answer), then
// Store::CreateApply: Conflict naming the other apply when a deployment is busy,
// Unavailable when the store is away.
Result<ApplyRecord> CreateApplyFromRequest(Store& store, const Config& cfg,
                                           const ApplyRequest& request, std::string requested_by,
                                           Logger& logger);

}  // namespace ordo::app

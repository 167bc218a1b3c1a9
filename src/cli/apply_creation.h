// The one path from an apply request to a new apply, shared by `ordo apply` (flags)
// and `ordo serve`'s POST /v1/applies (JSON body): the database and environment must
// be configured, every DDL must be one ALTER TABLE per table (ddl_input.h), and the
// environment's policies are captured onto the apply.
//
// Thread-safety: pure functions of their arguments (the store call is the store's).
//
//   ORDO_ASSIGN_OR_RETURN(NewApply a, PrepareApply(cfg, request, "cli (host/42)"));
//   ORDO_ASSIGN_OR_RETURN(ApplyRecord created, store.CreateApply(a));
#pragma once

#include <string>

#include "api/apply_request.h"
#include "config/config.h"
#include "ordo/store.h"

namespace ordo::cli {

// The apply to create, one operation per deployment in deployment order.
// InvalidArgument naming the config path of an unconfigured database/environment,
// or the offending DDL (`--ddl #N: …`).
Result<NewApply> PrepareApply(const Config& cfg, const ApplyRequest& request,
                              std::string requested_by);

// PrepareApply, then Store::CreateApply: Conflict naming the other apply when a
// deployment is busy, Unavailable when the store is away.
Result<ApplyRecord> CreateApplyFromRequest(Store& store, const Config& cfg,
                                           const ApplyRequest& request, std::string requested_by);

}  // namespace ordo::cli

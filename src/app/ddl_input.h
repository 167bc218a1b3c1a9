// DDL input of an apply (`ordo apply --ddl SQL…`, the "ddl" of POST /v1/applies): each
// statement must be one ALTER TABLE (the engine's parser decides: engine/ddl_check.h),
// one per table; an apply's change rows are built per deployment with the schema of
// the deployment's DSN.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(auto ops, BuildOperations(*env, {"ALTER TABLE t ADD COLUMN c INT"}));
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "ordo/store.h"

namespace ordo::app {

// One NewOperation per deployment of `env`, in deployment order. InvalidArgument
// naming the statement (`--ddl #2: …`) or the deployment for: not exactly one ALTER
// TABLE, two statements for one table, a schema-qualified table whose schema is not
// the deployment's database, or a DSN without a database.
Result<std::vector<NewOperation>> BuildOperations(const EnvironmentConfig& env,
                                                  const std::vector<std::string>& ddls);

}  // namespace ordo::app

// The declarative plan (`ordo plan`, `POST /v1/plans`): for every deployment of an
// environment, the DDL that brings its live schema to the CREATE TABLE files of the
// database's `schema_dir`, each plan verified on a scratch copy before it is shown, and
// first the drift — how the deployments' live schemas differ from each other.
//
// The files are loaded into a scratch schema once per server (host:port) and read back,
// so the server parses them; every scratch schema is dropped before ComputePlan
// returns, also on an error or a cancel. Nothing else is written on a deployment.
//
// A PlanResult is plain values with a stable shape meant to be stored: the desired
// files' hash and, per deployment, the fingerprint of the live schema it was made from.
//
// Thread-safety: ComputePlan uses its own connections; call it from any thread.
//
//   ORDO_ASSIGN_OR_RETURN(PlanResult plan, ComputePlan(cfg, {"shop", "production"}, nullptr));
//   for (const DeploymentPlan& d : plan.deployments) for (auto& s : d.statements) …
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "ordo/status.h"
#include "schema/lint.h"

namespace ordo::app {

struct PlanRequest {
  std::string database;
  std::string environment;
};

struct PlannedStatement {
  std::string table;
  std::string kind;                  // "create", "alter", "drop"
  std::string statement;             // one statement, no trailing ';', unqualified table names
  std::vector<std::string> details;  // what it changes, one line each
};

struct DeploymentPlan {
  std::string deployment;
  std::string schema;  // the deployment's schema (its DSN's database)
  // sha256 of the live tables' SHOW CREATE TABLE texts (AUTO_INCREMENT= aside), in
  // table order: a stored plan applies only while this still holds.
  std::string live_fingerprint;
  std::vector<PlannedStatement> statements;  // empty: already as the files say
  // The lint of this change (schema/lint.h), worst first: what refuses it (blocked;
  // unsafe without --allow-unsafe), what runs natively, advice.
  std::vector<schema::Finding> findings;

  std::vector<std::string> TablesChanged() const;
};

// Deployments whose live schemas are alike; groups after the first say what turns the
// first group's schema into theirs.
struct PlanDriftGroup {
  std::vector<std::string> deployments;
  std::string live_fingerprint;
  std::vector<PlannedStatement> differences;
};

struct PlanResult {
  std::string database;
  std::string environment;
  std::string schema_dir;                   // as resolved (relative to the config file's directory)
  std::string desired_hash;                 // sha256 of the sorted file names and contents
  std::vector<PlanDriftGroup> drift;        // one group: no drift
  std::vector<DeploymentPlan> deployments;  // in deployment order

  bool drifted() const { return drift.size() > 1; }
  bool HasChanges() const;
};

// Returns true when the caller wants the plan stopped (Ctrl-C); nullptr: never.
using PlanCancel = std::function<bool()>;

// InvalidArgument naming the config key for an unconfigured database/environment or a
// missing schema_dir, "FILE:LINE: …" for a schema file that is not CREATE TABLE
// statements or that the server refuses, or naming the table and the difference when a
// plan does not verify; the connect error (connect_error.h) of a deployment that does
// not answer; Cancelled when `cancelled` says so.
Result<PlanResult> ComputePlan(const Config& cfg, const PlanRequest& request,
                               const PlanCancel& cancelled);

}  // namespace ordo::app

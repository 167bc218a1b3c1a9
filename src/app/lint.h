// The lint use cases both edges share: `ordo lint` lints the live schema of every
// deployment of an environment alone (schema/lint.h, LintSchema: what blocks the online
// path and the advisory rules), and the findings' one text and one JSON form, which
// `ordo lint` and `ordo plan` print alike.
//
// Thread-safety: pure functions, except LintEnvironment, which connects to each
// deployment in turn (one connection at a time, closed before the next).
//
//   ORDO_ASSIGN_OR_RETURN(auto linted, LintEnvironment(cfg, "shop", "production"));
//   for (const DeploymentLint& d : linted) std::cout << FindingsText(d.findings, "  ");
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "ordo/status.h"
#include "schema/lint.h"

namespace ordo::app {

// One deployment's lint.
struct DeploymentLint {
  std::string deployment;
  std::string dsn;  // redacted, for messages
  // Connecting and reading the schema: a login refused is InvalidArgument, a server that
  // does not answer Unavailable (app/connect_error.h).
  Status reached;
  std::vector<schema::Finding> findings;  // ladder order (schema::SortFindings)
};

// Lints the live schema (the DSN's database) of every deployment of the environment, in
// deployment order; a deployment that cannot be reached is reported in its `reached`,
// the others are still linted. InvalidArgument naming the config path for a database or
// environment that is not configured.
Result<std::vector<DeploymentLint>> LintEnvironment(const Config& cfg, std::string_view database,
                                                    std::string_view environment);

// How many findings of each severity: {blocked, unsafe, native, advisory}.
std::array<int, 4> CountFindings(const std::vector<schema::Finding>& findings);

// One line a finding, each starting with `indent`:
//   "blocked   no-primary-key  logs: it has no primary key …"
// The subject is the table, `table.column` or `table (index name)`.
std::string FindingsText(const std::vector<schema::Finding>& findings, std::string_view indent);

// [{"severity":"blocked","rule":"no-primary-key","table":"logs","column":null,
//   "index":null,"message":"…"}]
nlohmann::json FindingsJson(const std::vector<schema::Finding>& findings);

}  // namespace ordo::app

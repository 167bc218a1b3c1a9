#include "app/ddl_input.h"

#include <set>

#include "db/dsn.h"
#include "engine/ddl_check.h"

namespace ordo::app {

Result<std::vector<NewOperation>> BuildOperations(const EnvironmentConfig& env,
                                                  const std::vector<std::string>& ddls) {
  if (ddls.empty()) return InvalidArgument("--ddl: at least one ALTER TABLE statement is needed");
  std::vector<engine::AlterTarget> alters;
  std::set<std::string> tables;
  for (size_t i = 0; i < ddls.size(); ++i) {
    std::string where = "--ddl #" + std::to_string(i + 1);
    auto alter = engine::ParseAlterTarget(ddls[i]);
    if (!alter.ok()) return InvalidArgument(where + ": " + alter.status().message());
    if (!tables.insert(alter->table_name).second)
      return InvalidArgument(where + ": table " + alter->table_name +
                             " is changed twice; put every change of a table in one ALTER TABLE");
    alters.push_back(std::move(alter).value());
  }
  std::vector<NewOperation> out;
  for (const DeploymentConfig& d : env.deployments) {
    auto dsn = db::ParseDsn(d.dsn);
    if (!dsn.ok()) return InvalidArgument("deployment " + d.name + ": " + dsn.status().message());
    if (dsn->database.empty())
      return InvalidArgument("deployment " + d.name + ": its dsn " + dsn->Redacted() +
                             " names no database (the schema the changes apply to)");
    NewOperation op;
    op.deployment = d.name;
    for (size_t i = 0; i < alters.size(); ++i) {
      const engine::AlterTarget& a = alters[i];
      if (!a.schema_name.empty() && a.schema_name != dsn->database) {
        return InvalidArgument("--ddl #" + std::to_string(i + 1) + ": table " + a.schema_name +
                               "." + a.table_name + " is not in deployment " + d.name +
                               "'s database " + dsn->database + "; leave the table unqualified");
      }
      op.changes.push_back(NewChange{dsn->database, a.table_name, ddls[i]});
    }
    out.push_back(std::move(op));
  }
  return out;
}

}  // namespace ordo::app

#include "engine/ddl_check.h"

#include "engine/mysql/ddl.h"
#include "engine/mysql/ddl_trial.h"
#include "engine/mysql/mysql_engine.h"

namespace ordo::engine {

Result<AlterTarget> ParseAlterTarget(std::string_view ddl) {
  ORDO_ASSIGN_OR_RETURN(AlterStatement alter, ParseAlter(ddl));
  return AlterTarget{std::move(alter.schema_name), std::move(alter.table_name)};
}

DdlTrial TryChangesOnDeployment(const db::Dsn& dsn, const std::vector<TableChange>& changes,
                                int connect_timeout_s) {
  db::MysqlConnectOptions options = EngineConnectOptions();
  options.connect_timeout_s = connect_timeout_s;
  auto conn = db::MysqlConnection::Connect(dsn, options);
  if (!conn.ok()) return {conn.status(), Status::Ok()};
  return {Status::Ok(), TryChanges(**conn, dsn.database, changes)};
}

}  // namespace ordo::engine

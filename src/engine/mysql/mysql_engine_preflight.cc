// MysqlEngine: preflight (input, server settings, the tables, the DDL on an empty copy).
#include <set>

#include "engine/mysql/mysql_engine.h"

namespace ordo {
namespace {

std::string CheckTableName(std::string_view table) {
  std::string name = ShadowTableName(table);
  return name.substr(0, name.size() - 4) + "_chk";
}

}  // namespace

MysqlConnectOptions EngineConnectOptions() {
  MysqlConnectOptions o;
  o.read_timeout_s = 3600;  // a chunk or a checksum may run for a while under load
  o.init_statements = {
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
      "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
      "SET SESSION time_zone = '+00:00'",
      "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "SET SESSION max_error_count = 65535",
      "SET SESSION innodb_lock_wait_timeout = 20",
      "SET SESSION lock_wait_timeout = 120",
  };
  return o;
}

Status MysqlEngine::CheckServer(MysqlConnection& conn) {
  ORDO_ASSIGN_OR_RETURN(SqlRows v, conn.Query("SELECT @@log_bin, @@binlog_format, @@binlog_row_image"));
  const SqlRow& r = v.rows.at(0);
  if (r[0].value_or("0") != "1")
    return FailedPrecondition("binary logging is off on the target; ordo needs log_bin");
  if (r[1].value_or("") != "ROW")
    return FailedPrecondition("binlog_format is " + r[1].value_or("?") + "; ordo needs ROW");
  if (r[2].value_or("") != "FULL")
    return FailedPrecondition("binlog_row_image is " + r[2].value_or("?") + "; ordo needs FULL");
  ORDO_ASSIGN_OR_RETURN(SqlRows grants, conn.Query("SHOW GRANTS FOR CURRENT_USER()"));
  bool replication = false;
  for (const SqlRow& g : grants.rows) {
    std::string text = g[0].value_or("");
    if (text.find("ALL PRIVILEGES ON *.*") != std::string::npos ||
        text.find("REPLICATION SLAVE") != std::string::npos ||
        text.find("REPLICATION REPLICA") != std::string::npos)
      replication = true;
  }
  if (!replication)
    return FailedPrecondition("the target user lacks the REPLICATION SLAVE privilege (binlog capture)");
  return Status::Ok();
}

Result<std::unique_ptr<TablePlan>> MysqlEngine::PlanTable(MysqlConnection& conn,
                                                          const TableChange& change,
                                                          const AlterStatement& alter) {
  std::string where = QuoteTable(change.schema_name, change.table_name);
  ORDO_ASSIGN_OR_RETURN(TableInfo source, LoadTableInfo(conn, change.schema_name, change.table_name));
  if (!source.foreign_keys.empty())
    return FailedPrecondition(where + " has foreign keys (" + source.foreign_keys[0] +
                              "); no supported strategy changes such tables yet");
  if (!source.triggers.empty())
    return FailedPrecondition(where + " has triggers (" + source.triggers[0] +
                              "); they would not follow the swap");
  // The DDL is tried on an empty copy first, which also tells the new definition.
  std::string check = QuoteTable(change.schema_name, CheckTableName(change.table_name));
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + check));
  ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + check + " LIKE " + where));
  Status altered = conn.Execute("ALTER TABLE " + check + " " + alter.spec);
  Result<TableInfo> shadow = altered.ok() ? LoadTableInfo(conn, change.schema_name,
                                                          CheckTableName(change.table_name))
                                          : Result<TableInfo>(altered);
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + check));
  if (!altered.ok())
    return InvalidArgument(where + ": the change does not apply: " + altered.message());
  if (!shadow.ok()) return shadow.status();
  shadow->table_name = ShadowTableName(change.table_name);
  ORDO_ASSIGN_OR_RETURN(TablePlan plan, BuildTablePlan(std::move(source), std::move(*shadow), alter));
  for (int k : plan.source_key) {
    bool common = false;
    for (int i : plan.source_index) common = common || i == k;
    if (!common)
      return FailedPrecondition(where + ": the change drops a column of the table's key");
  }
  return std::make_unique<TablePlan>(std::move(plan));
}

Status MysqlEngine::Preflight() {
  if (preflight_done_) return Status::Ok();
  if (spec_.changes.empty()) return InvalidArgument("the operation has no table change");
  std::set<std::pair<std::string, std::string>> seen;
  alters_.clear();
  for (TableChange& change : spec_.changes) {
    if (change.schema_name.empty()) change.schema_name = dsn_.database;
    std::string where = QuoteTable(change.schema_name, change.table_name);
    if (change.schema_name.empty())
      return InvalidArgument(where + ": no schema (neither in the change nor in the DSN)");
    auto alter = ParseAlter(change.ddl);
    if (!alter.ok()) return alter.status().WithContext(where);
    if (alter->table_name != change.table_name ||
        (!alter->schema_name.empty() && alter->schema_name != change.schema_name))
      return InvalidArgument(where + ": the DDL alters another table (" +
                             QuoteTable(alter->schema_name, alter->table_name) + ")");
    if (!seen.insert({change.schema_name, change.table_name}).second)
      return InvalidArgument(where + ": one ALTER TABLE per table; this table appears twice");
    alters_.push_back(std::move(*alter));
  }
  if (!pool_) pool_ = std::make_unique<MysqlPool>(dsn_, EngineConnectOptions(), 16);
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ORDO_RETURN_IF_ERROR(CheckServer(*conn));
  plans_.clear();
  plan_ptrs_.clear();
  for (size_t i = 0; i < spec_.changes.size(); ++i) {
    ORDO_ASSIGN_OR_RETURN(auto plan, PlanTable(*conn, spec_.changes[i], alters_[i]));
    plan_ptrs_.push_back(plan.get());
    plans_.push_back(std::move(plan));
  }
  preflight_done_ = true;
  return Status::Ok();
}

}  // namespace ordo

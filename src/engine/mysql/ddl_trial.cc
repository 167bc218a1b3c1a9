#include "engine/mysql/ddl_trial.h"

#include "engine/mysql/ddl.h"
#include "engine/mysql/table_info.h"

namespace ordo::engine {
namespace {

// The session-private name of the trial table. Error messages name the real table.
constexpr const char* kTrialTable = "ordo_ddl_trial";

// The server cannot try this on a temporary table (1796: FULLTEXT on a temporary
// InnoDB table; 1478: an engine, e.g. partitioning, without TEMPORARY; 1845/1846: an
// ALGORITHM= or LOCK= clause a temporary table does not support; 1044/1142: a user
// without CREATE TEMPORARY TABLES — the preflight, on a real table, says what it needs).
bool NoTemporaryCopy(const Status& s) {
  for (unsigned int code : {1796u, 1478u, 1845u, 1846u, 1044u, 1142u})
    if (db::IsMysqlError(s, code)) return true;
  return false;
}

Status TryOne(db::MysqlConnection& conn, const std::string& schema, const TableChange& change) {
  const std::string where = db::QuoteTable(schema, change.table_name);
  auto statement = ParseChange(change.ddl);
  if (!statement.ok()) return InvalidArgument(where + ": " + statement.status().message());
  // CREATE and DROP TABLE (which neither the CLI nor the API takes) are left to the
  // preflight's CheckCreate / CheckDrop.
  if (statement->kind != ChangeKind::kAlter) return Status::Ok();
  auto info = LoadTableInfo(conn, schema, change.table_name);
  if (!info.ok()) {
    if (info.status().Is(StatusCode::kNotFound)) return InvalidArgument(where + " does not exist");
    return info.status();
  }
  if (Status s = RefuseUnsupported(*info, where); !s.ok()) return InvalidArgument(s.message());
  const std::string trial = db::QuoteTable(schema, kTrialTable);
  Status copied = conn.Execute("CREATE TEMPORARY TABLE " + trial + " LIKE " + where);
  if (!copied.ok()) return NoTemporaryCopy(copied) ? Status::Ok() : copied;
  Status altered = conn.Execute("ALTER TABLE " + trial + " " + statement->alter.spec);
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TEMPORARY TABLE " + trial));
  if (altered.ok() || NoTemporaryCopy(altered)) return Status::Ok();
  return InvalidArgument(where + ": the change does not apply: " +
                         WithTableName(altered.message(), kTrialTable, change.table_name));
}

}  // namespace

std::string WithTableName(std::string message, const std::string& internal,
                          const std::string& table) {
  for (size_t at = message.find(internal); at != std::string::npos;
       at = message.find(internal, at + table.size()))
    message.replace(at, internal.size(), table);
  return message;
}

Status TryChanges(db::MysqlConnection& conn, const std::string& default_schema,
                  const std::vector<TableChange>& changes) {
  for (const TableChange& c : changes) {
    std::string schema = c.schema_name.empty() ? default_schema : c.schema_name;
    if (schema.empty())
      return InvalidArgument(db::QuoteIdentifier(c.table_name) +
                             ": no schema (neither in the change nor in the DSN)");
    ORDO_RETURN_IF_ERROR(TryOne(conn, schema, c));
  }
  return Status::Ok();
}

}  // namespace ordo::engine

#include "engine/mysql/table_holders.h"

#include <algorithm>

namespace ordo::engine {
namespace {

constexpr const char* kSessionColumns =
    "p.ID, p.USER, p.HOST, COALESCE(TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), 0), "
    "COALESCE(p.INFO, '')";

std::vector<TableHolder> Sessions(const db::SqlRows& rows, const std::vector<uint64_t>& ours) {
  std::vector<TableHolder> out;
  for (const auto& r : rows.rows) {
    uint64_t id = std::stoull(r[0].value_or("0"));
    if (std::find(ours.begin(), ours.end(), id) != ours.end()) continue;
    std::string statement = r[4].value_or("");
    if (statement.size() > 120) statement = statement.substr(0, 117) + "...";
    out.push_back({id, "session " + std::to_string(id) + " (" + r[1].value_or("") + "@" +
                           r[2].value_or("") + ", " + r[3].value_or("0") +
                           " s in a transaction): " +
                           (statement.empty() ? "idle in its transaction" : statement)});
  }
  return out;
}

}  // namespace

Result<TableHolders> ListTableHolders(
    db::MysqlConnection& conn, const std::vector<std::pair<std::string, std::string>>& tables,
    int64_t since_ms, const std::vector<uint64_t>& ours) {
  std::string names;
  std::vector<db::SqlValue> params;
  for (const auto& [schema, table] : tables) {
    names +=
        (names.empty() ? "" : " OR ") + std::string("(m.TABLE_SCHEMA = ? AND m.TABLE_NAME = ?)");
    params.push_back(db::SqlValue::Text(schema));
    params.push_back(db::SqlValue::Text(table));
  }
  TableHolders out;
  auto exact =
      conn.Query(std::string("SELECT DISTINCT ") + kSessionColumns +
                     " FROM information_schema.METADATA_LOCK_INFO m "
                     "JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID "
                     "LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID "
                     "WHERE " +
                     names + " ORDER BY t.trx_started",
                 params);
  if (exact.ok()) {
    out.exact = true;
    out.sessions = Sessions(*exact, ours);
    return out;
  }
  // No plugin: the transactions open since before the tries began.
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows open,
      conn.Query(std::string("SELECT ") + kSessionColumns +
                     " FROM information_schema.INNODB_TRX t "
                     "JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
                     // trx_started has whole seconds: NOW(6), or a
                     // transaction of this second would be missed.
                     "WHERE t.trx_started <= NOW(6) - INTERVAL ? MICROSECOND "
                     "ORDER BY t.trx_started",
                 {db::SqlValue::Int(since_ms * 1000)}));
  out.sessions = Sessions(open, ours);
  return out;
}

std::string Describe(const TableHolders& holders) {
  std::string out;
  for (size_t i = 0; i < holders.sessions.size() && i < 5; ++i)
    out += (out.empty() ? "" : "; ") + holders.sessions[i].description;
  return out;
}

}  // namespace ordo::engine

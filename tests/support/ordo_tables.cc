#include "ordo_tables.h"

#include <algorithm>

namespace ordo::testing {

Result<std::vector<std::string>> TableNames(db::MysqlConnection& conn, const std::string& db) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES "
                                   "WHERE TABLE_SCHEMA = ?",
                                   {db::SqlValue::Text(db)}));
  std::vector<std::string> out;
  for (const auto& r : rows.rows) out.push_back(r[0].value_or(""));
  // Byte order: the server's ORDER BY (utf8mb3_general_ci) sorts '_' after letters.
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> OrdoTables(db::MysqlConnection& conn, const std::string& db) {
  ORDO_ASSIGN_OR_RETURN(std::vector<std::string> all, TableNames(conn, db));
  std::vector<std::string> out;
  for (std::string& name : all)
    if (name.find("_ordo_") != std::string::npos && name.find("_ordo_bak_") == std::string::npos)
      out.push_back(std::move(name));
  return out;
}

}  // namespace ordo::testing

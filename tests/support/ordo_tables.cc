#include "ordo_tables.h"

#include <algorithm>

namespace ordo::testing {

Result<std::vector<std::string>> OrdoTables(MysqlConnection& conn, const std::string& db) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES "
                                                 "WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '%\\_ordo\\_%' "
                                                 "AND TABLE_NAME NOT LIKE '%\\_ordo\\_bak\\_%'",
                                                 {SqlValue::Text(db)}));
  std::vector<std::string> out;
  for (const auto& r : rows.rows) out.push_back(r[0].value_or(""));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ordo::testing

#include "engine/mysql/instant.h"

#include <cctype>
#include <cstdio>

namespace ordo::engine {
namespace {

// Drops " AUTO_INCREMENT=<digits>" (the counter differs between a table and its
// empty copy) and the table's own name from the first line.
std::string Normalize(std::string ddl) {
  size_t open = ddl.find('(');
  if (open != std::string::npos) ddl = "CREATE TABLE t " + ddl.substr(open);
  const std::string counter = " AUTO_INCREMENT=";
  for (size_t at = ddl.find(counter); at != std::string::npos; at = ddl.find(counter, at)) {
    size_t end = at + counter.size();
    while (end < ddl.size() && std::isdigit(static_cast<unsigned char>(ddl[end]))) ++end;
    ddl.erase(at, end - at);
  }
  return ddl;
}

}  // namespace

std::string InstantAlter(const std::string& quoted_table, const std::string& spec) {
  return "ALTER TABLE " + quoted_table + " " + spec + ", ALGORITHM=INSTANT";
}

Result<std::string> DefinitionHash(db::MysqlConnection& conn, const std::string& schema,
                                   const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SHOW CREATE TABLE " + db::QuoteTable(schema, table)));
  if (rows.rows.empty() || rows.rows[0].size() < 2 || !rows.rows[0][1])
    return NotFound("no definition for " + db::QuoteTable(schema, table));
  // FNV-1a, 64 bits: stable across processes and builds.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : Normalize(*rows.rows[0][1])) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return std::string(hex);
}

}  // namespace ordo::engine

#include "engine/mysql/deferred_indexes.h"

#include <set>
#include <sstream>

namespace ordo {

std::vector<std::string> PlainIndexClauses(const std::string& create_table) {
  std::vector<std::string> out;
  std::istringstream in(create_table);
  std::string line;
  while (std::getline(in, line)) {
    size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, 5, "KEY `") != 0) continue;
    std::string clause = line.substr(start);
    if (!clause.empty() && clause.back() == ',') clause.pop_back();
    out.push_back(std::move(clause));
  }
  return out;
}

std::string IndexName(const std::string& clause) {
  size_t open = clause.find('`');
  if (open == std::string::npos) return "";
  std::string name;
  for (size_t i = open + 1; i < clause.size(); ++i) {
    if (clause[i] != '`') {
      name += clause[i];
      continue;
    }
    if (i + 1 < clause.size() && clause[i + 1] == '`') {  // a doubled backtick
      name += '`';
      ++i;
      continue;
    }
    return name;
  }
  return "";
}

Result<std::vector<std::string>> DeferIndexes(MysqlConnection& conn, const std::string& schema,
                                              const std::string& shadow) {
  const std::string table = QuoteTable(schema, shadow);
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SHOW CREATE TABLE " + table));
  if (rows.rows.empty() || rows.rows[0].size() < 2) return Internal("SHOW CREATE TABLE " + table + " returned nothing");
  std::vector<std::string> clauses = PlainIndexClauses(rows.rows[0][1].value_or(""));
  if (clauses.empty()) return clauses;
  std::string drop;
  for (const std::string& c : clauses) {
    std::string name = IndexName(c);
    if (name.empty()) return Internal("cannot read the index name of \"" + c + "\"");
    drop += (drop.empty() ? "" : ", ") + std::string("DROP INDEX ") + QuoteIdentifier(name);
  }
  ORDO_RETURN_IF_ERROR(conn.Execute("ALTER TABLE " + table + " " + drop));
  return clauses;
}

Result<std::string> AddMissingStatement(MysqlConnection& conn, const std::string& schema,
                                        const std::string& shadow,
                                        const std::vector<std::string>& clauses) {
  if (clauses.empty()) return std::string();
  ORDO_ASSIGN_OR_RETURN(SqlRows rows,
                        conn.Query("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
                                   "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                   {SqlValue::Text(schema), SqlValue::Text(shadow)}));
  std::set<std::string> present;
  for (const SqlRow& r : rows.rows) present.insert(r[0].value_or(""));
  std::string add;
  for (const std::string& c : clauses) {
    if (present.count(IndexName(c))) continue;
    add += (add.empty() ? "" : ", ") + std::string("ADD ") + c;
  }
  if (add.empty()) return std::string();
  return "ALTER TABLE " + QuoteTable(schema, shadow) + " " + add + ", ALGORITHM=INPLACE, LOCK=NONE";
}

}  // namespace ordo

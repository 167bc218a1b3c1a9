#include "engine/mysql/deferred_indexes.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace ordo::engine {

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

std::vector<IndexPart> IndexParts(const std::string& clause) {
  std::vector<IndexPart> parts;
  // Past the index name: "KEY `name` (".
  size_t i = clause.find('`');
  if (i == std::string::npos) return parts;
  i += 1 + IndexName(clause).size();
  while (i < clause.size() && clause[i] != '`') ++i;  // the name's closing backtick
  i = clause.find('(', i);
  if (i == std::string::npos) return parts;
  ++i;
  while (i < clause.size() && clause[i] != ')') {
    if (clause[i] != '`') {
      ++i;  // spaces, commas, DESC/ASC
      continue;
    }
    IndexPart part;
    for (++i; i < clause.size(); ++i) {
      if (clause[i] != '`') {
        part.column += clause[i];
      } else if (i + 1 < clause.size() && clause[i + 1] == '`') {
        part.column += '`';
        ++i;
      } else {
        ++i;
        break;
      }
    }
    if (i < clause.size() && clause[i] == '(') {
      for (++i; i < clause.size() && std::isdigit(static_cast<unsigned char>(clause[i])); ++i)
        part.prefix = part.prefix * 10 + (clause[i] - '0');
      if (i < clause.size() && clause[i] == ')') ++i;
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

double DeferredBuildShare(const TableInfo& shadow, const std::vector<std::string>& clauses) {
  constexpr int64_t kMaxColumnBytes = 767;
  auto width = [&](const std::string& name, int64_t prefix) -> int64_t {
    int i = shadow.ColumnIndex(name);
    if (i < 0) return 0;
    const ColumnInfo& c = shadow.columns[static_cast<size_t>(i)];
    int64_t bytes = prefix > 0 ? std::min(c.max_bytes, prefix * c.bytes_per_char) : c.max_bytes;
    return std::min(bytes, kMaxColumnBytes);
  };
  int64_t row = 0;
  for (const ColumnInfo& c : shadow.columns) row += std::min(c.max_bytes, kMaxColumnBytes);
  if (row <= 0 || clauses.empty()) return 0;
  int64_t key = 0;
  for (const std::string& k : shadow.key_columns) key += width(k, 0);
  double share = 0;
  for (const std::string& clause : clauses) {
    int64_t entry = key;
    for (const IndexPart& p : IndexParts(clause)) entry += width(p.column, p.prefix);
    share += static_cast<double>(entry) / static_cast<double>(row);
  }
  return share;
}

Result<std::vector<std::string>> DeferIndexes(db::MysqlConnection& conn, const std::string& schema,
                                              const std::string& shadow) {
  const std::string table = db::QuoteTable(schema, shadow);
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn.Query("SHOW CREATE TABLE " + table));
  if (rows.rows.empty() || rows.rows[0].size() < 2)
    return Internal("SHOW CREATE TABLE " + table + " returned nothing");
  std::vector<std::string> clauses = PlainIndexClauses(rows.rows[0][1].value_or(""));
  if (clauses.empty()) return clauses;
  std::string drop;
  for (const std::string& c : clauses) {
    std::string name = IndexName(c);
    if (name.empty()) return Internal("cannot read the index name of \"" + c + "\"");
    drop += (drop.empty() ? "" : ", ") + std::string("DROP INDEX ") + db::QuoteIdentifier(name);
  }
  ORDO_RETURN_IF_ERROR(conn.Execute("ALTER TABLE " + table + " " + drop));
  return clauses;
}

Result<std::string> AddMissingStatement(db::MysqlConnection& conn, const std::string& schema,
                                        const std::string& shadow,
                                        const std::vector<std::string>& clauses) {
  if (clauses.empty()) return std::string();
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
                                   "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                   {db::SqlValue::Text(schema), db::SqlValue::Text(shadow)}));
  std::set<std::string> present;
  for (const db::SqlRow& r : rows.rows) present.insert(r[0].value_or(""));
  std::string add;
  for (const std::string& c : clauses) {
    if (present.count(IndexName(c))) continue;
    add += (add.empty() ? "" : ", ") + std::string("ADD ") + c;
  }
  if (add.empty()) return std::string();
  return "ALTER TABLE " + db::QuoteTable(schema, shadow) + " " + add +
         ", ALGORITHM=INPLACE, LOCK=NONE";
}

}  // namespace ordo::engine

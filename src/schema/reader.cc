#include "schema/reader.h"

#include <set>

#include "schema/create_text.h"

namespace ordo::schema {
namespace {

std::string Cell(const db::SqlRow& row, size_t i) { return row[i].value_or(""); }

std::string CharsetOf(std::string_view collation) {
  size_t us = collation.find('_');
  return std::string(collation.substr(0, us));
}

// ROW_FORMAT as declared, from TABLES.CREATE_OPTIONS ("row_format=DYNAMIC …").
std::string DeclaredRowFormat(std::string_view create_options) {
  size_t at = create_options.find("row_format=");
  if (at == std::string_view::npos) return "";
  std::string_view rest = create_options.substr(at + 11);
  return std::string(rest.substr(0, rest.find(' ')));
}

Status ReadColumns(db::MysqlConnection& conn, std::string_view schema_name, SchemaDef& out) {
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      conn.Query("SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, "
                 "DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT, "
                 "EXTRA, GENERATION_EXPRESSION, CHARACTER_MAXIMUM_LENGTH "
                 "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? "
                 "ORDER BY TABLE_NAME, ORDINAL_POSITION",
                 {db::SqlValue::Text(std::string(schema_name))}));
  for (const db::SqlRow& r : rows.rows) {
    auto it = out.tables.find(Cell(r, 0));
    if (it == out.tables.end()) continue;  // a view
    ColumnDef c;
    c.name = Cell(r, 1);
    c.position = std::stoi(Cell(r, 2));
    c.default_value = r[3];
    c.nullable = Cell(r, 4) == "YES";
    c.data_type = Cell(r, 5);
    c.column_type = Cell(r, 6);
    c.charset = Cell(r, 7);
    c.collation = Cell(r, 8);
    c.comment = Cell(r, 9);
    c.extra = Cell(r, 10);
    c.generation_expression = Cell(r, 11);
    if (r[12]) c.max_length = std::stoll(*r[12]);
    it->second.columns.push_back(std::move(c));
  }
  return Status::Ok();
}

Status ReadIndexes(db::MysqlConnection& conn, std::string_view schema_name, SchemaDef& out) {
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      conn.Query("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, "
                 "INDEX_COMMENT, COLLATION FROM information_schema.STATISTICS "
                 "WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
                 {db::SqlValue::Text(std::string(schema_name))}));
  std::map<std::string, std::map<std::string, IndexDef>> by_table;
  for (const db::SqlRow& r : rows.rows) {
    IndexDef& idx = by_table[Cell(r, 0)][Cell(r, 1)];
    idx.name = Cell(r, 1);
    idx.unique = Cell(r, 2) == "0";
    idx.type = Cell(r, 5);
    idx.comment = Cell(r, 6);
    IndexPart part;
    part.column = Cell(r, 3);
    if (r[4]) part.prefix_length = std::stoll(*r[4]);
    part.descending = Cell(r, 7) == "D";
    idx.parts.push_back(std::move(part));
  }
  for (auto& [table, indexes] : by_table) {
    auto it = out.tables.find(table);
    if (it == out.tables.end()) continue;
    // In SHOW CREATE TABLE's order, which the key lines give.
    for (IndexDef& placed : it->second.indexes) {
      auto found = indexes.find(placed.name);
      if (found == indexes.end()) continue;
      std::string definition = std::move(placed.definition);
      placed = std::move(found->second);
      placed.definition = std::move(definition);
    }
  }
  return Status::Ok();
}

// The key's name in its SHOW CREATE TABLE line: PRIMARY, or the quoted name after KEY.
std::string KeyName(std::string_view line) {
  if (line.substr(0, 12) == "PRIMARY KEY ") return "PRIMARY";
  size_t key = line.find("KEY `");
  if (key == std::string_view::npos) return "";
  return LeadingIdentifier(line.substr(key + 4));
}

Status ReadCreateText(db::MysqlConnection& conn, std::string_view schema_name, TableDef& t) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SHOW CREATE TABLE " + db::QuoteTable(schema_name, t.name)));
  if (rows.rows.empty() || rows.rows[0].size() < 2 || !rows.rows[0][1])
    return Internal("SHOW CREATE TABLE " + t.name + " returned nothing");
  t.create_sql = *rows.rows[0][1];
  ORDO_ASSIGN_OR_RETURN(CreateTableParts parts, SplitCreateTable(t.create_sql));
  if (parts.columns.size() != t.columns.size())
    return Internal("table " + t.name + ": SHOW CREATE TABLE and information_schema disagree");
  for (size_t i = 0; i < parts.columns.size(); ++i) t.columns[i].definition = parts.columns[i];
  for (std::string& line : parts.keys) {
    IndexDef idx;
    idx.name = KeyName(line);
    idx.definition = std::move(line);
    t.indexes.push_back(std::move(idx));
  }
  for (std::string& line : parts.constraints) {
    ConstraintDef c;
    c.name = LeadingIdentifier(line.substr(11));
    c.kind = line.find(" FOREIGN KEY ") != std::string::npos ? "FOREIGN KEY" : "CHECK";
    c.definition = std::move(line);
    t.constraints.push_back(std::move(c));
  }
  t.options.text = parts.options;
  t.options.items = ParseTableOptions(parts.options);
  return Status::Ok();
}

Result<SchemaDef> Read(db::MysqlConnection& conn, std::string_view schema_name,
                       const std::vector<std::string>* only) {
  SchemaDef out;
  out.name = std::string(schema_name);
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows tables,
      conn.Query("SELECT TABLE_NAME, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT, "
                 "AUTO_INCREMENT FROM information_schema.TABLES "
                 "WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
                 {db::SqlValue::Text(std::string(schema_name))}));
  std::set<std::string> wanted;
  if (only != nullptr) wanted.insert(only->begin(), only->end());
  for (const db::SqlRow& r : tables.rows) {
    TableDef t;
    t.name = Cell(r, 0);
    if (only != nullptr && wanted.count(t.name) == 0) continue;
    t.options.engine = Cell(r, 1);
    t.options.collation = Cell(r, 2);
    t.options.charset = CharsetOf(t.options.collation);
    t.options.row_format = DeclaredRowFormat(Cell(r, 3));
    t.options.comment = Cell(r, 4);
    if (r[5]) t.auto_increment = std::stoull(*r[5]);
    out.tables.emplace(t.name, std::move(t));
  }
  if (out.tables.empty()) return out;
  ORDO_RETURN_IF_ERROR(ReadColumns(conn, schema_name, out));
  for (auto& [name, table] : out.tables)
    ORDO_RETURN_IF_ERROR(ReadCreateText(conn, schema_name, table));
  ORDO_RETURN_IF_ERROR(ReadIndexes(conn, schema_name, out));
  return out;
}

}  // namespace

Result<SchemaDef> ReadSchema(db::MysqlConnection& conn, std::string_view schema_name) {
  return Read(conn, schema_name, nullptr);
}

Result<SchemaDef> ReadTables(db::MysqlConnection& conn, std::string_view schema_name,
                             const std::vector<std::string>& tables) {
  return Read(conn, schema_name, &tables);
}

}  // namespace ordo::schema

#include "engine/mysql/table_info.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

namespace ordo::engine {

bool ColumnInfo::is_binary() const {
  return data_type == "binary" || data_type == "varbinary" || data_type == "tinyblob" ||
         data_type == "blob" || data_type == "mediumblob" || data_type == "longblob";
}

int TableInfo::ColumnIndex(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (strcasecmp(columns[i].name.c_str(), name.c_str()) == 0) return static_cast<int>(i);
  return -1;
}

Result<bool> TableExists(db::MysqlConnection& conn, const std::string& schema,
                         const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                                   "AND TABLE_NAME = ?",
                                   {db::SqlValue::Text(schema), db::SqlValue::Text(table)}));
  return !rows.rows.empty();
}

namespace {

// InnoDB stores a name as typed only when it is made of these; others are encoded.
bool PlainName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_';
  });
}

// The foreign keys of other tables (of any schema) that reference schema.table.
// information_schema.KEY_COLUMN_USAGE can only answer that on MariaDB by opening every
// table of every schema (slow on a server with many tables, and a load the server
// should not take from a preflight), so InnoDB's own list is read first
// (INNODB_SYS_FOREIGN: 'schema/table' names, read without opening a table). It is
// hidden without the PROCESS privilege, absent on MySQL 8 (whose information_schema
// is a view over its dictionary, cheap to ask) and holds encoded names for a schema or
// table outside [A-Za-z0-9_]: then the standard view answers.
Result<std::vector<std::string>> ReferencingKeys(db::MysqlConnection& conn,
                                                 const std::string& schema,
                                                 const std::string& table) {
  std::vector<std::string> names;
  if (PlainName(schema) && PlainName(table)) {
    const std::string ref = schema + "/" + table;
    // Compared without case (the view's collation): right under lower_case_table_names,
    // and at worst a refusal too many where `T` and `t` are two tables.
    auto innodb =
        conn.Query("SELECT ID FROM information_schema.INNODB_SYS_FOREIGN WHERE REF_NAME = ?",
                   {db::SqlValue::Text(ref)});
    if (innodb.ok()) {
      for (const db::SqlRow& r : innodb->rows) {
        std::string id = r[0].value_or("");
        names.push_back(id.substr(id.find('/') + 1));  // 'schema/constraint'
      }
      return names;
    }
  }
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      conn.Query("SELECT DISTINCT CONSTRAINT_NAME FROM information_schema.KEY_COLUMN_USAGE "
                 "WHERE REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?",
                 {db::SqlValue::Text(schema), db::SqlValue::Text(table)}));
  for (const db::SqlRow& r : rows.rows) names.push_back(r[0].value_or(""));
  return names;
}

}  // namespace

Result<TableInfo> LoadTableInfo(db::MysqlConnection& conn, const std::string& schema,
                                const std::string& table) {
  std::vector<db::SqlValue> where = {db::SqlValue::Text(schema), db::SqlValue::Text(table)};
  TableInfo info;
  info.schema_name = schema;
  info.table_name = table;
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows t, conn.Query("SELECT TABLE_ROWS, AVG_ROW_LENGTH FROM information_schema.TABLES "
                                "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                where));
  if (t.rows.empty()) return NotFound("table " + db::QuoteTable(schema, table) + " does not exist");
  if (t.rows[0][0]) info.estimated_rows = std::stoll(*t.rows[0][0]);
  if (t.rows[0].size() > 1 && t.rows[0][1]) info.avg_row_bytes = std::stoll(*t.rows[0][1]);

  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows cols,
      conn.Query("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, IS_GENERATED, "
                 "CHARACTER_SET_NAME, CHARACTER_OCTET_LENGTH, CHARACTER_MAXIMUM_LENGTH "
                 "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
                 "ORDER BY ORDINAL_POSITION",
                 where));
  for (const db::SqlRow& r : cols.rows) {
    ColumnInfo c;
    c.name = r[0].value_or("");
    c.data_type = r[1].value_or("");
    c.column_type = r[2].value_or("");
    c.nullable = r[3].value_or("") == "YES";
    c.generated = r[4].value_or("NEVER") != "NEVER";
    c.charset = r[5].value_or("");
    if (r.size() > 7 && r[6] && r[7]) {
      c.max_bytes = std::stoll(*r[6]);
      int64_t chars = std::stoll(*r[7]);
      if (chars > 0 && c.max_bytes >= chars) c.bytes_per_char = c.max_bytes / chars;
    }
    info.columns.push_back(std::move(c));
  }

  // Unique keys in a stable order, PRIMARY first; the first one whose columns are all
  // NOT NULL identifies rows.
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows keys,
      conn.Query("SELECT INDEX_NAME, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS "
                 "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 "
                 "ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX",
                 where));
  std::string current;
  std::vector<std::string> cols_of_key;
  bool usable = true;
  auto finish = [&]() {
    if (!current.empty() && usable && info.key_columns.empty()) {
      info.key_columns = cols_of_key;
      info.key_name = current;
    }
  };
  for (const db::SqlRow& r : keys.rows) {
    std::string name = r[0].value_or("");
    if (name != current) {
      ++info.unique_keys;
      finish();
      current = name;
      cols_of_key.clear();
      usable = true;
    }
    cols_of_key.push_back(r[1].value_or(""));
    if (r[2].value_or("") == "YES") usable = false;
  }
  finish();

  // The table's own foreign keys: a look-up of one table.
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows fks,
      conn.Query("SELECT DISTINCT CONSTRAINT_NAME FROM information_schema.KEY_COLUMN_USAGE "
                 "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND "
                 "REFERENCED_TABLE_NAME IS NOT NULL",
                 where));
  for (const db::SqlRow& r : fks.rows) info.foreign_keys.push_back(r[0].value_or(""));
  ORDO_ASSIGN_OR_RETURN(std::vector<std::string> referencing, ReferencingKeys(conn, schema, table));
  for (std::string& name : referencing)
    if (std::find(info.foreign_keys.begin(), info.foreign_keys.end(), name) ==
        info.foreign_keys.end())
      info.foreign_keys.push_back(std::move(name));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows trg,
                        conn.Query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
                                   "WHERE EVENT_OBJECT_SCHEMA = ? AND "
                                   "EVENT_OBJECT_TABLE = ?",
                                   where));
  for (const db::SqlRow& r : trg.rows) info.triggers.push_back(r[0].value_or(""));
  return info;
}

namespace {

std::string Names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Status RefuseUnsupported(const TableInfo& t, const std::string& where) {
  if (!t.foreign_keys.empty())
    return FailedPrecondition(where + " has foreign keys (" + Names(t.foreign_keys) +
                              "); no supported strategy changes such tables yet");
  if (!t.triggers.empty())
    return FailedPrecondition(where + " has triggers (" + Names(t.triggers) +
                              "); they would not follow the swap, and no supported strategy "
                              "changes such tables yet");
  return Status::Ok();
}

}  // namespace ordo::engine

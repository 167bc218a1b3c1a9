// The schema model of the declarative workflow: tables as the server describes them
// (information_schema and SHOW CREATE TABLE), for the diff, the verification and the
// lint rules. A SchemaDef is read from a live schema (reader.h) or from the files of
// `schema_dir` loaded into a scratch schema (scratch.h); both sides come from the
// server, so ordo never parses a CREATE TABLE itself beyond splitting SHOW CREATE
// TABLE's lines.
//
// Every `definition` field is the element's own line of SHOW CREATE TABLE (without the
// trailing comma): the DDL generator writes it back as it is, so what the server
// printed is what the server gets.
//
// Thread-safety: plain values.
//
//   const TableDef* t = schema.Find("orders");
//   for (const ColumnDef& c : t->columns) std::cout << c.name << " " << c.column_type;
//   const IndexDef* pk = t->FindIndex("PRIMARY");
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ordo::schema {

struct ColumnDef {
  std::string name;
  // The full type text as information_schema.COLUMNS.COLUMN_TYPE gives it:
  // "int(10) unsigned", "varchar(64)", "enum('a','b')".
  std::string column_type;
  std::string data_type;  // "int", "varchar", … (COLUMNS.DATA_TYPE)
  bool nullable = true;
  // COLUMNS.COLUMN_DEFAULT as MariaDB gives it: a quoted literal ('abc'), a number, an
  // expression (current_timestamp()), or "NULL"; nullopt: no default.
  std::optional<std::string> default_value;
  std::string charset;    // empty for non-string columns
  std::string collation;  // empty for non-string columns
  std::string comment;
  // COLUMNS.EXTRA: "auto_increment", "on update current_timestamp()", "VIRTUAL
  // GENERATED", … (lower case as the server gives it).
  std::string extra;
  std::string generation_expression;  // empty unless generated
  std::optional<int64_t> max_length;  // CHARACTER_MAXIMUM_LENGTH, for string types
  int position = 0;                   // 1-based ORDINAL_POSITION
  // The column's line of SHOW CREATE TABLE: "`id` int(11) NOT NULL AUTO_INCREMENT".
  std::string definition;
  // Desired side only: the live column this one is a rename of, declared in the schema
  // file by a `-- ordo:renamed-from old_name` comment on the column's line (empty: none).
  std::string renamed_from;

  bool auto_increment() const;
};

struct IndexPart {
  std::string column;
  std::optional<int64_t> prefix_length;  // STATISTICS.SUB_PART
  bool descending = false;
};

struct IndexDef {
  std::string name;  // "PRIMARY" for the primary key
  bool unique = false;
  std::string type;  // STATISTICS.INDEX_TYPE: BTREE, FULLTEXT, SPATIAL, HASH
  std::vector<IndexPart> parts;
  std::string comment;
  // The key's line of SHOW CREATE TABLE: "UNIQUE KEY `u_email` (`email`(20))".
  std::string definition;

  bool primary() const { return name == "PRIMARY"; }
};

// A constraint line of SHOW CREATE TABLE that is not an index: FOREIGN KEY or CHECK.
struct ConstraintDef {
  std::string name;
  std::string kind;        // "FOREIGN KEY" or "CHECK"
  std::string definition;  // "CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`)"
};

struct TableOptions {
  std::string engine;      // "InnoDB"
  std::string charset;     // table default character set
  std::string collation;   // table default collation
  std::string row_format;  // as declared (CREATE_OPTIONS); empty when not declared
  std::string comment;
  // The options part of SHOW CREATE TABLE after the closing parenthesis, with
  // AUTO_INCREMENT=N removed: "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 …".
  std::string text;
  // Each option of `text` by its name as printed ("ENGINE", "DEFAULT CHARSET",
  // "COLLATE", "ROW_FORMAT", "COMMENT", "KEY_BLOCK_SIZE", …) → its value text.
  std::map<std::string, std::string> items;
};

struct TableDef {
  std::string name;
  std::vector<ColumnDef> columns;  // in table order
  std::vector<IndexDef> indexes;   // in SHOW CREATE TABLE order (PRIMARY first)
  std::vector<ConstraintDef> constraints;
  TableOptions options;
  std::optional<uint64_t> auto_increment;  // TABLES.AUTO_INCREMENT (live value)
  // SHOW CREATE TABLE's text, verbatim.
  std::string create_sql;

  const ColumnDef* FindColumn(std::string_view column) const;
  const IndexDef* FindIndex(std::string_view index) const;
  const IndexDef* PrimaryKey() const { return FindIndex("PRIMARY"); }
};

struct SchemaDef {
  std::string name;                                     // the schema it was read from
  std::map<std::string, TableDef, std::less<>> tables;  // by table name

  const TableDef* Find(std::string_view table) const;
};

// SHOW CREATE TABLE's text with what does not describe the table's shape removed: the
// table option AUTO_INCREMENT=N. What fingerprints and comparisons use.
std::string NormalizeCreateTable(std::string_view create_sql);

// Whether two tables are the same for the plan: the same columns (definitions, order,
// charset/collation), indexes, constraints and options (AUTO_INCREMENT= ignored).
bool SameTable(const TableDef& a, const TableDef& b);

}  // namespace ordo::schema

// The diff of two schemas and the DDL that turns the current one into the desired one,
// as pure functions over the model (model.h).
//
// Per table, in a stable order: CREATE TABLE for each new table (the desired SHOW
// CREATE TABLE text), then one ALTER TABLE per changed table, then DROP TABLE for each
// table that is gone; tables by name within each group. An ALTER TABLE combines, in
// this order: foreign keys, checks and indexes dropped; columns dropped; columns
// renamed (only when declared, files.h), modified and added, each with FIRST/AFTER
// when its position changes; indexes, primary key and constraints added; table options.
// A column or index whose definition changed is rewritten from its desired SHOW CREATE
// TABLE line; columns are written with their character set and collation spelled out,
// so a change of the table's default does not leak into them.
//
// Thread-safety: pure functions.
//
//   for (const TableChange& c : DiffSchemas(live, desired)) std::cout << c.statement << ";\n";
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schema/model.h"

namespace ordo::schema {

enum class ChangeKind { kCreate, kAlter, kDrop };
std::string_view ToString(ChangeKind kind);  // "create", "alter", "drop"

struct TableChange {
  std::string table;
  ChangeKind kind = ChangeKind::kAlter;
  std::string statement;             // one statement, no trailing ';', unqualified names
  std::vector<std::string> details;  // what changes, one line each ("add column `x`")
};

// Every change from `current` to `desired`; empty when they are the same.
std::vector<TableChange> DiffSchemas(const SchemaDef& current, const SchemaDef& desired);

// The ALTER TABLE for one table; nullopt when nothing differs.
std::optional<TableChange> DiffTable(const TableDef& current, const TableDef& desired);

// The column's definition with CHARACTER SET and COLLATE spelled out (when it has them
// and its SHOW CREATE TABLE line leaves them to the table's default).
std::string ExplicitColumnDefinition(const ColumnDef& column);

}  // namespace ordo::schema

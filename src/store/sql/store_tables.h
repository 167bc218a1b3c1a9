// The control store's tables, their columns written once (docs/store-schema.md). Each
// backend's migrations create them through its TableDialect: how it spells a column
// type, the identity key, a reference to another table and a unique key. The indexes
// beyond the keys stay each backend's own, because each serves its own planner.
//
// Thread-safety: constant data and pure functions.
//
//   std::string ddl = sqlstore::CreateTable(sqlstore::kAppliesTable, MariaDbTables(),
//                                           {"KEY applies_by_state (state, failed_at)"});
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ordo::sqlstore {

enum class ColumnType {
  kId,        // the table's own surrogate key, assigned by the database
  kBigInt,    // a 64-bit integer (also a reference to an id)
  kInt,       // a 32-bit integer
  kFlag,      // 0 or 1
  kVarchar,   // text of at most ColumnSpec::length characters
  kToken,     // a lease token (a UUID's text)
  kText,      // text of any length
  kDocument,  // text of any length, up to megabytes (a DDL statement)
  kLongText,  // text of any length, possibly more (a resume state)
  kReal,      // a double
  kTime,      // an instant with microseconds (the dialect's timestamp type)
};
inline constexpr size_t kColumnTypes = 11;

struct ColumnSpec {
  std::string_view name;
  ColumnType type;
  bool nullable = false;
  std::string_view default_sql = {};  // e.g. "0", "'pending'"; empty for none
  int length = 0;                     // kVarchar only
};

// `column` references `target`'s id; the row goes when the target row does.
struct ReferenceSpec {
  std::string_view name;  // the constraint's name where the dialect names it
  std::string_view column;
  std::string_view target;
};

struct UniqueSpec {
  std::string_view name;
  std::string_view columns;  // "apply_id, deployment"
};

struct TableSpec {
  std::string_view name;
  std::vector<ColumnSpec> columns;    // in order; a kId column is the primary key
  std::string_view primary_key = {};  // the key's columns when there is no kId column
  std::vector<UniqueSpec> uniques;
  std::vector<ReferenceSpec> references;
};

// How one backend spells a table.
struct TableDialect {
  // Each ColumnType's spelling, in the enumeration's order; for kId the whole
  // definition after the name (type, identity and, where inline, the primary key).
  std::array<std::string_view, kColumnTypes> types;
  // kVarchar carries its length: "VARCHAR" becomes "VARCHAR(255)".
  bool varchar_length = false;
  // kId's primary key as a separate line ("PRIMARY KEY (id)"); false when the type
  // already says it.
  bool id_key_line = false;
  // References inline on the column ("REFERENCES applies (id) ON DELETE CASCADE")
  // rather than as a named constraint line.
  bool inline_references = false;
  // "CREATE TABLE IF NOT EXISTS" where a half-applied migration is run again.
  bool if_not_exists = false;
  // After the closing parenthesis: engine, charset and collation.
  std::string_view table_options = {};
};

// The tables, in creation order (a referenced table before the tables that reference
// it). apply_operations' cleanup_pending and the store's identity came later on the
// backends that had stores before them; each backend's migrations say when.
extern const TableSpec kAppliesTable;
extern const TableSpec kOperationsTable;
extern const TableSpec kChangesTable;
extern const TableSpec kRequestsTable;
extern const TableSpec kEventsTable;
extern const TableSpec kScopesTable;
extern const TableSpec kIdentityTable;

// apply_operations.cleanup_pending: the operation owes the cleanup of its target.
extern const ColumnSpec kCleanupPendingColumn;

// "CREATE TABLE name (…)" in `dialect`, with `extra_lines` (the backend's own inline
// indexes) after the keys.
std::string CreateTable(const TableSpec& table, const TableDialect& dialect,
                        const std::vector<std::string_view>& extra_lines = {});

// A table and what follows its CREATE TABLE in a script (the backend's "CREATE INDEX
// …;" statements).
struct ScriptedTable {
  TableSpec table;
  std::string_view then = {};
};

// Each table's "CREATE TABLE …;" and then its statements, for backends whose migration
// runs as one script.
std::string TablesScript(const std::vector<ScriptedTable>& tables, const TableDialect& dialect);

// `table` with `column` appended (a column a later migration added elsewhere).
TableSpec WithColumn(TableSpec table, const ColumnSpec& column);

// "name TYPE [NOT NULL|NULL] [DEFAULT …]" in `dialect`.
std::string ColumnDefinition(const ColumnSpec& column, const TableDialect& dialect);

}  // namespace ordo::sqlstore

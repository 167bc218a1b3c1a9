// Introspection of a table on the target: its columns in ordinal order, the key the
// engine copies and applies by, and what makes a table unsafe to change (foreign
// keys, triggers).
//
// Thread-safety: pure functions over a connection the caller owns.
//
//   ORDO_ASSIGN_OR_RETURN(TableInfo t, LoadTableInfo(conn, "shop", "orders"));
//   t.key_columns;  // {"id"}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo::engine {

struct ColumnInfo {
  std::string name;
  std::string data_type;    // e.g. "varchar"
  std::string column_type;  // e.g. "varchar(64)"
  std::string charset;      // CHARACTER_SET_NAME of text columns, e.g. "latin1"; empty otherwise
  bool nullable = false;
  bool generated = false;  // virtual or stored: never written by ordo
  // Declared width: CHARACTER_OCTET_LENGTH of text and binary columns, 8 for the others
  // (an estimate, for DeferredBuildShare); bytes_per_char: of the character set, else 1.
  int64_t max_bytes = 8;
  int64_t bytes_per_char = 1;
  bool is_binary() const;  // binary/varbinary/blob types: bound as bytes
};

struct TableInfo {
  std::string schema_name;
  std::string table_name;
  std::vector<ColumnInfo> columns;  // ordinal order (binlog images are positional)
  // The primary key, or else the first unique key over NOT NULL columns. Empty: none.
  std::vector<std::string> key_columns;
  std::string key_name;  // "PRIMARY" or the unique key's name
  int unique_keys = 0;   // all unique keys, the primary key included
  int64_t estimated_rows = 0;
  int64_t avg_row_bytes = 0;  // AVG_ROW_LENGTH: the server's estimate (0 for an empty table)
  std::vector<std::string> foreign_keys;  // constraint names, either direction
  std::vector<std::string> triggers;

  // Index of the column named `name` (case-insensitive), or -1.
  int ColumnIndex(const std::string& name) const;
};

// NotFound naming the table when it does not exist.
Result<TableInfo> LoadTableInfo(db::MysqlConnection& conn, const std::string& schema,
                                const std::string& table);

// Foreign keys and triggers: no supported strategy yet (a swap would leave foreign
// keys pointing at the old table; triggers stay with the old table). FailedPrecondition
// naming them; `where` names the table.
Status RefuseUnsupported(const TableInfo& t, const std::string& where);

// True when a table of that name exists.
Result<bool> TableExists(db::MysqlConnection& conn, const std::string& schema,
                         const std::string& table);

}  // namespace ordo::engine

// DDL input: checks that a change is exactly one ALTER TABLE, CREATE TABLE or DROP
// TABLE statement and splits it into the table it names and what the engine replays:
// the alter specification (run on the shadow table) or the create body (run to create
// the new table under ordo's shadow name).
//
// The specification text is the user's own SQL and is executed as given against the
// shadow (it cannot be bound); everything ordo adds around it (table names) is quoted.
// Refused with InvalidArgument naming the reason: several statements in one string, a
// statement other than ALTER TABLE, ALTER IGNORE (drops rows silently), a table
// rename inside the ALTER, and options that only make sense for an in-place ALTER
// (ALGORITHM, LOCK) are kept (they apply to the shadow, harmless).
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(AlterStatement a, ParseAlter("ALTER TABLE t ADD COLUMN x INT"));
//   a.table_name;  // "t"
//   a.spec;        // "ADD COLUMN x INT"
//   ORDO_ASSIGN_OR_RETURN(TableStatement c, ParseChange("CREATE TABLE u (id INT PRIMARY KEY)"));
//   c.kind;         // ChangeKind::kCreate
//   c.create_body;  // "(id INT PRIMARY KEY)"
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ordo/status.h"

namespace ordo::engine {

struct AlterStatement {
  std::string schema_name;  // empty when the statement does not qualify the table
  std::string table_name;
  std::string spec;  // everything after the table name, trimmed
  // Columns renamed by CHANGE [COLUMN] or RENAME COLUMN: old name → new name.
  std::map<std::string, std::string> renamed_columns;
};

// Parses one ALTER TABLE statement (a trailing ';' and comments are allowed).
Result<AlterStatement> ParseAlter(std::string_view ddl);

enum class ChangeKind { kAlter, kCreate, kDrop };

// One table change of any kind.
struct TableStatement {
  ChangeKind kind = ChangeKind::kAlter;
  std::string schema_name;  // empty when the statement does not qualify the table
  std::string table_name;
  AlterStatement alter;     // kAlter
  std::string create_body;  // kCreate: everything after the table name ("(…) ENGINE=…")
};

// Parses one ALTER TABLE, CREATE TABLE or DROP TABLE statement. Refused with
// InvalidArgument: CREATE TEMPORARY / OR REPLACE / IF NOT EXISTS, a CREATE that
// copies data (… SELECT), DROP of several tables or of a temporary table, DROP … IF
// EXISTS (a change must say what exists), anything ParseAlter refuses.
Result<TableStatement> ParseChange(std::string_view ddl);

}  // namespace ordo::engine

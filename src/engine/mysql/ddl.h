// DDL input: checks that a change is exactly one ALTER TABLE statement and splits it
// into the table it names and the alter specification the engine replays on the
// shadow table.
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
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ordo/status.h"

namespace ordo {

struct AlterStatement {
  std::string schema_name;  // empty when the statement does not qualify the table
  std::string table_name;
  std::string spec;  // everything after the table name, trimmed
  // Columns renamed by CHANGE [COLUMN] or RENAME COLUMN: old name → new name.
  std::map<std::string, std::string> renamed_columns;
};

// Parses one ALTER TABLE statement (a trailing ';' and comments are allowed).
Result<AlterStatement> ParseAlter(std::string_view ddl);

}  // namespace ordo

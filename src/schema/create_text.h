// SHOW CREATE TABLE's text split into its parts: one line per column, per key and per
// constraint, and the table options after the closing parenthesis, each option by its
// name. The server prints one element per line; this is all ordo reads of the text.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(CreateTableParts parts, SplitCreateTable(create_sql));
//   parts.columns[0];   // "`id` int(11) NOT NULL AUTO_INCREMENT"
//   parts.options;      // "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 …" (no AUTO_INCREMENT=)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/status.h"

namespace ordo::schema {

struct CreateTableParts {
  std::vector<std::string> columns;      // "`name` type …", without the trailing comma
  std::vector<std::string> keys;         // "PRIMARY KEY (…)", "UNIQUE KEY `u` (…)", "KEY …"
  std::vector<std::string> constraints;  // "CONSTRAINT `c` FOREIGN KEY …" / "… CHECK (…)"
  std::string options;                   // after ")", AUTO_INCREMENT=N removed
};

// InvalidArgument when the text is not SHOW CREATE TABLE's of a table.
Result<CreateTableParts> SplitCreateTable(std::string_view create_sql);

// The table options of SHOW CREATE TABLE by name ("ENGINE", "DEFAULT CHARSET",
// "COLLATE", "ROW_FORMAT", "COMMENT", …) → value as printed ('…' quoted for COMMENT).
// Anything after the options that is not `NAME=VALUE` (PARTITION BY …) is kept whole
// under "PARTITION".
std::map<std::string, std::string> ParseTableOptions(std::string_view options);

// The leading `quoted` identifier of a line ("`a``b` int" → "a`b"); "" when none.
std::string LeadingIdentifier(std::string_view line);

}  // namespace ordo::schema

// The instant fast path: whether MariaDB can apply a change with ALGORITHM=INSTANT
// (a metadata-only change: no copy, no rebuild), decided in preflight on an empty copy
// of the table (`CREATE TABLE … LIKE`, then the ALTER with ALGORITHM=INSTANT), so the
// real table is not touched until the cutover; and the table definition a change
// produces, so that a recovering engine can tell whether the ALTER already ran.
//
// On MariaDB 10.11 that includes ADD/DROP/RENAME COLUMN, SET/DROP DEFAULT, widening a
// VARCHAR, appending to an ENUM, RENAME INDEX and table comments; not ADD/DROP INDEX,
// column type changes, NOT NULL, charset changes (measured; docs/engine.md). An index
// build is not metadata-only whatever its algorithm, so INPLACE is never taken as
// instant.
//
// Thread-safety: pure functions over a connection the caller owns.
//
//   conn.Execute(InstantAlter("`shop`.`t_ordo_chk`", "ADD COLUMN x INT"));  // ok → instant
#pragma once

#include <string>

#include "db/mysql/connection.h"

namespace ordo::engine {

// "ALTER TABLE <quoted_table> <spec>, ALGORITHM=INSTANT".
std::string InstantAlter(const std::string& quoted_table, const std::string& spec);

// A stable hash (hex) of the table's definition (SHOW CREATE TABLE without its name and
// AUTO_INCREMENT counter). NotFound when the table does not exist.
Result<std::string> DefinitionHash(db::MysqlConnection& conn, const std::string& schema,
                                   const std::string& table);

}  // namespace ordo::engine

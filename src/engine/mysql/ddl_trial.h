// The trial of an apply's changes on one deployment before the apply exists, so that
// bad DDL is refused before anything is created (`ordo apply` runs it on every
// deployment it can reach). Nothing is written to the target: each ALTER runs on a
// TEMPORARY copy of the table's definition, which lives and dies with the trial's
// session (CREATE and DROP TABLE changes, which the CLI and the API do not take, are
// left to the preflight). A table whose
// definition cannot be copied to a temporary table (a FULLTEXT index on InnoDB, a
// partitioned table; a user without CREATE TEMPORARY TABLES) is left to the
// operation's own preflight, which tries the change on a real empty copy.
//
// Thread-safety: a pure function over a connection the caller owns.
//
//   Status s = TryChanges(*conn, dsn.database, changes);
//   // InvalidArgument: "`shop`.`orders`: the change does not apply: … Duplicate column name 'x'"
#pragma once

#include <string>
#include <vector>

#include "db/mysql/connection.h"
#include "ordo/engine.h"

namespace ordo::engine {

// InvalidArgument naming the table and why, for the first change that cannot apply:
// unparsable DDL, a table that is missing, one with foreign keys or triggers, or an
// ALTER the server refuses. Other errors (the connection) as they come.
Status TryChanges(db::MysqlConnection& conn, const std::string& default_schema,
                  const std::vector<TableChange>& changes);

// A server's error about a table of ordo's (a trial or check copy) in terms of the
// user's table: every `internal` in `message` becomes `table`.
std::string WithTableName(std::string message, const std::string& internal,
                          const std::string& table);

}  // namespace ordo::engine

// The MariaDB/MySQL dialect of the control store's schema, in one place: the versioned
// migrations (DDL) that ordo applies itself, rendering the shared tables of
// sql/store_tables.h with MariaDB's types and adding its own indexes.
// docs/store-schema.md is the shared meaning.
//
// Thread-safety: constants and one function that runs on the connection it is given.
//
//   ORDO_RETURN_IF_ERROR(mysql::RunMigrations(conn));
#pragma once

#include <string_view>
#include <vector>

#include "db/mysql/connection.h"
#include "ordo/status.h"

namespace ordo::mysql {

struct Migration {
  int version;
  // Statements run in order. DDL commits implicitly on MariaDB and MySQL, so a
  // migration interrupted half-way is simply run again: every statement is idempotent
  // (IF NOT EXISTS where MySQL 8 has it too: CREATE TABLE), or `applied` says the
  // statements already took effect.
  std::vector<std::string_view> statements;
  // A query that returns a row when the statements already took effect (they ran, and
  // the process stopped before the version was recorded): then only the version is
  // recorded. Empty when the statements are idempotent themselves.
  std::string_view applied = {};
};

// In ascending version order; never change what a released migration does, append a
// new one.
const std::vector<Migration>& Migrations();

// Brings the schema to the newest version. Concurrent callers (several workers starting
// at once) are serialised by a named server lock, so each migration runs once.
Status RunMigrations(db::MysqlConnection& conn);

// The newest applied version, 0 for an empty database.
Result<int> AppliedVersion(db::MysqlConnection& conn);

}  // namespace ordo::mysql

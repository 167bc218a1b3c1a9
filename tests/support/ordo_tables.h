// The names of ordo's tables in one schema of a target, for the tests that check what
// ordo left there (engine and e2e): `_ordo_` in the name (shadows, old tables,
// sentries, check tables, ownership records, an older ordo's `_ordo_fence`); the
// backups kept with keep_old_table (`_ordo_bak_`), which are the user's, left out.
// Sorted. Read with the tests' own query, not the engine's listing, so that a test
// does not check the engine with the engine.
#pragma once

#include <string>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo::testing {

Result<std::vector<std::string>> OrdoTables(db::MysqlConnection& conn, const std::string& db);

// Every table of the schema, sorted by bytes.
Result<std::vector<std::string>> TableNames(db::MysqlConnection& conn, const std::string& db);

}  // namespace ordo::testing

// Reads one schema of a live MariaDB/MySQL server into the model (model.h):
// information_schema's TABLES, COLUMNS and STATISTICS filtered to that schema (never a
// scan of every schema), and SHOW CREATE TABLE for each base table, whose lines give
// each column's, key's and constraint's definition. Views are left out.
//
// Thread-safety: uses the connection it is given; one caller at a time.
//
//   ORDO_ASSIGN_OR_RETURN(auto conn, MysqlConnection::Connect(dsn, {}));
//   ORDO_ASSIGN_OR_RETURN(SchemaDef live, ReadSchema(*conn, dsn.database));
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/mysql/connection.h"
#include "ordo/status.h"
#include "schema/model.h"

namespace ordo::schema {

// The whole schema; an empty SchemaDef for a schema without tables (or one that does
// not exist). The server's error (Unavailable, …) when a query fails.
Result<SchemaDef> ReadSchema(db::MysqlConnection& conn, std::string_view schema_name);

// Only the named tables of the schema (those that exist).
Result<SchemaDef> ReadTables(db::MysqlConnection& conn, std::string_view schema_name,
                             const std::vector<std::string>& tables);

}  // namespace ordo::schema

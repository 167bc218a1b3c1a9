// What the plan tests share: a connection to the shared test server, a schema of their
// own filled from SQL text, the files of a case directory.
#pragma once

#include <memory>
#include <string>

#include "db/mysql/connection.h"
#include "ordo/status.h"
#include "test_servers.h"

namespace ordo::testing {

// A connection to `server` (no default schema).
std::unique_ptr<MysqlConnection> ConnectTo(const MariaDbServer& server);

// The whole file; "" when it does not exist.
std::string ReadText(const std::string& path);

// Creates schema `name` and runs the CREATE TABLE statements of `sql` in it.
Status CreateSchemaFrom(MysqlConnection& conn, const std::string& name, const std::string& sql);

// The names of the server's schemas that start with ordo's scratch prefix.
std::vector<std::string> ScratchSchemas(MysqlConnection& conn);

}  // namespace ordo::testing

// What the plan and lint tests share: a connection to the shared test server, a schema
// of their own filled from SQL text, the files of a case directory, and SchemaTest, the
// fixture of the tests that make schemas on the server.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/mysql/connection.h"
#include "ordo/status.h"
#include "test_servers.h"

namespace ordo::testing {

// A connection to `server` (no default schema) that also runs scripts of several
// statements.
std::unique_ptr<db::MysqlConnection> ConnectTo(const MariaDbServer& server);

// The whole file; "" when it does not exist.
std::string ReadText(const std::string& path);

// Creates schema `name` and runs the CREATE TABLE statements of `sql` in it.
Status CreateSchemaFrom(db::MysqlConnection& conn, const std::string& name, const std::string& sql);

// The names of the server's schemas that start with ordo's scratch prefix.
std::vector<std::string> ScratchSchemas(db::MysqlConnection& conn);

// The shared MariaDB server (the test fails without it when servers are required, and
// skips otherwise), a connection to it, and the schemas the test made, dropped at its end.
class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // A new empty schema named after `prefix`, dropped at TearDown.
  std::string NewSchema(const std::string& prefix);

  MariaDbServer* server_ = nullptr;
  std::unique_ptr<db::MysqlConnection> conn_;

 private:
  std::vector<std::string> schemas_;
};

}  // namespace ordo::testing

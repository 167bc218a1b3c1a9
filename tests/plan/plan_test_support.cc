#include "plan_test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "schema/files.h"
#include "schema/scratch.h"

namespace ordo::testing {

std::unique_ptr<db::MysqlConnection> ConnectTo(const MariaDbServer& server) {
  auto dsn = db::ParseDsn(server.Dsn(""));
  if (!dsn.ok()) return nullptr;
  db::MysqlConnectOptions options;
  options.multi_statements = true;
  auto conn = db::MysqlConnection::Connect(*dsn, options);
  if (!conn.ok()) return nullptr;
  return std::move(*conn);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Status CreateSchemaFrom(db::MysqlConnection& conn, const std::string& name,
                        const std::string& sql) {
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(name)));
  ORDO_RETURN_IF_ERROR(conn.Execute("CREATE DATABASE " + db::QuoteIdentifier(name)));
  ORDO_RETURN_IF_ERROR(conn.Execute("USE " + db::QuoteIdentifier(name)));
  ORDO_ASSIGN_OR_RETURN(auto statements, schema::ParseSchemaFile("current.sql", sql));
  ORDO_RETURN_IF_ERROR(conn.Execute("SET SESSION foreign_key_checks = 0"));
  for (const auto& st : statements) ORDO_RETURN_IF_ERROR(conn.Execute(st.sql));
  return conn.Execute("SET SESSION foreign_key_checks = 1");
}

std::vector<std::string> ScratchSchemas(db::MysqlConnection& conn) {
  std::vector<std::string> out;
  auto rows = conn.Query(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE "
      "'\\_ordo\\_plan\\_%'");
  if (!rows.ok()) return {"(query failed: " + rows.status().ToString() + ")"};
  for (const auto& r : rows->rows) out.push_back(r[0].value_or(""));
  return out;
}

void SchemaTest::SetUp() {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  server_ = server;
  conn_ = ConnectTo(*server_);
  ASSERT_NE(conn_, nullptr) << "cannot connect to the test server";
}

void SchemaTest::TearDown() {
  if (conn_ == nullptr) return;
  for (const std::string& db : schemas_)
    (void)conn_->Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(db));
}

std::string SchemaTest::NewSchema(const std::string& prefix) {
  std::string name = UniqueName(prefix);
  Status created = conn_->Execute("CREATE DATABASE " + db::QuoteIdentifier(name));
  EXPECT_TRUE(created.ok()) << created.ToString();
  schemas_.push_back(name);
  return name;
}

}  // namespace ordo::testing

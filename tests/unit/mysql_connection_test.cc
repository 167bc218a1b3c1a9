// MysqlConnection against a real MariaDB server: binding, results, error mapping.
#include <gtest/gtest.h>

#include "db/mysql/connection.h"
#include "test_servers.h"

namespace ordo {
namespace {

Result<std::unique_ptr<db::MysqlConnection>> Open(testing::MariaDbServer* server,
                                                  const std::string& db = "") {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(server->Dsn(db)));
  return db::MysqlConnection::Connect(dsn, {});
}

TEST(MysqlConnection, BindsEveryKindAndReadsBackStrings) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto conn = Open(server);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto rows = (*conn)->Query(
      "SELECT ?, ?, ?, ?, ?, ?",
      {db::SqlValue::Null(), db::SqlValue::Int(-9223372036854775807LL - 1),
       db::SqlValue::UInt(18446744073709551615ULL), db::SqlValue::Double(0.5),
       db::SqlValue::Text("h\xC3\xA9llo"), db::SqlValue::Bytes(std::string("\0\xff", 2))});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 1u);
  const db::SqlRow& r = rows->rows[0];
  EXPECT_FALSE(r[0].has_value());
  EXPECT_EQ(*r[1], "-9223372036854775808");
  EXPECT_EQ(*r[2], "18446744073709551615");
  EXPECT_EQ(*r[3], "0.5");
  EXPECT_EQ(*r[4], "h\xC3\xA9llo");
  EXPECT_EQ(*r[5], std::string("\0\xff", 2));
}

TEST(MysqlConnection, LongValuesAreFetchedWhole) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto conn = Open(server);
  ASSERT_TRUE(conn.ok());
  auto rows = (*conn)->Query("SELECT REPEAT('x', ?)", {db::SqlValue::Int(100000)});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->rows[0][0]->size(), 100000u);
}

TEST(MysqlConnection, ErrorsAreMappedToCodes) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto conn = Open(server);
  ASSERT_TRUE(conn.ok());
  std::string db = testing::UniqueName("conn");
  ASSERT_TRUE((*conn)->Execute("CREATE DATABASE " + db::QuoteIdentifier(db)).ok());
  ASSERT_TRUE(
      (*conn)->Execute("CREATE TABLE " + db::QuoteTable(db, "t") + " (id INT PRIMARY KEY)").ok());
  EXPECT_TRUE((*conn)
                  ->Execute("INSERT INTO " + db::QuoteTable(db, "t") + " VALUES (?)",
                            {db::SqlValue::Int(1)})
                  .ok());
  auto dup = (*conn)->Execute("INSERT INTO " + db::QuoteTable(db, "t") + " VALUES (?)",
                              {db::SqlValue::Int(1)});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*conn)->Execute("SELEC 1").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*conn)->Query("SELECT * FROM " + db::QuoteTable(db, "missing")).status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE((*conn)->broken());
  ASSERT_TRUE((*conn)->Execute("DROP DATABASE " + db::QuoteIdentifier(db)).ok());
}

TEST(MysqlConnection, UnreachableServerIsRetryable) {
  auto dsn = db::ParseDsn("mysql://ordo:ordo@127.0.0.1:1/x");
  ASSERT_TRUE(dsn.ok());
  auto conn = db::MysqlConnection::Connect(*dsn, {});
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(conn.status().retryable());
  EXPECT_EQ(conn.status().message().find("ordo:ordo"), std::string::npos);
}

TEST(MysqlConnection, ScriptLiteralsRoundTripEveryKindAndAFailingStatementStopsTheScript) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto dsn = db::ParseDsn(server->Dsn(""));
  ASSERT_TRUE(dsn.ok());
  db::MysqlConnectOptions options;
  options.multi_statements = true;
  auto conn = db::MysqlConnection::Connect(*dsn, options);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  db::MysqlConnection& c = **conn;
  std::string db = testing::UniqueName("script");
  ASSERT_TRUE(c.Execute("CREATE DATABASE " + db::QuoteIdentifier(db)).ok());
  ASSERT_TRUE(c.Execute("USE " + db::QuoteIdentifier(db)).ok());
  ASSERT_TRUE(c.Execute("CREATE TABLE lit (n INT, t TEXT, b BLOB, d DOUBLE)").ok());
  const std::string tricky = "it's \\ a \"test\"; DROP TABLE lit; -- h\xC3\xA9llo\n";
  const std::string bytes("\0\xff'\\", 4);
  Status s = c.ExecuteScript("INSERT INTO lit VALUES (" + c.Literal(db::SqlValue::Int(-7)) + ", " +
                             c.Literal(db::SqlValue::Text(tricky)) + ", " +
                             c.Literal(db::SqlValue::Bytes(bytes)) + ", " +
                             c.Literal(db::SqlValue::Double(0.1)) + ");INSERT INTO lit VALUES (" +
                             c.Literal(db::SqlValue::Null()) + ", NULL, NULL, NULL)");
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto rows = c.Query("SELECT n, t, b, d = 0.1 FROM lit ORDER BY n IS NULL", {});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(*rows->rows[0][0], "-7");
  EXPECT_EQ(*rows->rows[0][1], tricky);
  EXPECT_EQ(*rows->rows[0][2], bytes);
  EXPECT_EQ(*rows->rows[0][3], "1");
  EXPECT_FALSE(rows->rows[1][0].has_value());
  // The server stops at the first failing statement: the one after it never runs.
  s = c.ExecuteScript(
      "INSERT INTO lit (n) VALUES (1);INSERT INTO no_such_table VALUES (1);INSERT INTO lit (n) "
      "VALUES (2)");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  auto count = c.Query("SELECT COUNT(*) FROM lit WHERE n IN (1, 2)");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count->rows[0][0], "1");
  // The connection is still usable.
  EXPECT_TRUE(c.Execute("DROP DATABASE " + db::QuoteIdentifier(db)).ok());
}

TEST(QuoteIdentifier, DoublesBackticks) {
  EXPECT_EQ(db::QuoteIdentifier("a`b"), "`a``b`");
  EXPECT_EQ(db::QuoteTable("s", "t"), "`s`.`t`");
}

}  // namespace
}  // namespace ordo

#include "db/dsn.h"

#include <gtest/gtest.h>

namespace ordo {
namespace {

// The parts ParseDsn found but its parameters, in one line:
// "scheme user password host port database".
std::string Parts(const db::Dsn& d) {
  return d.scheme + " " + d.user + " " + d.password + " " + d.host + " " + std::to_string(d.port) +
         " " + d.database;
}

TEST(Dsn, ParsesEveryPartAndDecodesPassword) {
  auto d = db::ParseDsn("mysql://ordo:p%40ss@127.0.0.1:3307/shop?ssl=0");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Parts(*d), "mysql ordo p@ss 127.0.0.1 3307 shop");
  EXPECT_EQ(d->params.at("ssl"), "0");
}

TEST(Dsn, RedactedNeverShowsThePassword) {
  auto d = db::ParseDsn("mysql://ordo:secret@db:3306/shop");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Redacted(), "mysql://ordo:***@db:3306/shop");
  EXPECT_EQ(d->Redacted().find("secret"), std::string::npos);
  EXPECT_EQ(d->ToUrl(), "mysql://ordo:secret@db:3306/shop");
}

TEST(Dsn, PostgresUrlParsesAndPostgresqlIsTheSameScheme) {
  auto d = db::ParseDsn("postgres://ordo:p%3Ass@db.internal:5433/ordo?sslmode=require");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Parts(*d), "postgres ordo p:ss db.internal 5433 ordo");
  EXPECT_EQ(d->params.at("sslmode"), "require");
  EXPECT_EQ(d->Redacted(), "postgres://ordo:***@db.internal:5433/ordo?sslmode=require");
  auto alias = db::ParseDsn("postgresql://u:pw@127.0.0.1:5432/db");
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(alias->scheme, "postgres");
  EXPECT_EQ(alias->port, 5432);
  // Without a port the field stays 0: the client uses the scheme's default, 5432.
  auto no_port = db::ParseDsn("postgres://u:pw@localhost/db");
  ASSERT_TRUE(no_port.ok());
  EXPECT_EQ(no_port->port, 0);
  EXPECT_EQ(no_port->host, "localhost");
  EXPECT_EQ(db::ParseDsn("postgres://u@h:0/x").status().code(), StatusCode::kInvalidArgument);
}

TEST(Dsn, SqlitePathAndErrors) {
  auto d = db::ParseDsn("sqlite:ordo.db");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->scheme, "sqlite");
  EXPECT_EQ(d->database, "ordo.db");
  EXPECT_EQ(db::ParseDsn("sqlite:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db::ParseDsn("localhost:3306").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db::ParseDsn("mysql://u@h:99999/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db::ParseDsn("mysql:///x").status().code(), StatusCode::kInvalidArgument);
}

TEST(Dsn, RedactUrlsScrubsPasswordsInFreeText) {
  EXPECT_EQ(db::RedactUrls("cannot reach mysql://a:b@h:1/x and postgres://c:d@e/f"),
            "cannot reach mysql://a:***@h:1/x and postgres://c:***@e/f");
  EXPECT_EQ(db::RedactUrls("mysql://a@h/x"), "mysql://a@h/x");
}

}  // namespace
}  // namespace ordo

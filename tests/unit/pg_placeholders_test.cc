// ToPgPlaceholders: which `?` become $n and which are text.
#include <gtest/gtest.h>

#include "db/postgres/placeholders.h"

namespace ordo {
namespace {

std::string Rewritten(std::string_view sql) { return db::ToPgPlaceholders(sql).sql; }

TEST(PgPlaceholders, NumbersEveryPlaceholderInOrder) {
  db::PgStatementText t =
      db::ToPgPlaceholders("UPDATE t SET a = ?, b = ? WHERE id = ? AND v IN (?,?)");
  EXPECT_EQ(t.sql, "UPDATE t SET a = $1, b = $2 WHERE id = $3 AND v IN ($4,$5)");
  EXPECT_EQ(t.placeholders, 5u);
}

TEST(PgPlaceholders, TextWithoutPlaceholdersIsUnchanged) {
  db::PgStatementText t = db::ToPgPlaceholders("SELECT 1 FROM t WHERE x = $1");
  EXPECT_EQ(t.sql, "SELECT 1 FROM t WHERE x = $1");
  EXPECT_EQ(t.placeholders, 0u);
  EXPECT_EQ(db::ToPgPlaceholders("").placeholders, 0u);
}

TEST(PgPlaceholders, CountsPastNine) {
  db::PgStatementText t = db::ToPgPlaceholders("VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  EXPECT_EQ(t.sql, "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)");
  EXPECT_EQ(t.placeholders, 11u);
}

TEST(PgPlaceholders, QuestionMarksInsideStringLiteralsStayText) {
  EXPECT_EQ(Rewritten("SELECT '?', ?, 'it''s ?', ?"), "SELECT '?', $1, 'it''s ?', $2");
  EXPECT_EQ(Rewritten("SELECT ''||?"), "SELECT ''||$1");
}

TEST(PgPlaceholders, EscapeStringsHonourBackslashQuotes) {
  // In E'…' a backslash escapes the quote, so the string runs to the second quote.
  EXPECT_EQ(Rewritten("SELECT E'a\\'?', ?"), "SELECT E'a\\'?', $1");
  // Outside E'…' a backslash is an ordinary character: 'a\' ends at its quote.
  EXPECT_EQ(Rewritten("SELECT 'a\\', ?"), "SELECT 'a\\', $1");
  // An identifier ending in e is not an E prefix.
  EXPECT_EQ(Rewritten("SELECT name'\\', ?"), "SELECT name'\\', $1");
}

TEST(PgPlaceholders, QuotedIdentifiersStayText) {
  EXPECT_EQ(Rewritten("SELECT \"a?\" , \"b\"\"?\" FROM t WHERE c = ?"),
            "SELECT \"a?\" , \"b\"\"?\" FROM t WHERE c = $1");
}

TEST(PgPlaceholders, CommentsStayText) {
  EXPECT_EQ(Rewritten("SELECT ? -- what?\n, ?"), "SELECT $1 -- what?\n, $2");
  EXPECT_EQ(Rewritten("SELECT ? -- what?"), "SELECT $1 -- what?");
  EXPECT_EQ(Rewritten("SELECT /* ? /* nested ? */ still ? */ ?"),
            "SELECT /* ? /* nested ? */ still ? */ $1");
  // A lone dash or slash is an operator, not a comment.
  EXPECT_EQ(Rewritten("SELECT ? - ? / ?"), "SELECT $1 - $2 / $3");
}

TEST(PgPlaceholders, DollarQuotedStringsStayText) {
  EXPECT_EQ(Rewritten("SELECT $$ ? $$, ?"), "SELECT $$ ? $$, $1");
  EXPECT_EQ(Rewritten("SELECT $fn$ ? $$ ? $fn$, ?"), "SELECT $fn$ ? $$ ? $fn$, $1");
  // $1 and a $ inside an identifier open no dollar quote.
  EXPECT_EQ(Rewritten("SELECT $1, a$b, ?"), "SELECT $1, a$b, $1");
}

TEST(PgPlaceholders, CastsRightAfterAPlaceholderKeepTheirColons) {
  EXPECT_EQ(Rewritten("SELECT ?::bigint, ?::bytea"), "SELECT $1::bigint, $2::bytea");
}

TEST(PgPlaceholders, UnterminatedTextIsCopiedForTheServerToReject) {
  EXPECT_EQ(Rewritten("SELECT ?, 'oops ?"), "SELECT $1, 'oops ?");
  EXPECT_EQ(Rewritten("SELECT ? /* ?"), "SELECT $1 /* ?");
}

}  // namespace
}  // namespace ordo

// PgPlaceholders: rewrites the `?` positional placeholders ordo's SQL is written with
// (the same text the MariaDB and SQLite sessions run) into PostgreSQL's `$1 … $n`.
//
// A `?` is a placeholder unless it is inside a single-quoted string ('…', with ''
// doubled; E'…' also honours backslash escapes), a double-quoted identifier ("…"), a
// dollar-quoted string ($$…$$, $tag$…$tag$) or a comment (-- to the end of the line,
// /* … */ nested). PostgreSQL's jsonb operators `?`, `?|`, `?&` therefore cannot be
// written outside a literal; ordo's SQL does not use them. Text the function cannot
// parse (an unterminated string) is copied unchanged for the server to reject.
//
// Thread-safety: a pure function.
//
//   PgStatementText t = ToPgPlaceholders("SELECT id FROM t WHERE a = ? AND b = '?'");
//   t.sql;           // "SELECT id FROM t WHERE a = $1 AND b = '?'"
//   t.placeholders;  // 1
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ordo::db {

struct PgStatementText {
  std::string sql;          // the statement with $1 … $n
  size_t placeholders = 0;  // n
};

PgStatementText ToPgPlaceholders(std::string_view sql);

}  // namespace ordo::db

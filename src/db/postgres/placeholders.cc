#include "db/postgres/placeholders.h"

namespace ordo::db {
namespace {

// Letters, digits, '_', '$' and every non-ASCII byte may continue an identifier.
bool IsIdentifierByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

bool CanStartTag(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

// Scans a quoted run starting at the opening `quote` at `i`; returns the index just
// past its end (or sql.size() when it is unterminated). A doubled quote stays inside;
// with `backslash`, so does a quote after a backslash.
size_t SkipQuoted(std::string_view sql, size_t i, char quote, bool backslash) {
  for (++i; i < sql.size(); ++i) {
    if (backslash && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();
}

size_t SkipBlockComment(std::string_view sql, size_t i) {
  int depth = 0;
  while (i < sql.size()) {
    if (sql.compare(i, 2, "/*") == 0) {
      ++depth;
      i += 2;
    } else if (sql.compare(i, 2, "*/") == 0) {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The dollar-quote tag ("$$" or "$name$") opening at `i`, or empty when the `$` at `i`
// opens none (e.g. "$1", or a `$` inside an identifier).
std::string_view DollarTag(std::string_view sql, size_t i) {
  if (i > 0 && IsIdentifierByte(sql[i - 1])) return {};
  size_t j = i + 1;
  if (j < sql.size() && CanStartTag(sql[j])) {
    while (j < sql.size() && IsIdentifierByte(sql[j]) && sql[j] != '$') ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return {};
  return sql.substr(i, j - i + 1);
}

}  // namespace

PgStatementText ToPgPlaceholders(std::string_view sql) {
  PgStatementText out;
  out.sql.reserve(sql.size() + 8);
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    size_t end = i + 1;
    if (c == '\'') {
      bool escape_string = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !IsIdentifierByte(sql[i - 2]));
      end = SkipQuoted(sql, i, '\'', escape_string);
    } else if (c == '"') {
      end = SkipQuoted(sql, i, '"', false);
    } else if (c == '-' && sql.compare(i, 2, "--") == 0) {
      end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && sql.compare(i, 2, "/*") == 0) {
      end = SkipBlockComment(sql, i);
    } else if (c == '$') {
      std::string_view tag = DollarTag(sql, i);
      if (!tag.empty()) {
        size_t close = sql.find(tag, i + tag.size());
        end = close == std::string_view::npos ? sql.size() : close + tag.size();
      }
    } else if (c == '?') {
      out.sql += '$';
      out.sql += std::to_string(++out.placeholders);
      ++i;
      continue;
    }
    out.sql.append(sql.substr(i, end - i));
    i = end;
  }
  return out;
}

}  // namespace ordo::db

#include "binlog/statement.h"

#include <cctype>

namespace ordo::binlog {
namespace {

// Splits off the next whitespace-separated word.
std::string_view NextWord(std::string_view& sql) {
  size_t start = 0;
  while (start < sql.size() && std::isspace(static_cast<unsigned char>(sql[start]))) ++start;
  size_t end = start;
  while (end < sql.size() && !std::isspace(static_cast<unsigned char>(sql[end])) && sql[end] != ';')
    ++end;
  std::string_view word = sql.substr(start, end - start);
  sql.remove_prefix(end);
  return word;
}

bool Is(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
  return true;
}

}  // namespace

StatementRole ClassifyStatement(std::string_view sql) {
  std::string_view rest = sql;
  std::string_view first = NextWord(rest);
  if (Is(first, "BEGIN") || Is(first, "SAVEPOINT") || Is(first, "RELEASE"))
    return StatementRole::kFraming;
  if (Is(first, "COMMIT")) return StatementRole::kEndsGroup;
  if (Is(first, "ROLLBACK"))
    return Is(NextWord(rest), "TO") ? StatementRole::kFraming : StatementRole::kEndsGroup;
  if (Is(first, "XA")) {
    std::string_view second = NextWord(rest);
    if (Is(second, "START") || Is(second, "BEGIN") || Is(second, "END"))
      return StatementRole::kFraming;
    return StatementRole::kEndsGroup;
  }
  return StatementRole::kDdl;
}

}  // namespace ordo::binlog

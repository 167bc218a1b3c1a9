#include "engine/mysql/ddl.h"

#include <cctype>
#include <vector>

namespace ordo::engine {
namespace {

struct Token {
  enum class Kind { kWord, kQuotedIdent, kString, kNumber, kSymbol };
  Kind kind;
  std::string text;  // unquoted text for identifiers and strings
  size_t begin = 0;  // offsets in the statement
  size_t end = 0;
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Splits the statement into tokens, skipping whitespace and comments. Executable
// comments (/*! … */, /*M! … */) are refused: the server would run their content.
Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> out;
  size_t i = 0, n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '-' && i + 2 <= n && sql.substr(i, 2) == "--" &&
                            (i + 2 == n || std::isspace(static_cast<unsigned char>(sql[i + 2]))))) {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      if (i + 2 < n && (sql[i + 2] == '!' || (sql[i + 2] == 'M' && i + 3 < n && sql[i + 3] == '!')))
        return InvalidArgument("executable comments (/*! … */) are not accepted in a change");
      size_t close = sql.find("*/", i + 2);
      if (close == std::string_view::npos) return InvalidArgument("unterminated comment");
      i = close + 2;
    } else if (c == '`' || c == '\'' || c == '"') {
      Token t{c == '`' ? Token::Kind::kQuotedIdent : Token::Kind::kString, "", i, 0};
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (c != '`' && sql[j] == '\\' && j + 1 < n) {
          t.text += sql[j + 1];
          j += 2;
          continue;
        }
        if (sql[j] == c) {
          if (j + 1 < n && sql[j + 1] == c) {  // doubled quote
            t.text += c;
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        t.text += sql[j++];
      }
      if (!closed) return InvalidArgument("unterminated quoted text in the change");
      t.end = j + 1;
      i = t.end;
      out.push_back(std::move(t));
    } else if (IsWordChar(c)) {
      size_t j = i;
      while (j < n && IsWordChar(sql[j])) ++j;
      bool digits = std::isdigit(static_cast<unsigned char>(c));
      out.push_back({digits ? Token::Kind::kNumber : Token::Kind::kWord,
                     std::string(sql.substr(i, j - i)), i, j});
      i = j;
    } else {
      out.push_back({Token::Kind::kSymbol, std::string(1, c), i, i + 1});
      ++i;
    }
  }
  return out;
}

bool IsWord(const Token& t, std::string_view upper) {
  return t.kind == Token::Kind::kWord && Upper(t.text) == upper;
}

bool IsIdent(const Token& t) {
  return t.kind == Token::Kind::kWord || t.kind == Token::Kind::kQuotedIdent;
}

bool IsSymbol(const Token& t, char c) {
  return t.kind == Token::Kind::kSymbol && t.text.size() == 1 && t.text[0] == c;
}

// Reads the clauses of the specification (top-level, comma-separated) for renames.
Status ScanClauses(const std::vector<Token>& tokens, size_t first, AlterStatement* out) {
  size_t i = first;
  while (i < tokens.size()) {
    size_t start = i;
    int depth = 0;
    size_t end = i;
    while (end < tokens.size()) {
      if (IsSymbol(tokens[end], '(')) ++depth;
      if (IsSymbol(tokens[end], ')')) --depth;
      if (depth == 0 && IsSymbol(tokens[end], ',')) break;
      ++end;
    }
    auto at = [&](size_t k) -> const Token* {
      return start + k < end ? &tokens[start + k] : nullptr;
    };
    if (at(0) && IsWord(*at(0), "RENAME")) {
      const Token* next = at(1);
      if (next && IsWord(*next, "COLUMN")) {
        if (!at(2) || !at(3) || !at(4) || !IsIdent(*at(2)) || !IsWord(*at(3), "TO") ||
            !IsIdent(*at(4)))
          return InvalidArgument("cannot read RENAME COLUMN: expected RENAME COLUMN old TO new");
        out->renamed_columns[at(2)->text] = at(4)->text;
      } else if (!(next && (IsWord(*next, "INDEX") || IsWord(*next, "KEY")))) {
        return InvalidArgument("renaming the table inside the change is not supported");
      }
    } else if (at(0) && IsWord(*at(0), "CHANGE")) {
      size_t k = 1;
      if (at(k) && IsWord(*at(k), "COLUMN")) ++k;
      if (at(k) && at(k + 1) && IsWord(*at(k), "IF") && IsWord(*at(k + 1), "EXISTS")) k += 2;
      if (!at(k) || !at(k + 1) || !IsIdent(*at(k)) || !IsIdent(*at(k + 1)))
        return InvalidArgument("cannot read CHANGE COLUMN: expected CHANGE old new definition");
      if (at(k)->text != at(k + 1)->text) out->renamed_columns[at(k)->text] = at(k + 1)->text;
    } else if (at(0) && (IsWord(*at(0), "DISCARD") || IsWord(*at(0), "IMPORT"))) {
      return InvalidArgument("tablespace operations are not schema changes");
    }
    i = end + 1;
  }
  return Status::Ok();
}

// One statement's tokens: a single trailing ';' is allowed; any other ';' separates
// statements.
Result<std::vector<Token>> StatementTokens(std::string_view ddl) {
  ORDO_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(ddl));
  while (!tokens.empty() && IsSymbol(tokens.back(), ';')) {
    tokens.pop_back();
    for (const Token& t : tokens)
      if (IsSymbol(t, ';')) return InvalidArgument("a change must be one statement; found several");
  }
  for (const Token& t : tokens)
    if (IsSymbol(t, ';')) return InvalidArgument("a change must be one statement; found several");
  if (tokens.empty()) return InvalidArgument("the change is empty");
  return tokens;
}

// Reads `[schema.]table` at tokens[*i]; advances past it.
Status ReadTableName(const std::vector<Token>& tokens, size_t* i, std::string* schema,
                     std::string* table, std::string_view statement) {
  if (*i >= tokens.size() || !IsIdent(tokens[*i]))
    return InvalidArgument(std::string(statement) + " names no table");
  *table = tokens[*i].text;
  ++*i;
  if (*i + 1 < tokens.size() && IsSymbol(tokens[*i], '.') && IsIdent(tokens[*i + 1])) {
    *schema = *table;
    *table = tokens[*i + 1].text;
    *i += 2;
  }
  return Status::Ok();
}

Result<TableStatement> ParseCreate(std::string_view ddl, const std::vector<Token>& tokens) {
  size_t i = 1;
  if (i < tokens.size() && IsWord(tokens[i], "OR"))
    return InvalidArgument("CREATE OR REPLACE drops an existing table; not accepted");
  if (i < tokens.size() && (IsWord(tokens[i], "TEMPORARY") || IsWord(tokens[i], "GLOBAL")))
    return InvalidArgument("a change cannot create a temporary table");
  if (i >= tokens.size() || !IsWord(tokens[i], "TABLE"))
    return InvalidArgument("a change must be an ALTER TABLE, CREATE TABLE or DROP TABLE statement");
  ++i;
  if (i < tokens.size() && IsWord(tokens[i], "IF"))
    return InvalidArgument(
        "CREATE TABLE IF NOT EXISTS is not accepted: a change must say what it creates");
  TableStatement out;
  out.kind = ChangeKind::kCreate;
  ORDO_RETURN_IF_ERROR(
      ReadTableName(tokens, &i, &out.schema_name, &out.table_name, "CREATE TABLE"));
  if (i >= tokens.size())
    return InvalidArgument("CREATE TABLE " + out.table_name + " defines nothing");
  int depth = 0;
  for (size_t k = i; k < tokens.size(); ++k) {
    if (IsSymbol(tokens[k], '(')) ++depth;
    if (IsSymbol(tokens[k], ')')) --depth;
    if (IsWord(tokens[k], "SELECT") || (depth == 0 && IsWord(tokens[k], "AS")))
      return InvalidArgument(
          "CREATE TABLE … SELECT copies data; a change may only define the table");
  }
  out.create_body = std::string(ddl.substr(tokens[i].begin, tokens.back().end - tokens[i].begin));
  return out;
}

Result<TableStatement> ParseDrop(const std::vector<Token>& tokens) {
  size_t i = 1;
  if (i < tokens.size() && IsWord(tokens[i], "TEMPORARY"))
    return InvalidArgument("a change cannot drop a temporary table");
  if (i >= tokens.size() || !IsWord(tokens[i], "TABLE"))
    return InvalidArgument("a change must be an ALTER TABLE, CREATE TABLE or DROP TABLE statement");
  ++i;
  if (i < tokens.size() && IsWord(tokens[i], "IF"))
    return InvalidArgument("DROP TABLE IF EXISTS is not accepted: a change must say what it drops");
  TableStatement out;
  out.kind = ChangeKind::kDrop;
  ORDO_RETURN_IF_ERROR(ReadTableName(tokens, &i, &out.schema_name, &out.table_name, "DROP TABLE"));
  if (i < tokens.size() && IsSymbol(tokens[i], ','))
    return InvalidArgument("one DROP TABLE per change; this one drops several tables");
  while (i < tokens.size() && (IsWord(tokens[i], "RESTRICT") || IsWord(tokens[i], "CASCADE"))) ++i;
  if (i < tokens.size())
    return InvalidArgument("unexpected '" + tokens[i].text + "' after DROP TABLE " +
                           out.table_name);
  return out;
}

}  // namespace

Result<TableStatement> ParseChange(std::string_view ddl) {
  ORDO_ASSIGN_OR_RETURN(std::vector<Token> tokens, StatementTokens(ddl));
  if (IsWord(tokens[0], "CREATE")) return ParseCreate(ddl, tokens);
  if (IsWord(tokens[0], "DROP")) return ParseDrop(tokens);
  if (!IsWord(tokens[0], "ALTER"))
    return InvalidArgument(
        "a change must be an ALTER TABLE, CREATE TABLE or DROP TABLE statement, not '" +
        tokens[0].text + "'");
  TableStatement out;
  ORDO_ASSIGN_OR_RETURN(out.alter, ParseAlter(ddl));
  out.schema_name = out.alter.schema_name;
  out.table_name = out.alter.table_name;
  return out;
}

Result<AlterStatement> ParseAlter(std::string_view ddl) {
  ORDO_ASSIGN_OR_RETURN(std::vector<Token> tokens, StatementTokens(ddl));
  if (!IsWord(tokens[0], "ALTER"))
    return InvalidArgument("a change must be an ALTER TABLE statement, not '" + tokens[0].text +
                           "'");
  size_t i = 1;
  if (i < tokens.size() && IsWord(tokens[i], "ONLINE")) ++i;
  if (i < tokens.size() && IsWord(tokens[i], "IGNORE"))
    return InvalidArgument("ALTER IGNORE drops rows silently; not accepted");
  if (i >= tokens.size() || !IsWord(tokens[i], "TABLE"))
    return InvalidArgument("a change must be an ALTER TABLE statement");
  ++i;
  if (i + 1 < tokens.size() && IsWord(tokens[i], "IF") && IsWord(tokens[i + 1], "EXISTS")) i += 2;
  AlterStatement out;
  ORDO_RETURN_IF_ERROR(ReadTableName(tokens, &i, &out.schema_name, &out.table_name, "ALTER TABLE"));
  if (i >= tokens.size())
    return InvalidArgument("ALTER TABLE " + out.table_name + " changes nothing");
  size_t spec_begin = tokens[i].begin;
  size_t spec_end = tokens.back().end;
  out.spec = std::string(ddl.substr(spec_begin, spec_end - spec_begin));
  ORDO_RETURN_IF_ERROR(ScanClauses(tokens, i, &out));
  return out;
}

}  // namespace ordo::engine

#include "schema/files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "schema/sha256.h"

namespace ordo::schema {
namespace {

constexpr std::string_view kRenameMarker = "-- ordo:renamed-from ";

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// Skips spaces and comments from `i`; returns the new position.
size_t SkipBlank(std::string_view s, size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i])) != 0) {
      ++i;
    } else if (s.substr(i, 2) == "/*") {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (s[i] == '#' ||
               (s.substr(i, 2) == "--" &&
                (i + 2 >= s.size() || std::isspace(static_cast<unsigned char>(s[i + 2])) != 0))) {
      size_t end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
    } else {
      break;
    }
  }
  return i;
}

// The next word or `quoted` identifier at `i` (after blanks); advances `i`.
std::string NextToken(std::string_view s, size_t& i, bool* quoted = nullptr) {
  i = SkipBlank(s, i);
  if (quoted != nullptr) *quoted = false;
  if (i < s.size() && s[i] == '`') {
    if (quoted != nullptr) *quoted = true;
    std::string out;
    for (++i; i < s.size(); ++i) {
      if (s[i] == '`') {
        if (i + 1 < s.size() && s[i + 1] == '`') {
          out += '`';
          ++i;
          continue;
        }
        ++i;
        return out;
      }
      out += s[i];
    }
    return out;
  }
  size_t start = i;
  while (i < s.size() && IsWordChar(s[i])) ++i;
  return std::string(s.substr(start, i - start));
}

std::string Where(std::string_view file, int line) {
  return std::string(file) + ":" + std::to_string(line) + ": ";
}

// Checks one statement and fills in its table and declared renames.
Status Describe(std::string_view file, SchemaStatement& st) {
  std::string_view s = st.sql;
  size_t i = 0;
  std::string create = Upper(NextToken(s, i));
  std::string table_word = Upper(NextToken(s, i));
  if (create != "CREATE" || table_word != "TABLE")
    return InvalidArgument(Where(file, st.line) +
                           "only CREATE TABLE statements belong in schema files; got \"" +
                           std::string(s.substr(SkipBlank(s, 0), 40)) + "…\"");
  bool quoted = false;
  std::string name = NextToken(s, i, &quoted);
  if (!quoted && Upper(name) == "IF") {
    NextToken(s, i);  // NOT
    NextToken(s, i);  // EXISTS
    name = NextToken(s, i, &quoted);
  }
  if (name.empty()) return InvalidArgument(Where(file, st.line) + "CREATE TABLE without a name");
  if (size_t j = SkipBlank(s, i); j < s.size() && s[j] == '.') {
    size_t k = j + 1;
    std::string table = NextToken(s, k);
    return InvalidArgument(Where(file, st.line) + "table `" + name + "`.`" + table +
                           "`: name it without a schema (the plan decides where it goes)");
  }
  st.table = name;
  // Declared renames: `-- ordo:renamed-from old` on a column's line.
  size_t line_start = 0;
  while (line_start < s.size()) {
    size_t line_end = s.find('\n', line_start);
    std::string_view line =
        s.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                : line_end - line_start);
    if (size_t at = line.find(kRenameMarker); at != std::string_view::npos) {
      size_t k = 0;
      std::string column = NextToken(line, k);
      size_t m = at + kRenameMarker.size();
      std::string old = NextToken(line, m);
      if (column.empty() || old.empty())
        return InvalidArgument(Where(file, st.line) + "table `" + name +
                               "`: ordo:renamed-from needs a column line and an old column name");
      st.renames[column] = old;
    }
    if (line_end == std::string_view::npos) break;
    line_start = line_end + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<SchemaStatement>> ParseSchemaFile(std::string_view file, std::string_view text) {
  std::vector<SchemaStatement> out;
  int line = 1;
  size_t i = 0;
  while (true) {
    // Skip to the statement's first word, counting lines.
    size_t start = SkipBlank(text, i);
    for (size_t k = i; k < start; ++k)
      if (text[k] == '\n') ++line;
    if (start >= text.size()) break;
    SchemaStatement st;
    st.file = std::string(file);
    st.line = line;
    size_t k = start;
    char quote = 0;
    int quote_line = line;
    for (; k < text.size(); ++k) {
      char c = text[k];
      if (c == '\n') ++line;
      if (quote != 0) {
        if (c == '\\' && quote != '`' && k + 1 < text.size()) {
          if (text[k + 1] == '\n') ++line;
          ++k;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        quote = c;
        quote_line = line;
      } else if (c == ';') {
        break;
      } else if (text.substr(k, 2) == "/*" || c == '#' ||
                 (text.substr(k, 2) == "--" &&
                  (k + 2 >= text.size() ||
                   std::isspace(static_cast<unsigned char>(text[k + 2])) != 0))) {
        size_t end = SkipBlank(text, k);
        for (size_t j = k; j < end; ++j)
          if (text[j] == '\n') ++line;
        if (end >= text.size() && text.substr(k, 2) == "/*" &&
            text.substr(k).find("*/") == std::string_view::npos)
          return InvalidArgument(Where(file, line) + "unterminated comment");
        k = end - 1;
      }
    }
    if (quote != 0)
      return InvalidArgument(Where(file, quote_line) + "unterminated " + std::string(1, quote) +
                             " quote");
    st.sql = std::string(text.substr(start, k - start));
    ORDO_RETURN_IF_ERROR(Describe(file, st));
    for (const SchemaStatement& other : out)
      if (other.table == st.table)
        return InvalidArgument(Where(file, st.line) + "table `" + st.table +
                               "` is already created at line " + std::to_string(other.line));
    out.push_back(std::move(st));
    i = k < text.size() ? k + 1 : k;
  }
  return out;
}

Result<SchemaFiles> ReadSchemaFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound("schema_dir " + dir + ": no such directory");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".sql")
      names.push_back(entry.path().filename().string());
  if (ec) return InvalidArgument("schema_dir " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  SchemaFiles out;
  std::string hashed;
  std::map<std::string, std::string> where;  // table → file:line
  for (const std::string& name : names) {
    std::string path = (fs::path(dir) / name).string();
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgument(path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    std::string contents = text.str();
    hashed += name + '\0' + contents + '\0';
    ORDO_ASSIGN_OR_RETURN(std::vector<SchemaStatement> statements, ParseSchemaFile(path, contents));
    for (SchemaStatement& st : statements) {
      std::string here = st.file + ":" + std::to_string(st.line);
      auto [it, added] = where.emplace(st.table, here);
      if (!added)
        return InvalidArgument(here + ": table `" + st.table + "` is already created at " +
                               it->second);
      out.statements.push_back(std::move(st));
    }
  }
  out.hash = Sha256Hex(hashed);
  return out;
}

}  // namespace ordo::schema

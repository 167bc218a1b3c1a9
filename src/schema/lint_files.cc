#include "schema/lint_files.h"

#include "schema/lint_rules.h"
#include "schema/lint_types.h"

namespace ordo::schema {

std::string TableOptionsText(std::string_view sql) {
  std::string out;
  int depth = 0;
  bool opened = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {  // a quoted string or name: skipped whole
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '\\' && c != '`') {
          ++i;
        } else if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            ++i;
            continue;
          }
          break;
        }
      }
      if (opened && depth == 0 && !out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if ((c == '-' && sql.substr(i, 3) == "-- ") || c == '#') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && sql.substr(i, 2) == "/*") {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
      continue;
    }
    if (c == '(') {
      ++depth;
      opened = true;
      continue;
    }
    if (c == ')') {
      --depth;
      continue;
    }
    if (!opened || depth != 0) continue;
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '=';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += Lower(std::string_view(&c, 1));
    }
  }
  return out;
}

std::vector<Finding> LintSchemaFiles(const std::vector<SchemaStatement>& statements) {
  std::vector<Finding> out;
  for (const SchemaStatement& s : statements) {
    std::string options = " " + TableOptionsText(s.sql) + " ";
    if (options.find(" charset ") != std::string::npos ||
        options.find(" character set ") != std::string::npos ||
        options.find(" collate ") != std::string::npos)
      continue;
    out.push_back(MakeFinding("missing-charset", s.table,
                              s.file + ":" + std::to_string(s.line) +
                                  ": the CREATE TABLE names no character set, so the table "
                                  "takes the default of the server it is created on"));
  }
  return out;
}

}  // namespace ordo::schema

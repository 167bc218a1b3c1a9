#include "schema/create_text.h"

#include <cctype>

namespace ordo::schema {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string LeadingIdentifier(std::string_view line) {
  if (line.empty() || line[0] != '`') return "";
  std::string out;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '`') {
      if (i + 1 < line.size() && line[i + 1] == '`') {
        out += '`';
        ++i;
        continue;
      }
      return out;
    }
    out += line[i];
  }
  return "";
}

Result<CreateTableParts> SplitCreateTable(std::string_view create_sql) {
  if (!StartsWith(create_sql, "CREATE TABLE "))
    return InvalidArgument("not a CREATE TABLE statement: " +
                           std::string(create_sql.substr(0, 60)));
  CreateTableParts parts;
  size_t pos = create_sql.find('\n');
  bool closed = false;
  while (pos != std::string_view::npos && !closed) {
    size_t next = create_sql.find('\n', pos + 1);
    std::string_view line = create_sql.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    pos = next;
    if (StartsWith(line, ")")) {
      std::string_view rest = create_sql.substr(line.data() - create_sql.data());
      rest.remove_prefix(1);
      parts.options = std::string(Trim(rest));
      closed = true;
      break;
    }
    std::string_view element = Trim(line);
    if (!element.empty() && element.back() == ',') element.remove_suffix(1);
    if (element.empty()) continue;
    if (element[0] == '`') {
      parts.columns.emplace_back(element);
    } else if (StartsWith(element, "CONSTRAINT ") &&
               element.find(" FOREIGN KEY ") != std::string_view::npos) {
      parts.constraints.emplace_back(element);
    } else if (StartsWith(element, "CONSTRAINT ") &&
               element.find(" CHECK ") != std::string_view::npos) {
      parts.constraints.emplace_back(element);
    } else {
      parts.keys.emplace_back(element);
    }
  }
  if (!closed) return InvalidArgument("SHOW CREATE TABLE text without its closing line");
  // AUTO_INCREMENT=N is the table's counter, not its shape.
  size_t at = parts.options.find("AUTO_INCREMENT=");
  if (at != std::string::npos && (at == 0 || parts.options[at - 1] == ' ')) {
    size_t end = at + 15;
    while (end < parts.options.size() &&
           std::isdigit(static_cast<unsigned char>(parts.options[end])) != 0)
      ++end;
    if (end < parts.options.size() && parts.options[end] == ' ') ++end;
    parts.options.erase(at, end - at);
    while (!parts.options.empty() && parts.options.back() == ' ') parts.options.pop_back();
  }
  return parts;
}

std::map<std::string, std::string> ParseTableOptions(std::string_view options) {
  std::map<std::string, std::string> items;
  std::string_view s = Trim(options);
  while (!s.empty()) {
    size_t eq = s.find('=');
    size_t quote = s.find('\'');
    if (eq == std::string_view::npos || (quote != std::string_view::npos && quote < eq) ||
        StartsWith(s, "PARTITION") || StartsWith(s, "/*")) {
      items["PARTITION"] = std::string(s);
      break;
    }
    std::string name(Trim(s.substr(0, eq)));
    s.remove_prefix(eq + 1);
    std::string value;
    if (!s.empty() && s[0] == '\'') {
      size_t i = 1;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\') {
          ++i;
          continue;
        }
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            ++i;
            continue;
          }
          break;
        }
      }
      value = std::string(s.substr(0, i + 1));
      s.remove_prefix(std::min(s.size(), i + 1));
    } else {
      size_t end = s.find_first_of(" \n");
      value = std::string(s.substr(0, end));
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    }
    items[name] = value;
    s = Trim(s);
  }
  return items;
}

}  // namespace ordo::schema

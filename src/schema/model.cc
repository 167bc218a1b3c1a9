#include "schema/model.h"

#include <algorithm>
#include <cctype>

namespace ordo::schema {

bool ColumnDef::auto_increment() const {
  std::string lower = extra;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("auto_increment") != std::string::npos;
}

const ColumnDef* TableDef::FindColumn(std::string_view column) const {
  for (const ColumnDef& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

const IndexDef* TableDef::FindIndex(std::string_view index) const {
  for (const IndexDef& i : indexes)
    if (i.name == index) return &i;
  return nullptr;
}

const TableDef* SchemaDef::Find(std::string_view table) const {
  auto it = tables.find(table);
  return it == tables.end() ? nullptr : &it->second;
}

std::string NormalizeCreateTable(std::string_view create_sql) {
  // The options follow the last ") " of the statement; AUTO_INCREMENT=N is only there.
  std::string out(create_sql);
  size_t close = out.rfind("\n) ");
  if (close == std::string::npos) return out;
  size_t at = out.find(" AUTO_INCREMENT=", close);
  if (at == std::string::npos) return out;
  size_t end = at + 16;
  while (end < out.size() && std::isdigit(static_cast<unsigned char>(out[end])) != 0) ++end;
  out.erase(at, end - at);
  return out;
}

bool SameTable(const TableDef& a, const TableDef& b) {
  if (a.columns.size() != b.columns.size() || a.indexes.size() != b.indexes.size() ||
      a.constraints.size() != b.constraints.size())
    return false;
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const ColumnDef& x = a.columns[i];
    const ColumnDef& y = b.columns[i];
    if (x.definition != y.definition || x.charset != y.charset || x.collation != y.collation)
      return false;
  }
  for (size_t i = 0; i < a.indexes.size(); ++i)
    if (a.indexes[i].definition != b.indexes[i].definition) return false;
  for (size_t i = 0; i < a.constraints.size(); ++i)
    if (a.constraints[i].definition != b.constraints[i].definition) return false;
  return a.options.items == b.options.items;
}

}  // namespace ordo::schema

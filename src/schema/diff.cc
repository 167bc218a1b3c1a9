#include "schema/diff.h"

#include "db/mysql/connection.h"

namespace ordo::schema {

std::string_view ToString(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreate:
      return "create";
    case ChangeKind::kAlter:
      return "alter";
    case ChangeKind::kDrop:
      return "drop";
  }
  return "alter";
}

std::string ExplicitColumnDefinition(const ColumnDef& column) {
  const std::string& def = column.definition;
  if (column.charset.empty() || column.collation.empty()) return def;
  if (def.find(" CHARACTER SET ") != std::string::npos ||
      def.find(" COLLATE ") != std::string::npos)
    return def;
  std::string head = db::QuoteIdentifier(column.name) + " " + column.column_type;
  if (def.compare(0, head.size(), head) != 0) return def;
  return head + " CHARACTER SET " + column.charset + " COLLATE " + column.collation +
         def.substr(head.size());
}

std::vector<TableChange> DiffSchemas(const SchemaDef& current, const SchemaDef& desired) {
  std::vector<TableChange> out;
  for (const auto& [name, table] : desired.tables) {
    if (current.Find(name) != nullptr) continue;
    out.push_back({name, ChangeKind::kCreate, table.create_sql, {"create table"}});
  }
  for (const auto& [name, table] : desired.tables) {
    const TableDef* live = current.Find(name);
    if (live == nullptr) continue;
    if (auto change = DiffTable(*live, table)) out.push_back(std::move(*change));
  }
  for (const auto& [name, table] : current.tables) {
    if (desired.Find(name) != nullptr) continue;
    out.push_back(
        {name, ChangeKind::kDrop, "DROP TABLE " + db::QuoteIdentifier(name), {"drop table"}});
  }
  return out;
}

}  // namespace ordo::schema

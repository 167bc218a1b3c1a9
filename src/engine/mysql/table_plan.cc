#include "engine/mysql/table_plan.h"

#include <strings.h>

#include <cctype>
#include <cstdio>
#include <functional>

namespace ordo::engine {
namespace {

std::string Named(std::string_view table, std::string_view suffix) {
  std::string name = std::string(table) + std::string(suffix);
  if (name.size() <= 64) return name;
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%08zx", std::hash<std::string_view>{}(table)&0xffffffffu);
  return std::string(table.substr(0, 64 - 9 - suffix.size())) + "_" + hash + std::string(suffix);
}

// Character set names come from information_schema; anything but [A-Za-z0-9_] is
// refused rather than spliced into SQL.
bool PlainName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

std::string TablePlan::ValueExpr(size_t i) const {
  if (i < convert_from.size() && !convert_from[i].empty())
    return "CONVERT(? USING " + convert_from[i] + ")";
  return "?";
}

std::string ShadowTableName(std::string_view table) { return Named(table, "_ordo_new"); }
std::string OldTableName(std::string_view table) { return Named(table, "_ordo_old"); }
std::string CheckTableName(std::string_view table) { return Named(table, "_ordo_chk"); }
std::string OwnerTableName(std::string_view table) { return Named(table, "_ordo_own"); }
std::vector<std::string> OwnedTableNames(std::string_view table) {
  return {ShadowTableName(table), OldTableName(table), CheckTableName(table)};
}
bool IsOrdoTableName(std::string_view name) {
  for (std::string_view suffix : {"_ordo_new", "_ordo_old", "_ordo_chk", "_ordo_own"})
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      return true;
  return false;
}
std::string BackupTableName(std::string_view table, std::string_view stamp) {
  return Named(table, "_ordo_bak_" + std::string(stamp));
}

Result<TablePlan> BuildTablePlan(TableInfo source, TableInfo shadow, const AlterStatement& alter) {
  TablePlan plan;
  std::string where = db::QuoteTable(source.schema_name, source.table_name);
  if (source.key_columns.empty())
    return FailedPrecondition(where +
                              " has no primary key and no unique key over NOT NULL columns");
  for (size_t i = 0; i < source.columns.size(); ++i) {
    const ColumnInfo& c = source.columns[i];
    if (c.generated) continue;
    std::string target = c.name;
    for (const auto& [from, to] : alter.renamed_columns)
      if (strcasecmp(from.c_str(), c.name.c_str()) == 0) target = to;
    int s = shadow.ColumnIndex(target);
    if (s < 0 || shadow.columns[s].generated) continue;
    plan.source_index.push_back(static_cast<int>(i));
    plan.source_names.push_back(c.name);
    plan.shadow_names.push_back(shadow.columns[s].name);
    plan.binary.push_back(c.is_binary());
    const std::string& to = shadow.columns[s].charset;
    plan.convert_from.push_back(!c.charset.empty() && !to.empty() &&
                                        strcasecmp(c.charset.c_str(), to.c_str()) != 0 &&
                                        PlainName(c.charset)
                                    ? c.charset
                                    : "");
  }
  for (const std::string& k : source.key_columns) plan.source_key.push_back(source.ColumnIndex(k));
  if (shadow.key_columns.empty())
    return FailedPrecondition(where + ": the changed table would have no primary key");
  for (const std::string& k : shadow.key_columns) {
    int found = -1;
    for (size_t i = 0; i < plan.shadow_names.size(); ++i)
      if (strcasecmp(plan.shadow_names[i].c_str(), k.c_str()) == 0) found = static_cast<int>(i);
    if (found < 0)
      return FailedPrecondition(where + ": the new key column " + db::QuoteIdentifier(k) +
                                " does not come from the old table");
    plan.shadow_key.push_back(found);
  }
  plan.shadow_name = ShadowTableName(source.table_name);
  plan.old_name = OldTableName(source.table_name);
  plan.source = std::move(source);
  plan.shadow = std::move(shadow);
  return plan;
}

}  // namespace ordo::engine

// TablePlan: everything the copy, the applier, the checksum and the cutover need to
// know about one table change: the source and shadow definitions, ordo's artefact
// names, and how source columns map onto shadow columns.
//
// Common columns are the source's non-generated columns that still exist in the
// shadow (renames from the ALTER followed); dropped columns are left out, added ones
// take their defaults. Rows are identified in the shadow by the shadow's own key
// (which must be made of common columns), so a change of primary key still applies.
//
// Thread-safety: a plain value once built.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/mysql/ddl.h"
#include "engine/mysql/table_info.h"

namespace ordo::engine {

// `<table>_ordo_new`: the shadow; `<table>_ordo_old`: the cutover sentry, then the old
// table after the swap. Long names are shortened with a hash to fit 64 characters.
// The names extend the table's own name on purpose: the server takes a statement's
// metadata locks in name order, so the cutover's RENAME queues on the table itself
// first (see cutover.h).
std::string ShadowTableName(std::string_view table);
std::string OldTableName(std::string_view table);
// `<table>_ordo_chk`: the empty copy preflight tries the change on.
std::string CheckTableName(std::string_view table);
// `<table>_ordo_own`: the record of which operation owns the names above (ownership.h).
std::string OwnerTableName(std::string_view table);
// The names a table's ownership record owns: shadow, old (and sentry), check.
std::vector<std::string> OwnedTableNames(std::string_view table);
// True for a name of the four kinds above (shadow, old or sentry, check, ownership
// record) — of any table, so of any operation.
bool IsOrdoTableName(std::string_view name);
// `<table>_ordo_bak_<stamp>`: an old table kept (keep_old_table) when the operation
// ends; `stamp` is the UTC time as yyyymmddhhmmss.
std::string BackupTableName(std::string_view table, std::string_view stamp);

struct TablePlan {
  TableInfo source;
  TableInfo shadow;
  std::string shadow_name;
  std::string old_name;
  // Common columns, in source ordinal order.
  std::vector<int> source_index;          // ordinal index in the source (binlog image)
  std::vector<std::string> source_names;  // their names in the source
  std::vector<std::string> shadow_names;  // their names in the shadow
  std::vector<bool> binary;               // bound as bytes rather than text
  // Per common column: the source's character set when the shadow's differs (the
  // binlog gives a text column's raw bytes in the source's charset, so the applier
  // binds them as CONVERT(? USING <charset>)); empty when no conversion is needed.
  std::vector<std::string> convert_from;
  std::vector<int> source_key;  // source ordinal indexes of the source key
  std::vector<int> shadow_key;  // positions in the common list of the shadow key

  const std::string& schema() const { return source.schema_name; }
  const std::string& table() const { return source.table_name; }
  // The SQL a value of common column `i` is bound with: "?" or "CONVERT(? USING cs)".
  std::string ValueExpr(size_t i) const;
};

// FailedPrecondition naming the table when the source has no usable key or the
// shadow's key is not made of common columns.
Result<TablePlan> BuildTablePlan(TableInfo source, TableInfo shadow, const AlterStatement& alter);

}  // namespace ordo::engine

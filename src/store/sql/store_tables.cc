#include "store/sql/store_tables.h"

namespace ordo::sqlstore {
namespace {

using T = ColumnType;

constexpr ColumnSpec Id() { return {"id", T::kId}; }
constexpr ColumnSpec Name(std::string_view name, bool nullable = false) {
  return {name, T::kVarchar, nullable, {}, 255};
}
constexpr ColumnSpec Varchar(std::string_view name, int length, std::string_view def = {}) {
  return {name, T::kVarchar, false, def, length};
}
constexpr ColumnSpec Time(std::string_view name, bool nullable) {
  return {name, T::kTime, nullable};
}
constexpr ColumnSpec Nullable(std::string_view name, ColumnType type) { return {name, type, true}; }
constexpr ColumnSpec Counter(std::string_view name, ColumnType type) {
  return {name, type, false, "0"};
}

}  // namespace

const TableSpec kAppliesTable = {"applies",
                                 {Id(),
                                  Name("external_id"),
                                  Name("database_name"),
                                  Name("environment"),
                                  Varchar("state", 32),
                                  Counter("defer_cutover", T::kFlag),
                                  {"options", T::kText},
                                  {"operation_count", T::kInt},
                                  Nullable("error", T::kText),
                                  Counter("attempt", T::kInt),
                                  Name("lease_owner", true),
                                  Nullable("lease_token", T::kToken),
                                  Time("lease_acquired_at", true),
                                  Time("failed_at", true),
                                  Time("started_at", true),
                                  Time("completed_at", true),
                                  Time("created_at", false),
                                  Time("updated_at", false)},
                                 {},
                                 {{"applies_external_id", "external_id"}},
                                 {}};

const TableSpec kOperationsTable = {
    "apply_operations",
    {Id(),
     {"apply_id", T::kBigInt},
     Name("deployment"),
     Varchar("state", 32),
     Nullable("error", T::kText),
     Varchar("cutover_policy", 64),
     Varchar("on_failure", 64),
     Counter("attempt", T::kInt),
     Name("lease_owner", true),
     Nullable("lease_token", T::kToken),
     Time("lease_acquired_at", true),
     Nullable("resume_state", T::kLongText),
     Time("started_at", true),
     Time("cutover_started_at", true),
     Time("cutover_completed_at", true),
     Time("completed_at", true),
     Time("created_at", false),
     Time("updated_at", false)},
    {},
    {{"apply_operations_deployment_unique", "apply_id, deployment"}},
    {{"apply_operations_apply", "apply_id", "applies"}}};

const TableSpec kChangesTable = {"apply_changes",
                                 {Id(),
                                  {"operation_id", T::kBigInt},
                                  Name("schema_name"),
                                  Name("table_name"),
                                  {"ddl", T::kDocument},
                                  Varchar("state", 64, "'pending'"),
                                  Counter("rows_copied", T::kBigInt),
                                  Counter("rows_total", T::kBigInt),
                                  Counter("progress", T::kReal),
                                  Nullable("eta_seconds", T::kBigInt),
                                  Counter("instant", T::kFlag),
                                  Nullable("cutover_lock_ms", T::kBigInt),
                                  Nullable("error", T::kText),
                                  Time("updated_at", false)},
                                 {},
                                 {},
                                 {{"apply_changes_operation", "operation_id", "apply_operations"}}};

const TableSpec kRequestsTable = {"control_requests",
                                  {Id(),
                                   {"apply_id", T::kBigInt},
                                   Varchar("kind", 32),
                                   Varchar("status", 32),
                                   Varchar("requested_by", 255, "''"),
                                   Nullable("error", T::kText),
                                   Time("created_at", false),
                                   Time("updated_at", false),
                                   Time("completed_at", true)},
                                  {},
                                  {{"control_requests_kind", "apply_id, kind"}},
                                  {{"control_requests_apply", "apply_id", "applies"}}};

const TableSpec kEventsTable = {"apply_events",
                                {Id(),
                                 {"apply_id", T::kBigInt},
                                 Nullable("operation_id", T::kBigInt),
                                 Time("at", false),
                                 Varchar("kind", 64),
                                 {"from_state", T::kVarchar, true, {}, 32},
                                 {"to_state", T::kVarchar, true, {}, 32},
                                 {"message", T::kText}},
                                {},
                                {},
                                {{"apply_events_apply", "apply_id", "applies"}}};

const TableSpec kScopesTable = {"apply_scopes",
                                {Name("database_name"), Name("environment")},
                                "database_name, environment",
                                {},
                                {}};

const TableSpec kIdentityTable = {
    "store_identity", {Varchar("id", 64), Time("created_at", false)}, "id", {}, {}};

const ColumnSpec kCleanupPendingColumn = Counter("cleanup_pending", T::kFlag);

std::string ColumnDefinition(const ColumnSpec& column, const TableDialect& dialect) {
  std::string out =
      std::string(column.name) + " " + std::string(dialect.types[static_cast<size_t>(column.type)]);
  if (column.type == ColumnType::kVarchar && dialect.varchar_length)
    out += "(" + std::to_string(column.length) + ")";
  if (column.type == ColumnType::kId) return out;
  out += column.nullable ? " NULL" : " NOT NULL";
  if (!column.default_sql.empty()) out += " DEFAULT " + std::string(column.default_sql);
  return out;
}

std::string CreateTable(const TableSpec& table, const TableDialect& dialect,
                        const std::vector<std::string_view>& extra_lines) {
  std::vector<std::string> lines;
  bool has_id = false;
  for (const ColumnSpec& column : table.columns) {
    std::string line = ColumnDefinition(column, dialect);
    has_id = has_id || column.type == ColumnType::kId;
    if (dialect.inline_references) {
      for (const ReferenceSpec& ref : table.references) {
        if (ref.column == column.name)
          line += " REFERENCES " + std::string(ref.target) + " (id) ON DELETE CASCADE";
      }
    }
    lines.push_back(std::move(line));
  }
  if (has_id && dialect.id_key_line) lines.emplace_back("PRIMARY KEY (id)");
  if (!table.primary_key.empty())
    lines.push_back("PRIMARY KEY (" + std::string(table.primary_key) + ")");
  for (const UniqueSpec& unique : table.uniques) {
    lines.push_back("CONSTRAINT " + std::string(unique.name) + " UNIQUE (" +
                    std::string(unique.columns) + ")");
  }
  for (std::string_view extra : extra_lines) lines.emplace_back(extra);
  if (!dialect.inline_references) {
    for (const ReferenceSpec& ref : table.references) {
      lines.push_back("CONSTRAINT " + std::string(ref.name) + " FOREIGN KEY (" +
                      std::string(ref.column) + ") REFERENCES " + std::string(ref.target) +
                      " (id) ON DELETE CASCADE");
    }
  }
  std::string out = dialect.if_not_exists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ";
  out += std::string(table.name) + " (\n";
  for (size_t i = 0; i < lines.size(); ++i)
    out += "  " + lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  out += ")";
  if (!dialect.table_options.empty()) out += " " + std::string(dialect.table_options);
  return out;
}

std::string TablesScript(const std::vector<ScriptedTable>& tables, const TableDialect& dialect) {
  std::string out;
  for (const ScriptedTable& t : tables)
    out += CreateTable(t.table, dialect) + ";\n" + std::string(t.then);
  return out;
}

TableSpec WithColumn(TableSpec table, const ColumnSpec& column) {
  table.columns.push_back(column);
  return table;
}

}  // namespace ordo::sqlstore

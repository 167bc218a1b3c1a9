#include "store/sqlite/sqlite_dialect.h"

#include <chrono>
#include <string>

#include "store/sql/store_tables.h"

namespace ordo::sqlite {
namespace {

// Times are INTEGER microseconds since the epoch, UTC.
const sqlstore::TableDialect kTables = {
    .types = {"INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "INTEGER", "INTEGER", "TEXT", "TEXT",
              "TEXT", "TEXT", "TEXT", "REAL", "INTEGER"},
    .inline_references = true};

const std::string& V1() {
  static const std::string s = sqlstore::TablesScript(
      {{sqlstore::kAppliesTable, R"sql(
CREATE INDEX applies_by_state ON applies (state, id);
CREATE INDEX applies_by_target ON applies (database_name, environment);
)sql"},
       {sqlstore::kOperationsTable, R"sql(
CREATE INDEX apply_operations_claim ON apply_operations (state, created_at, id);
CREATE INDEX apply_operations_siblings ON apply_operations (apply_id, id);
CREATE INDEX apply_operations_deployment ON apply_operations (deployment, state);
)sql"},
       {sqlstore::kChangesTable,
        "CREATE INDEX apply_changes_by_operation ON apply_changes (operation_id, id);\n"},
       {sqlstore::kRequestsTable},
       {sqlstore::kEventsTable,
        "CREATE INDEX apply_events_by_apply ON apply_events (apply_id, id);\n"}},
      kTables);
  return s;
}

// Version 2: the store's identity (Store::StoreId), a random id made once, here.
const std::string& V2() {
  static const std::string s =
      sqlstore::TablesScript({{sqlstore::kIdentityTable}}, kTables) + R"sql(
INSERT INTO store_identity (id, created_at)
  SELECT 'st_' || lower(hex(randomblob(12))), CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
)sql";
  return s;
}

// Version 3: an operation failed by retry expiry owes the cleanup of its target
// (cleanup_pending), which the cleanup claim hands out. The partial index holds only
// those few rows, so the claim finds them without reading every failed row (its
// MULTI-INDEX OR serves that arm by this index, the others by the claim index).
const std::string& V3() {
  static const std::string s =
      "ALTER TABLE apply_operations ADD COLUMN " +
      sqlstore::ColumnDefinition(sqlstore::kCleanupPendingColumn, kTables) + ";\n" + R"sql(
CREATE INDEX apply_operations_cleanup_owed ON apply_operations (cleanup_pending)
  WHERE cleanup_pending = 1;
)sql";
  return s;
}

// Version 4: the heartbeat index, as on MariaDB. The copy and cutover claims find
// their stale in-flight rows (arms B and 2) by a range on it, so rows with a live
// heartbeat are never read; the claim index serves their other arms in claim order
// (sqlite_gates.h).
constexpr std::string_view kV4 = R"sql(
CREATE INDEX apply_operations_heartbeat ON apply_operations (state, updated_at);
)sql";

// Version 5: the applies that have an operation in an idle state (a partial index),
// and the requests by kind and status (as on MariaDB). The cleanup claim finds the
// applies that ended with idle rows left by seeking in these and in applies_by_state
// (sqlite_gates.h), instead of reading every idle row; stop reconciliation finds the
// pending stops without reading every request.
constexpr std::string_view kV5 = R"sql(
CREATE INDEX apply_operations_idle ON apply_operations (apply_id)
  WHERE state IN ('pending','stopped','failed_retryable','waiting_for_cutover');
CREATE INDEX control_requests_open ON control_requests (kind, status, apply_id);
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, V1()}, {2, V2()}, {3, V3()}, {4, kV4}, {5, kV5}};
  return kMigrations;
}

Micros NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ordo::sqlite

#include "store/mysql/migrations.h"

#include <string>

#include "store/mysql/transaction.h"
#include "store/sql/sql_store.h"
#include "store/sql/store_tables.h"

namespace ordo::mysql {
namespace {

// Binary collation everywhere: states, policies and deployment names compare exactly
// as the SQLite backend compares them ('Continue' is not 'continue' and fails closed).
// IF NOT EXISTS: DDL commits implicitly, so a half-applied migration runs again.
const sqlstore::TableDialect kTables = {
    .types = {"BIGINT NOT NULL AUTO_INCREMENT", "BIGINT", "INT", "TINYINT", "VARCHAR", "CHAR(36)",
              "TEXT", "MEDIUMTEXT", "LONGTEXT", "DOUBLE", "DATETIME(6)"},
    .varchar_length = true,
    .id_key_line = true,
    .inline_references = false,
    .if_not_exists = true,
    .table_options =
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
        "COLLATE=utf8mb4_bin"};

// Version 1: the tables of docs/store-schema.md.
//
// Indexes beyond the shared list, each serving one gate as an index lookup:
//   apply_operations (state, updated_at)  the stale-recovery arms find stale rows
//                                         without reading live ones;
//   applies (database_name, environment, state)  the one-active-apply check;
//   applies (state, failed_at)            retry expiry;
//   control_requests (kind, status, apply_id)  stop reconciliation and resume
//                                         start from the pending requests.
// apply_scopes holds one row per (database, environment); CreateApply and a resume
// lock it so two concurrent creates cannot both pass the one-active-apply check (READ
// COMMITTED takes no gap locks that would serialise them otherwise).
const std::vector<std::string>& V1() {
  static const std::vector<std::string> s = {
      CreateTable(sqlstore::kAppliesTable, kTables,
                  {"KEY applies_by_state (state, failed_at)",
                   "KEY applies_by_target (database_name, environment, state)"}),
      CreateTable(sqlstore::kOperationsTable, kTables,
                  {"KEY apply_operations_claim (state, created_at, id)",
                   "KEY apply_operations_heartbeat (state, updated_at)",
                   "KEY apply_operations_siblings (apply_id, id)",
                   "KEY apply_operations_deployment (deployment, state)"}),
      CreateTable(sqlstore::kChangesTable, kTables,
                  {"KEY apply_changes_by_operation (operation_id, id)"}),
      CreateTable(sqlstore::kRequestsTable, kTables,
                  {"KEY control_requests_open (kind, status, apply_id)"}),
      CreateTable(sqlstore::kEventsTable, kTables, {"KEY apply_events_by_apply (apply_id, id)"}),
      CreateTable(sqlstore::kScopesTable, kTables),
  };
  return s;
}

// Version 2: the store's identity (Store::StoreId), a random id made once, here (the
// migration runs under the lock below, so exactly once per store).
const std::string& V2Identity() {
  static const std::string s = CreateTable(sqlstore::kIdentityTable, kTables);
  return s;
}

// The table is read through a derived table that cannot be merged (an aggregate), so
// the statement does not read its own target in a subquery, which MySQL refuses (1093).
constexpr std::string_view kV2IdentityRow =
    "INSERT INTO store_identity (id, created_at) "
    "SELECT CONCAT('st_', LEFT(SHA2(CONCAT(UUID(), RAND(), CONNECTION_ID(), NOW(6)), 256), 24)), "
    "NOW(6) "
    "FROM (SELECT COUNT(*) AS n FROM store_identity) AS existing WHERE existing.n = 0";

// Version 3: an operation failed by retry expiry owes the cleanup of its target
// (cleanup_pending), which the cleanup claim hands out. Its index holds the flag alone:
// claims change an operation's state, never the flag, so they do not maintain it, and
// the cleanup claim finds the few flagged rows without reading every failed one.
// The column and its index come in one ALTER, which takes effect whole or not at all,
// so the column alone tells whether it ran (MySQL 8 has no ADD COLUMN / ADD INDEX IF
// NOT EXISTS).
const std::string& V3CleanupPending() {
  static const std::string s =
      "ALTER TABLE apply_operations ADD COLUMN " +
      sqlstore::ColumnDefinition(sqlstore::kCleanupPendingColumn, kTables) +
      ", ADD INDEX apply_operations_cleanup_owed (cleanup_pending)";
  return s;
}
constexpr std::string_view kV3Applied =
    "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
    "TABLE_NAME = 'apply_operations' AND COLUMN_NAME = 'cleanup_pending'";

constexpr std::string_view kMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INT         NOT NULL,
  applied_at DATETIME(6) NOT NULL,
  PRIMARY KEY (version)
) ENGINE=InnoDB)sql";

// Serialises migrations of one database across processes. The name is per database
// (one server may hold many stores) and hashed to fit the 64-character limit.
constexpr std::string_view kLock = "SELECT GET_LOCK(CONCAT('ordo_migrate_', MD5(DATABASE())), 60)";
constexpr std::string_view kUnlock =
    "SELECT RELEASE_LOCK(CONCAT('ordo_migrate_', MD5(DATABASE())))";

// Whether `m`'s statements already took effect (Migration::applied).
Result<bool> TookEffect(db::MysqlConnection& conn, const Migration& m) {
  if (m.applied.empty()) return false;
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn.Query(m.applied));
  return !rows.rows.empty();
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, {V1().begin(), V1().end()}},
      {2, {V2Identity(), kV2IdentityRow}},
      {3, {V3CleanupPending()}, kV3Applied},
  };
  return kMigrations;
}

Result<int> AppliedVersion(db::MysqlConnection& conn) {
  ConnSession session(&conn);
  return sqlstore::AppliedVersion(session);
}

Status RunMigrations(db::MysqlConnection& conn) {
  ORDO_RETURN_IF_ERROR(conn.Execute(kMigrationsTable));
  ORDO_ASSIGN_OR_RETURN(db::SqlRows locked, conn.Query(kLock));
  if (locked.rows.empty() || !locked.rows[0][0] || *locked.rows[0][0] != "1")
    return Aborted("another process is migrating the store; timed out waiting for it");
  Status result = [&]() -> Status {
    ORDO_ASSIGN_OR_RETURN(int current, AppliedVersion(conn));
    for (const Migration& m : Migrations()) {
      if (m.version <= current) continue;
      ORDO_ASSIGN_OR_RETURN(bool took_effect, TookEffect(conn, m));
      if (!took_effect) {
        for (std::string_view sql : m.statements) {
          Status s = conn.Execute(sql);
          if (!s.ok()) return s.WithContext("migration " + std::to_string(m.version));
        }
      }
      ORDO_RETURN_IF_ERROR(
          conn.Execute("INSERT IGNORE INTO schema_migrations (version, applied_at) "
                       "VALUES (?, NOW(6))",
                       {db::SqlValue::Int(m.version)})
              .status());
    }
    return Status::Ok();
  }();
  Status unlocked = conn.Query(kUnlock).status();
  ORDO_RETURN_IF_ERROR(result);
  return unlocked;
}

}  // namespace ordo::mysql

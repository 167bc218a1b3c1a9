#include "store/mysql/migrations.h"

#include <string>

#include "store/mysql/transaction.h"
#include "store/sql/sql_store.h"

namespace ordo::mysql {
namespace {

// Binary collation everywhere: states, policies and deployment names compare exactly
// as the SQLite backend compares them ('Continue' is not 'continue' and fails closed).
constexpr std::string_view kTableOptions =
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

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
const std::string& V1Applies() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS applies (
  id                BIGINT       NOT NULL AUTO_INCREMENT,
  external_id       VARCHAR(255) NOT NULL,
  database_name     VARCHAR(255) NOT NULL,
  environment       VARCHAR(255) NOT NULL,
  state             VARCHAR(32)  NOT NULL,
  defer_cutover     TINYINT      NOT NULL DEFAULT 0,
  options           TEXT         NOT NULL,
  operation_count   INT          NOT NULL,
  error             TEXT         NULL,
  attempt           INT          NOT NULL DEFAULT 0,
  lease_owner       VARCHAR(255) NULL,
  lease_token       CHAR(36)     NULL,
  lease_acquired_at DATETIME(6)  NULL,
  failed_at         DATETIME(6)  NULL,
  started_at        DATETIME(6)  NULL,
  completed_at      DATETIME(6)  NULL,
  created_at        DATETIME(6)  NOT NULL,
  updated_at        DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY applies_external_id (external_id),
  KEY applies_by_state (state, failed_at),
  KEY applies_by_target (database_name, environment, state)
))sql") + std::string(kTableOptions);
  return s;
}

const std::string& V1Operations() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS apply_operations (
  id                   BIGINT       NOT NULL AUTO_INCREMENT,
  apply_id             BIGINT       NOT NULL,
  deployment           VARCHAR(255) NOT NULL,
  state                VARCHAR(32)  NOT NULL,
  error                TEXT         NULL,
  cutover_policy       VARCHAR(64)  NOT NULL,
  on_failure           VARCHAR(64)  NOT NULL,
  attempt              INT          NOT NULL DEFAULT 0,
  lease_owner          VARCHAR(255) NULL,
  lease_token          CHAR(36)     NULL,
  lease_acquired_at    DATETIME(6)  NULL,
  resume_state         LONGTEXT     NULL,
  started_at           DATETIME(6)  NULL,
  cutover_started_at   DATETIME(6)  NULL,
  cutover_completed_at DATETIME(6)  NULL,
  completed_at         DATETIME(6)  NULL,
  created_at           DATETIME(6)  NOT NULL,
  updated_at           DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY apply_operations_deployment_unique (apply_id, deployment),
  KEY apply_operations_claim (state, created_at, id),
  KEY apply_operations_heartbeat (state, updated_at),
  KEY apply_operations_siblings (apply_id, id),
  KEY apply_operations_deployment (deployment, state),
  CONSTRAINT apply_operations_apply FOREIGN KEY (apply_id) REFERENCES applies (id)
    ON DELETE CASCADE
))sql") + std::string(kTableOptions);
  return s;
}

const std::string& V1Changes() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS apply_changes (
  id              BIGINT       NOT NULL AUTO_INCREMENT,
  operation_id    BIGINT       NOT NULL,
  schema_name     VARCHAR(255) NOT NULL,
  table_name      VARCHAR(255) NOT NULL,
  ddl             MEDIUMTEXT   NOT NULL,
  state           VARCHAR(64)  NOT NULL DEFAULT 'pending',
  rows_copied     BIGINT       NOT NULL DEFAULT 0,
  rows_total      BIGINT       NOT NULL DEFAULT 0,
  progress        DOUBLE       NOT NULL DEFAULT 0,
  eta_seconds     BIGINT       NULL,
  instant         TINYINT      NOT NULL DEFAULT 0,
  cutover_lock_ms BIGINT       NULL,
  error           TEXT         NULL,
  updated_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  KEY apply_changes_by_operation (operation_id, id),
  CONSTRAINT apply_changes_operation FOREIGN KEY (operation_id)
    REFERENCES apply_operations (id) ON DELETE CASCADE
))sql") + std::string(kTableOptions);
  return s;
}

const std::string& V1Requests() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS control_requests (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  apply_id     BIGINT       NOT NULL,
  kind         VARCHAR(32)  NOT NULL,
  status       VARCHAR(32)  NOT NULL,
  requested_by VARCHAR(255) NOT NULL DEFAULT '',
  error        TEXT         NULL,
  created_at   DATETIME(6)  NOT NULL,
  updated_at   DATETIME(6)  NOT NULL,
  completed_at DATETIME(6)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY control_requests_kind (apply_id, kind),
  KEY control_requests_open (kind, status, apply_id),
  CONSTRAINT control_requests_apply FOREIGN KEY (apply_id) REFERENCES applies (id)
    ON DELETE CASCADE
))sql") + std::string(kTableOptions);
  return s;
}

const std::string& V1Events() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS apply_events (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  apply_id     BIGINT       NOT NULL,
  operation_id BIGINT       NULL,
  at           DATETIME(6)  NOT NULL,
  kind         VARCHAR(64)  NOT NULL,
  from_state   VARCHAR(32)  NULL,
  to_state     VARCHAR(32)  NULL,
  message      TEXT         NOT NULL,
  PRIMARY KEY (id),
  KEY apply_events_by_apply (apply_id, id),
  CONSTRAINT apply_events_apply FOREIGN KEY (apply_id) REFERENCES applies (id)
    ON DELETE CASCADE
))sql") + std::string(kTableOptions);
  return s;
}

const std::string& V1Scopes() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS apply_scopes (
  database_name VARCHAR(255) NOT NULL,
  environment   VARCHAR(255) NOT NULL,
  PRIMARY KEY (database_name, environment)
))sql") + std::string(kTableOptions);
  return s;
}

// Version 2: the store's identity (Store::StoreId), a random id made once, here (the
// migration runs under the lock below, so exactly once per store).
const std::string& V2Identity() {
  static const std::string s = std::string(R"sql(
CREATE TABLE IF NOT EXISTS store_identity (
  id         VARCHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id)
))sql") + std::string(kTableOptions);
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
constexpr std::string_view kV3CleanupPending = R"sql(
ALTER TABLE apply_operations
  ADD COLUMN cleanup_pending TINYINT NOT NULL DEFAULT 0,
  ADD INDEX apply_operations_cleanup_owed (cleanup_pending))sql";
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
Result<bool> TookEffect(MysqlConnection& conn, const Migration& m) {
  if (m.applied.empty()) return false;
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(m.applied));
  return !rows.rows.empty();
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, {V1Applies(), V1Operations(), V1Changes(), V1Requests(), V1Events(), V1Scopes()}},
      {2, {V2Identity(), kV2IdentityRow}},
      {3, {kV3CleanupPending}, kV3Applied},
  };
  return kMigrations;
}

Result<int> AppliedVersion(MysqlConnection& conn) {
  ConnSession session(&conn);
  return sqlstore::AppliedVersion(session);
}

Status RunMigrations(MysqlConnection& conn) {
  ORDO_RETURN_IF_ERROR(conn.Execute(kMigrationsTable));
  ORDO_ASSIGN_OR_RETURN(SqlRows locked, conn.Query(kLock));
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
                       {SqlValue::Int(m.version)})
              .status());
    }
    return Status::Ok();
  }();
  Status unlocked = conn.Query(kUnlock).status();
  ORDO_RETURN_IF_ERROR(result);
  return unlocked;
}

}  // namespace ordo::mysql

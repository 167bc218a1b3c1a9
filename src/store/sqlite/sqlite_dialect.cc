#include "store/sqlite/sqlite_dialect.h"

#include <chrono>

namespace ordo::sqlite {
namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE applies (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  external_id       TEXT    NOT NULL UNIQUE,
  database_name     TEXT    NOT NULL,
  environment       TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  defer_cutover     INTEGER NOT NULL DEFAULT 0,
  options           TEXT    NOT NULL DEFAULT '{}',
  operation_count   INTEGER NOT NULL,
  error             TEXT,
  attempt           INTEGER NOT NULL DEFAULT 0,
  lease_owner       TEXT,
  lease_token       TEXT,
  lease_acquired_at INTEGER,
  failed_at         INTEGER,
  started_at        INTEGER,
  completed_at      INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX applies_by_state ON applies (state, id);
CREATE INDEX applies_by_target ON applies (database_name, environment);

CREATE TABLE apply_operations (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  apply_id             INTEGER NOT NULL REFERENCES applies (id) ON DELETE CASCADE,
  deployment           TEXT    NOT NULL,
  state                TEXT    NOT NULL,
  error                TEXT,
  cutover_policy       TEXT    NOT NULL,
  on_failure           TEXT    NOT NULL,
  attempt              INTEGER NOT NULL DEFAULT 0,
  lease_owner          TEXT,
  lease_token          TEXT,
  lease_acquired_at    INTEGER,
  resume_state         TEXT,
  started_at           INTEGER,
  cutover_started_at   INTEGER,
  cutover_completed_at INTEGER,
  completed_at         INTEGER,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  UNIQUE (apply_id, deployment)
);
CREATE INDEX apply_operations_claim ON apply_operations (state, created_at, id);
CREATE INDEX apply_operations_siblings ON apply_operations (apply_id, id);
CREATE INDEX apply_operations_deployment ON apply_operations (deployment, state);

CREATE TABLE apply_changes (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  operation_id    INTEGER NOT NULL REFERENCES apply_operations (id) ON DELETE CASCADE,
  schema_name     TEXT    NOT NULL,
  table_name      TEXT    NOT NULL,
  ddl             TEXT    NOT NULL,
  state           TEXT    NOT NULL DEFAULT 'pending',
  rows_copied     INTEGER NOT NULL DEFAULT 0,
  rows_total      INTEGER NOT NULL DEFAULT 0,
  progress        REAL    NOT NULL DEFAULT 0,
  eta_seconds     INTEGER,
  instant         INTEGER NOT NULL DEFAULT 0,
  cutover_lock_ms INTEGER,
  error           TEXT,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX apply_changes_by_operation ON apply_changes (operation_id, id);

CREATE TABLE control_requests (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  apply_id     INTEGER NOT NULL REFERENCES applies (id) ON DELETE CASCADE,
  kind         TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  requested_by TEXT    NOT NULL DEFAULT '',
  error        TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  completed_at INTEGER,
  UNIQUE (apply_id, kind)
);

CREATE TABLE apply_events (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  apply_id     INTEGER NOT NULL REFERENCES applies (id) ON DELETE CASCADE,
  operation_id INTEGER,
  at           INTEGER NOT NULL,
  kind         TEXT    NOT NULL,
  from_state   TEXT,
  to_state     TEXT,
  message      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX apply_events_by_apply ON apply_events (apply_id, id);
)sql";

// Version 2: the store's identity (Store::StoreId), a random id made once, here.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE store_identity (
  id         TEXT    NOT NULL PRIMARY KEY,
  created_at INTEGER NOT NULL
);
INSERT INTO store_identity (id, created_at)
  SELECT 'st_' || lower(hex(randomblob(12))), CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
)sql";

// Version 3: an operation failed by retry expiry owes the cleanup of its target
// (cleanup_pending), which the cleanup claim hands out. The partial index holds only
// those few rows, so the claim finds them without reading every failed row (its
// MULTI-INDEX OR serves that arm by this index, the others by the claim index).
constexpr std::string_view kV3 = R"sql(
ALTER TABLE apply_operations ADD COLUMN cleanup_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX apply_operations_cleanup_owed ON apply_operations (cleanup_pending)
  WHERE cleanup_pending = 1;
)sql";

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
      {1, kV1}, {2, kV2}, {3, kV3}, {4, kV4}, {5, kV5}};
  return kMigrations;
}

Micros NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ordo::sqlite

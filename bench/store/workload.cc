#include "workload.h"

#include <chrono>

#include "db/mysql/connection.h"
#include "db/postgres/connection.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_db.h"

namespace ordo::bench {
namespace {

constexpr int64_t kOpsPerApply = 4;
constexpr int64_t kAppliesPerChunk = 50'000;  // 200k operations per statement

constexpr const char* kOptions = "'{\"defer_cutover\":false,\"allow_unsafe\":false}'";
// Mostly completed; 2 % failed, 1 % cancelled, 1 % reverted.
constexpr const char* kSettledState =
    "CASE WHEN (a.id * 4 + k.x) % 100 < 2 THEN 'failed' WHEN (a.id * 4 + k.x) % 100 = 2 THEN "
    "'cancelled' WHEN (a.id * 4 + k.x) % 100 = 3 THEN 'reverted' ELSE 'completed' END";

int64_t Applies(int64_t operations, int64_t per_apply = kOpsPerApply) {
  return (operations + per_apply - 1) / per_apply;
}

// How a work set of `kind` is laid out: deployments per apply, the apply's and the
// operations' state, the operations' policy.
struct WorkShape {
  int64_t per_apply;
  const char* apply_state;
  const char* state;
  const char* policy;
};

WorkShape ShapeOf(WorkSet kind) {
  if (kind == WorkSet::kParked) return {1, "waiting_for_cutover", "waiting_for_cutover", "rolling"};
  return {kOpsPerApply, "pending", "pending", "parallel"};
}

// "WITH k(x) AS (VALUES (1), …)": the deployment numbers of one apply.
std::string Deployments(int64_t per_apply) {
  std::string values;
  for (int64_t x = 1; x <= per_apply; ++x)
    values += (x > 1 ? ", (" : "(") + std::to_string(x) + ")";
  return "k(x) AS (VALUES " + values + ")";
}

// ---- MariaDB: INSERT … SELECT over the SEQUENCE engine's seq_1_to_N tables ----------
class Mysql final : public Workload {
 public:
  explicit Mysql(std::unique_ptr<db::MysqlConnection> conn) : conn_(std::move(conn)) {}

  Status LoadHistory(int64_t operations) override {
    ORDO_RETURN_IF_ERROR(conn_->Execute("SET SESSION foreign_key_checks = 0"));
    int64_t applies = Applies(operations);
    for (int64_t lo = 1; lo <= applies; lo += kAppliesPerChunk) {
      int64_t hi = std::min(applies, lo + kAppliesPerChunk - 1);
      ORDO_ASSIGN_OR_RETURN(int64_t first, MaxApplyId());
      std::string seq = "seq_" + std::to_string(lo) + "_to_" + std::to_string(hi);
      // One apply a second, starting 40 days ago: all of it precedes the work set.
      ORDO_RETURN_IF_ERROR(Run(
          "INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
          "options, operation_count, attempt, started_at, completed_at, created_at, updated_at) "
          "SELECT CONCAT('ap_hist_', s.seq), 'app', CONCAT('env', s.seq % 64), 'completed', 0, " +
          std::string(kOptions) +
          ", 4, 0, s.t, s.t, s.t, s.t FROM (SELECT seq, NOW(6) - INTERVAL 40 DAY + INTERVAL "
          "seq SECOND AS t FROM " +
          seq + ") s"));
      ORDO_ASSIGN_OR_RETURN(int64_t last, MaxApplyId());
      std::string range = " BETWEEN " + std::to_string(first + 1) + " AND " + std::to_string(last);
      ORDO_RETURN_IF_ERROR(
          Run("INSERT INTO apply_operations (apply_id, deployment, state, error, cutover_policy, "
              "on_failure, attempt, started_at, cutover_started_at, cutover_completed_at, "
              "completed_at, created_at, updated_at) SELECT a.id, CONCAT('d', k.x), " +
              std::string(kSettledState) +
              ", NULL, 'rolling', 'halt', 0, a.created_at, a.created_at, a.created_at, "
              "a.created_at, a.created_at, a.created_at FROM applies a JOIN (SELECT seq AS x FROM "
              "seq_1_to_4) k WHERE a.id" +
              range + " ORDER BY a.id, k.x"));
      ORDO_RETURN_IF_ERROR(
          Run("INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, to_state, "
              "message) SELECT apply_id, id, completed_at, 'state_change', 'revert_window', state, "
              "'history' FROM apply_operations WHERE apply_id" +
              range));
      ORDO_RETURN_IF_ERROR(
          Run("INSERT INTO control_requests (apply_id, kind, status, requested_by, created_at, "
              "updated_at, completed_at) SELECT id, 'cutover', 'completed', 'user', created_at, "
              "created_at, created_at FROM applies WHERE id % 10 = 0 AND id" +
              range));
    }
    ORDO_RETURN_IF_ERROR(conn_->Execute("SET SESSION foreign_key_checks = 1"));
    return Analyze();
  }

  Status LoadWorkSet(int64_t operations, WorkSet kind) override {
    shape_ = ShapeOf(kind);
    ORDO_ASSIGN_OR_RETURN(work_after_, MaxApplyId());
    int64_t applies = Applies(operations, shape_.per_apply);
    std::string seq = "seq_1_to_" + std::to_string(applies);
    ORDO_RETURN_IF_ERROR(
        Run("INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
            "options, operation_count, attempt, created_at, updated_at) SELECT CONCAT('ap_work_', "
            "s.seq), 'app', CONCAT('work', s.seq), '" +
            std::string(shape_.apply_state) + "', 0, " + std::string(kOptions) + ", " +
            std::to_string(shape_.per_apply) +
            ", 0, s.t, s.t FROM (SELECT seq, NOW(6) - INTERVAL 1 HOUR + INTERVAL seq MICROSECOND "
            "AS t FROM " +
            seq + ") s"));
    ORDO_RETURN_IF_ERROR(Run(
        "INSERT INTO apply_operations (apply_id, deployment, state, cutover_policy, on_failure, "
        "attempt, created_at, updated_at) SELECT a.id, CONCAT('d', k.x), '" +
        std::string(shape_.state) + "', '" + shape_.policy +
        "', 'halt', 0, a.created_at, NOW(6) FROM applies a JOIN (SELECT seq AS x FROM "
        "seq_1_to_" +
        std::to_string(shape_.per_apply) + ") k WHERE a.id > " + std::to_string(work_after_) +
        " ORDER BY a.id, k.x"));
    return Analyze();
  }

  Status ResetWorkSet() override {
    std::string after = std::to_string(work_after_);
    ORDO_RETURN_IF_ERROR(
        Run("UPDATE apply_operations SET state = '" + std::string(shape_.state) +
            "', lease_owner = NULL, lease_token = NULL, lease_acquired_at = NULL, started_at = "
            "NULL, cutover_started_at = NULL, updated_at = NOW(6) WHERE apply_id > " +
            after + " AND (state <> '" + shape_.state + "' OR lease_token IS NOT NULL)"));
    return Run("DELETE FROM apply_events WHERE apply_id > " + after);
  }

 private:
  Status Run(const std::string& sql) { return conn_->Execute(sql).WithContext("load"); }
  Status Analyze() {
    return conn_->Execute(
        "ANALYZE TABLE applies, apply_operations, apply_events, control_requests");
  }
  Result<int64_t> MaxApplyId() {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                          conn_->Query("SELECT COALESCE(MAX(id), 0) FROM applies"));
    return std::stoll(rows.rows.at(0).at(0).value_or("0"));
  }

  std::unique_ptr<db::MysqlConnection> conn_;
  int64_t work_after_ = 0;
  WorkShape shape_ = ShapeOf(WorkSet::kPending);
};

// ---- PostgreSQL: INSERT … SELECT over generate_series --------------------------
// The same rows as MariaDB's, timestamps relative to the store's clock (UTC wall time
// in timestamp(6)), ids from the identity columns in (apply, deployment) order.
constexpr const char* kPgNow = "(statement_timestamp() AT TIME ZONE 'UTC')";

class Pg final : public Workload {
 public:
  explicit Pg(std::unique_ptr<db::PgConnection> conn) : conn_(std::move(conn)) {}

  Status LoadHistory(int64_t operations) override {
    int64_t applies = Applies(operations);
    for (int64_t lo = 1; lo <= applies; lo += kAppliesPerChunk) {
      int64_t hi = std::min(applies, lo + kAppliesPerChunk - 1);
      ORDO_ASSIGN_OR_RETURN(int64_t first, MaxApplyId());
      // One apply a second, starting 40 days ago: all of it precedes the work set.
      ORDO_RETURN_IF_ERROR(Run(
          "INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
          "options, operation_count, attempt, started_at, completed_at, created_at, updated_at) "
          "SELECT 'ap_hist_' || s.seq, 'app', 'env' || (s.seq % 64), 'completed', 0, " +
          std::string(kOptions) + ", 4, 0, s.t, s.t, s.t, s.t FROM (SELECT seq, " + kPgNow +
          " - INTERVAL '40 days' + seq * INTERVAL '1 second' AS t FROM generate_series(" +
          std::to_string(lo) + ", " + std::to_string(hi) + ") AS seq) s ORDER BY s.seq"));
      ORDO_ASSIGN_OR_RETURN(int64_t last, MaxApplyId());
      std::string range = " BETWEEN " + std::to_string(first + 1) + " AND " + std::to_string(last);
      ORDO_RETURN_IF_ERROR(
          Run("INSERT INTO apply_operations (apply_id, deployment, state, error, cutover_policy, "
              "on_failure, attempt, started_at, cutover_started_at, cutover_completed_at, "
              "completed_at, created_at, updated_at) SELECT a.id, 'd' || k.x, " +
              std::string(kSettledState) +
              ", NULL, 'rolling', 'halt', 0, a.created_at, a.created_at, a.created_at, "
              "a.created_at, a.created_at, a.created_at FROM applies a CROSS JOIN "
              "generate_series(1, 4) AS k(x) WHERE a.id" +
              range + " ORDER BY a.id, k.x"));
      ORDO_RETURN_IF_ERROR(
          Run("INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, to_state, "
              "message) SELECT apply_id, id, completed_at, 'state_change', 'revert_window', state, "
              "'history' FROM apply_operations WHERE apply_id" +
              range + " ORDER BY id"));
      ORDO_RETURN_IF_ERROR(
          Run("INSERT INTO control_requests (apply_id, kind, status, requested_by, created_at, "
              "updated_at, completed_at) SELECT id, 'cutover', 'completed', 'user', created_at, "
              "created_at, created_at FROM applies WHERE id % 10 = 0 AND id" +
              range + " ORDER BY id"));
    }
    return Settle();
  }

  Status LoadWorkSet(int64_t operations, WorkSet kind) override {
    shape_ = ShapeOf(kind);
    ORDO_ASSIGN_OR_RETURN(work_after_, MaxApplyId());
    int64_t applies = Applies(operations, shape_.per_apply);
    ORDO_RETURN_IF_ERROR(
        Run("INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
            "options, operation_count, attempt, created_at, updated_at) SELECT 'ap_work_' || "
            "s.seq, 'app', 'work' || s.seq, '" +
            std::string(shape_.apply_state) + "', 0, " + std::string(kOptions) + ", " +
            std::to_string(shape_.per_apply) +
            ", 0, s.t, s.t FROM "
            "(SELECT seq, " +
            kPgNow +
            " - INTERVAL '1 hour' + seq * INTERVAL '1 microsecond' AS t "
            "FROM generate_series(1, " +
            std::to_string(applies) + ") AS seq) s ORDER BY s.seq"));
    ORDO_RETURN_IF_ERROR(Run(
        "INSERT INTO apply_operations (apply_id, deployment, state, cutover_policy, on_failure, "
        "attempt, created_at, updated_at) SELECT a.id, 'd' || k.x, '" +
        std::string(shape_.state) + "', '" + shape_.policy + "', 'halt', 0, a.created_at, " +
        kPgNow + " FROM applies a CROSS JOIN generate_series(1, " +
        std::to_string(shape_.per_apply) + ") AS k(x) WHERE a.id > " + std::to_string(work_after_) +
        " ORDER BY a.id, k.x"));
    return Settle();
  }

  Status ResetWorkSet() override {
    std::string after = std::to_string(work_after_);
    ORDO_RETURN_IF_ERROR(
        Run("UPDATE apply_operations SET state = '" + std::string(shape_.state) +
            "', lease_owner = NULL, lease_token = NULL, lease_acquired_at = NULL, started_at = "
            "NULL, cutover_started_at = NULL, updated_at = " +
            kPgNow + " WHERE apply_id > " + after + " AND (state <> '" + shape_.state +
            "' OR lease_token IS NOT NULL)"));
    ORDO_RETURN_IF_ERROR(Run("DELETE FROM apply_events WHERE apply_id > " + after));
    // The last run's row versions and index entries are dead now; reclaim them, as
    // InnoDB's purge does on its own, so every run starts from the same tables rather
    // than from whatever autovacuum got to.
    return Run("VACUUM apply_operations, apply_events");
  }

 private:
  Status Run(const std::string& sql) { return conn_->Execute(sql).WithContext("load"); }
  // After a bulk load: statistics for the planner, and the visibility map and hint
  // bits set once here instead of by the first runs' reads (and autovacuum's).
  Status Settle() {
    return Run("VACUUM (ANALYZE) applies, apply_operations, apply_events, control_requests");
  }
  Result<int64_t> MaxApplyId() {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                          conn_->Query("SELECT COALESCE(MAX(id), 0) FROM applies"));
    return std::stoll(rows.rows.at(0).at(0).value_or("0"));
  }

  std::unique_ptr<db::PgConnection> conn_;
  int64_t work_after_ = 0;
  WorkShape shape_ = ShapeOf(WorkSet::kPending);
};

// ---- SQLite: INSERT … SELECT over a recursive counter ----------------------------
int64_t HostMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Sqlite final : public Workload {
 public:
  explicit Sqlite(std::unique_ptr<sqlite::SqliteDb> db) : db_(std::move(db)) {}

  Status LoadHistory(int64_t operations) override {
    int64_t applies = Applies(operations);
    int64_t start = HostMicros() - int64_t{40} * 86'400'000'000;
    for (int64_t lo = 1; lo <= applies; lo += kAppliesPerChunk) {
      int64_t hi = std::min(applies, lo + kAppliesPerChunk - 1);
      ORDO_RETURN_IF_ERROR(db_->BeginImmediate());
      ORDO_ASSIGN_OR_RETURN(int64_t first, MaxApplyId());
      std::string seq = "WITH RECURSIVE s(seq) AS (SELECT " + std::to_string(lo) +
                        " UNION ALL SELECT seq + 1 FROM s WHERE seq < " + std::to_string(hi) + ") ";
      std::string t = "(" + std::to_string(start) + " + s.seq * 1000000)";
      ORDO_RETURN_IF_ERROR(db_->ExecScript(
          seq +
          "INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
          "options, operation_count, attempt, started_at, completed_at, created_at, updated_at) "
          "SELECT 'ap_hist_' || s.seq, 'app', 'env' || (s.seq % 64), 'completed', 0, " +
          std::string(kOptions) + ", 4, 0, " + t + ", " + t + ", " + t + ", " + t + " FROM s"));
      ORDO_ASSIGN_OR_RETURN(int64_t last, MaxApplyId());
      std::string range = " BETWEEN " + std::to_string(first + 1) + " AND " + std::to_string(last);
      ORDO_RETURN_IF_ERROR(db_->ExecScript(
          "WITH k(x) AS (VALUES (1), (2), (3), (4)) "
          "INSERT INTO apply_operations (apply_id, deployment, state, error, cutover_policy, "
          "on_failure, attempt, started_at, cutover_started_at, cutover_completed_at, "
          "completed_at, created_at, updated_at) SELECT a.id, 'd' || k.x, " +
          std::string(kSettledState) +
          ", NULL, 'rolling', 'halt', 0, a.created_at, a.created_at, a.created_at, "
          "a.created_at, a.created_at, a.created_at FROM applies a JOIN k WHERE a.id" +
          range + " ORDER BY a.id, k.x"));
      ORDO_RETURN_IF_ERROR(db_->ExecScript(
          "INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, to_state, "
          "message) SELECT apply_id, id, completed_at, 'state_change', 'revert_window', state, "
          "'history' FROM apply_operations WHERE apply_id" +
          range));
      ORDO_RETURN_IF_ERROR(db_->ExecScript(
          "INSERT INTO control_requests (apply_id, kind, status, requested_by, created_at, "
          "updated_at, completed_at) SELECT id, 'cutover', 'completed', 'user', created_at, "
          "created_at, created_at FROM applies WHERE id % 10 = 0 AND id" +
          range));
      ORDO_RETURN_IF_ERROR(db_->Commit());
    }
    // No ANALYZE: the SQLite backend never runs it, so its planner works without
    // statistics in production too (with them it plans the claim differently).
    return Status::Ok();
  }

  Status LoadWorkSet(int64_t operations, WorkSet kind) override {
    shape_ = ShapeOf(kind);
    ORDO_ASSIGN_OR_RETURN(work_after_, MaxApplyId());
    int64_t applies = Applies(operations, shape_.per_apply);
    int64_t start = HostMicros() - 3'600'000'000;
    std::string t = "(" + std::to_string(start) + " + s.seq)";
    ORDO_RETURN_IF_ERROR(db_->BeginImmediate());
    ORDO_RETURN_IF_ERROR(db_->ExecScript(
        "WITH RECURSIVE s(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM s WHERE seq < " +
        std::to_string(applies) +
        ") INSERT INTO applies (external_id, database_name, environment, state, defer_cutover, "
        "options, operation_count, attempt, created_at, updated_at) SELECT 'ap_work_' || s.seq, "
        "'app', 'work' || s.seq, '" +
        std::string(shape_.apply_state) + "', 0, " + std::string(kOptions) + ", " +
        std::to_string(shape_.per_apply) + ", 0, " + t + ", " + t + " FROM s"));
    ORDO_RETURN_IF_ERROR(db_->ExecScript(
        "WITH " + Deployments(shape_.per_apply) +
        " INSERT INTO apply_operations (apply_id, deployment, state, cutover_policy, "
        "on_failure, attempt, created_at, updated_at) SELECT a.id, 'd' || k.x, '" +
        std::string(shape_.state) + "', '" + shape_.policy + "', 'halt', 0, a.created_at, " +
        std::to_string(HostMicros()) + " FROM applies a JOIN k WHERE a.id > " +
        std::to_string(work_after_) + " ORDER BY a.id, k.x"));
    return db_->Commit();
  }

  Status ResetWorkSet() override {
    std::string after = std::to_string(work_after_);
    ORDO_RETURN_IF_ERROR(db_->BeginImmediate());
    ORDO_RETURN_IF_ERROR(db_->ExecScript(
        "UPDATE apply_operations SET state = '" + std::string(shape_.state) +
        "', lease_owner = NULL, lease_token = NULL, lease_acquired_at = NULL, started_at = "
        "NULL, cutover_started_at = NULL, updated_at = " +
        std::to_string(HostMicros()) + " WHERE apply_id > " + after + " AND (state <> '" +
        shape_.state + "' OR lease_token IS NOT NULL)"));
    ORDO_RETURN_IF_ERROR(db_->ExecScript("DELETE FROM apply_events WHERE apply_id > " + after));
    return db_->Commit();
  }

 private:
  Result<int64_t> MaxApplyId() {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM applies"));
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  std::unique_ptr<sqlite::SqliteDb> db_;
  int64_t work_after_ = 0;
  WorkShape shape_ = ShapeOf(WorkSet::kPending);
};

}  // namespace

Result<std::unique_ptr<Workload>> MysqlWorkload(const std::string& url) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  db::MysqlConnectOptions options;
  options.read_timeout_s = 3600;  // bulk loads of millions of rows
  options.init_statements = {"SET SESSION time_zone = '+00:00'"};
  ORDO_ASSIGN_OR_RETURN(auto conn, db::MysqlConnection::Connect(dsn, options));
  return std::unique_ptr<Workload>(new Mysql(std::move(conn)));
}

Result<std::unique_ptr<Workload>> PgWorkload(const std::string& url) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url));
  // The store's session settings (its schema first on the search_path), no timeout
  // for the bulk loads.
  ORDO_ASSIGN_OR_RETURN(auto conn, db::PgConnection::Connect(dsn, postgres::PgSessionOptions(dsn)));
  return std::unique_ptr<Workload>(new Pg(std::move(conn)));
}

Result<std::unique_ptr<Workload>> SqliteWorkload(const std::string& path) {
  ORDO_ASSIGN_OR_RETURN(auto db, sqlite::SqliteDb::Open(path, 60'000));
  return std::unique_ptr<Workload>(new Sqlite(std::move(db)));
}

}  // namespace ordo::bench

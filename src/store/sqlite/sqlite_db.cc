#include "store/sqlite/sqlite_db.h"

#include <chrono>
#include <thread>

#include "ordo/sync_point.h"

namespace ordo::sqlite {
namespace {

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Status StatusFromSqlite(int rc, sqlite3* db, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string msg =
      std::string(context) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Aborted(msg);
    case SQLITE_CONSTRAINT:
      return AlreadyExists(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return Unavailable(msg);
    case SQLITE_ERROR:
      // A missing table, as MariaDB's 1146 and PostgreSQL's 42P01 (a store not yet
      // migrated).
      if (msg.find("no such table") != std::string::npos) return NotFound(msg);
      return Internal(msg);
    default:
      return Internal(msg);
  }
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

int Statement::Index(const char* name) const { return sqlite3_bind_parameter_index(stmt_, name); }

Statement& Statement::Bind(const char* name, int64_t value) {
  if (int i = Index(name)) sqlite3_bind_int64(stmt_, i, value);
  return *this;
}

Statement& Statement::Bind(const char* name, std::string_view value) {
  if (int i = Index(name))
    sqlite3_bind_text(stmt_, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(const char* name, const std::optional<std::string>& value) {
  return value ? Bind(name, std::string_view(*value)) : BindNull(name);
}

Statement& Statement::Bind(const char* name, const std::optional<int64_t>& value) {
  return value ? Bind(name, *value) : BindNull(name);
}

Statement& Statement::Bind(const char* name, double value) {
  if (int i = Index(name)) sqlite3_bind_double(stmt_, i, value);
  return *this;
}

Statement& Statement::BindNull(const char* name) {
  if (int i = Index(name)) sqlite3_bind_null(stmt_, i);
  return *this;
}

Statement& Statement::BindAll(const std::vector<db::SqlValue>& values) {
  for (size_t k = 0; k < values.size(); ++k) {
    const db::SqlValue& v = values[k];
    int i = static_cast<int>(k) + 1;
    switch (v.kind) {
      case db::SqlValue::Kind::kNull:
        sqlite3_bind_null(stmt_, i);
        break;
      case db::SqlValue::Kind::kInt:
        sqlite3_bind_int64(stmt_, i, v.i);
        break;
      case db::SqlValue::Kind::kUInt:
        sqlite3_bind_int64(stmt_, i, static_cast<int64_t>(v.u));
        break;
      case db::SqlValue::Kind::kDouble:
        sqlite3_bind_double(stmt_, i, v.d);
        break;
      case db::SqlValue::Kind::kText:
        sqlite3_bind_text(stmt_, i, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
        break;
      case db::SqlValue::Kind::kBytes:
        sqlite3_bind_blob(stmt_, i, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
        break;
    }
  }
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StatusFromSqlite(rc, db_, "step");
}

Status Statement::Run() {
  while (true) {
    ORDO_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

db::SqlRow Statement::Row() const {
  db::SqlRow row;
  int n = ColumnCount();
  row.reserve(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) row.push_back(OptText(c));
  return row;
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = StatusFromSqlite(rc, raw, "open " + path);
    sqlite3_close_v2(raw);
    return Unavailable(s.message());
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, busy_timeout_ms));
  sqlite3_busy_handler(raw, &SqliteDb::BusyHandler, db.get());
  rc = sqlite3_create_function(raw, "ordo_now", 0, SQLITE_UTF8, db.get(), &SqliteDb::NowFunction,
                               nullptr, nullptr);
  if (rc != SQLITE_OK) return StatusFromSqlite(rc, raw, "register ordo_now()");
  // Opening a store another process is creating at that moment can fail with "database
  // is locked" here without the busy handler being asked (seen when `ordo apply`
  // created a new store while a script polled `ordo status`): retried like a busy
  // lock, for the busy timeout.
  const int64_t give_up = MonotonicMicros() + int64_t{busy_timeout_ms} * 1000;
  for (int attempt = 0;; ++attempt) {
    Status s = db->ExecScript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    if (s.ok()) break;
    if (s.code() != StatusCode::kAborted || MonotonicMicros() > give_up) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * (attempt + 1), 100)));
  }
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

// Polls with a short, growing pause until the lock frees or the timeout passes
// (then the statement fails with SQLITE_BUSY → Aborted, retryable).
int SqliteDb::BusyHandler(void* self, int attempts) {
  auto* db = static_cast<SqliteDb*>(self);
  int64_t now = MonotonicMicros();
  if (attempts == 0) db->busy_started_us_ = now;
  if (now - db->busy_started_us_ > int64_t{db->busy_timeout_ms_} * 1000) return 0;
  ORDO_SYNC_POINT("Store::WaitingForLock");
  int pause_us = std::min(100 * (attempts + 1), 2000);
  std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
  return 1;
}

Result<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return StatusFromSqlite(rc, db_, "prepare");
  return Statement(db_, stmt);
}

Status SqliteDb::ExecScript(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  return StatusFromSqlite(rc, db_, "exec");
}

void SqliteDb::NowFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** /*argv*/) {
  sqlite3_result_int64(context, static_cast<SqliteDb*>(sqlite3_user_data(context))->now_);
}

Result<uint64_t> SqliteDb::Execute(std::string_view sql, const std::vector<db::SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(Statement st, Prepare(sql));
  ORDO_RETURN_IF_ERROR(st.BindAll(params).Run());
  return static_cast<uint64_t>(Changes());
}

Result<db::SqlRows> SqliteDb::Query(std::string_view sql, const std::vector<db::SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(Statement st, Prepare(sql));
  st.BindAll(params);
  db::SqlRows out;
  while (true) {
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.rows.push_back(st.Row());
  }
  return out;
}

int SqliteDb::Changes() const { return sqlite3_changes(db_); }
int64_t SqliteDb::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

Status SqliteDb::BeginImmediate() { return ExecScript("BEGIN IMMEDIATE"); }
Status SqliteDb::BeginRead() { return ExecScript("BEGIN DEFERRED"); }
Status SqliteDb::Commit() { return ExecScript("COMMIT"); }
void SqliteDb::Rollback() {
  if (!sqlite3_get_autocommit(db_)) (void)ExecScript("ROLLBACK");
}

Status Transaction::BeginImmediate() {
  ORDO_RETURN_IF_ERROR(db_->BeginImmediate());
  open_ = true;
  return Status::Ok();
}

Status Transaction::BeginRead() {
  ORDO_RETURN_IF_ERROR(db_->BeginRead());
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  Status s = db_->Commit();
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace ordo::sqlite

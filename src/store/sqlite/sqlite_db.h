// A thin RAII layer over the SQLite C API for the SQLite store: one connection,
// prepared statements with named parameters, and the one place where SQLite result
// codes become ordo Status values (BUSY/LOCKED → Aborted, retryable).
//
// Thread-safety: a SqliteDb is not thread-safe; SqliteStore serialises its use.
//
//   ORDO_ASSIGN_OR_RETURN(auto db, SqliteDb::Open("ordo.db", 10'000));
//   ORDO_ASSIGN_OR_RETURN(auto st, db->Prepare("SELECT state FROM applies WHERE id = :id"));
//   st.Bind(":id", 42);
//   ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/sql_value.h"
#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::sqlite {

// Maps a SQLite result code to a Status; the single mapping for this backend.
Status StatusFromSqlite(int rc, sqlite3* db, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Binding a name the statement does not use is a no-op, so one parameter set can
  // serve several statements.
  Statement& Bind(const char* name, int64_t value);
  Statement& Bind(const char* name, int value) { return Bind(name, int64_t{value}); }
  Statement& Bind(const char* name, const char* value) {
    return Bind(name, std::string_view(value));
  }
  Statement& Bind(const char* name, const std::string& value) {
    return Bind(name, std::string_view(value));
  }
  Statement& Bind(const char* name, std::string_view value);
  Statement& Bind(const char* name, const std::optional<std::string>& value);
  Statement& Bind(const char* name, const std::optional<int64_t>& value);
  Statement& Bind(const char* name, double value);
  Statement& BindNull(const char* name);
  // Binds the `?` parameters in order (1-based as SQLite counts them).
  Statement& BindAll(const std::vector<db::SqlValue>& values);

  // true: a row is available; false: done.
  Result<bool> Step();
  // Steps to completion (for INSERT/UPDATE/DELETE).
  Status Run();

  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  // The current row, every cell as text (NULL as nullopt).
  db::SqlRow Row() const;
  int ColumnCount() const;

 private:
  int Index(const char* name) const;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating) the file in WAL mode with foreign keys on. Lock waits poll for up
  // to `busy_timeout_ms` and pass the sync point "Store::WaitingForLock" while waiting.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, int busy_timeout_ms);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Result<Statement> Prepare(std::string_view sql);
  // Runs one or more statements without parameters.
  Status ExecScript(std::string_view sql);
  // One statement with `?` parameters bound in order: the rows it changed.
  Result<uint64_t> Execute(std::string_view sql, const std::vector<db::SqlValue>& params);
  // One query with `?` parameters: every row, cells as text.
  Result<db::SqlRows> Query(std::string_view sql, const std::vector<db::SqlValue>& params);
  // What the SQL function ordo_now() returns until the next call: the transaction's
  // clock reading (microseconds since the epoch).
  void SetNow(Micros now) { now_ = now; }
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int Changes() const;
  int64_t LastInsertId() const;

  // BEGIN IMMEDIATE (takes the write lock up front), COMMIT, ROLLBACK.
  Status BeginImmediate();
  Status BeginRead();
  Status Commit();
  void Rollback();

 private:
  explicit SqliteDb(sqlite3* db, int busy_timeout_ms)
      : db_(db), busy_timeout_ms_(busy_timeout_ms) {}
  static int BusyHandler(void* self, int attempts);
  static void NowFunction(sqlite3_context* context, int argc, sqlite3_value** argv);
  sqlite3* db_;
  int busy_timeout_ms_;
  int64_t busy_started_us_ = 0;
  Micros now_ = 0;
};

// A transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  ~Transaction() {
    if (open_) db_->Rollback();
  }
  Status BeginImmediate();
  Status BeginRead();
  Status Commit();

 private:
  SqliteDb* db_;
  bool open_ = false;
};

}  // namespace ordo::sqlite

// The small interface every SQL backend of the control store gives the shared store
// core (store/sql/sql_store.h): a session that runs statements with bound values, a
// transaction that commits or rolls back, and the dialect — what really differs
// between the databases, nothing else.
//
// Statements are written once, with `?` for every bound value, in SQL that MariaDB,
// MySQL 8, SQLite and PostgreSQL all accept (CASE instead of IF(), no UPDATE reading
// its own table). A backend rewrites `?` when its driver needs another spelling. Where
// the databases really differ (the clock, row locks) the statement asks the Dialect.
//
// Thread-safety: a Session / Transaction belongs to the thread that opened it; a
// Dialect is an immutable value.
//
//   ORDO_ASSIGN_OR_RETURN(auto txn, backend.BeginWrite());
//   ORDO_RETURN_IF_ERROR(txn->Execute("UPDATE applies SET updated_at = " +
//                                     std::string(dialect.now) + " WHERE id = ?",
//                                     {SqlValue::Int(7)}).status());
//   ORDO_RETURN_IF_ERROR(txn->Commit());
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "db/sql_value.h"
#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::sqlstore {

class Session {
 public:
  virtual ~Session() = default;
  // One statement; the number of rows it matched (a row rewritten with its own values
  // counts).
  virtual Result<uint64_t> Execute(std::string_view sql,
                                   const std::vector<db::SqlValue>& params) = 0;
  // One query; every cell as text (integers in decimal), NULL as nullopt.
  virtual Result<db::SqlRows> Query(std::string_view sql,
                                    const std::vector<db::SqlValue>& params) = 0;
  // An INSERT into a table with an auto-increment `id`: the id of the new row.
  virtual Result<int64_t> InsertId(std::string_view sql,
                                   const std::vector<db::SqlValue>& params) = 0;
};

// A write transaction: destroying it uncommitted rolls it back, so every early return
// on an error undoes the work.
class Transaction : public Session {
 public:
  // Unavailable when the connection broke: the outcome is then unknown to the caller.
  virtual Status Commit() = 0;
  // One last statement, then Commit (a backend may send both in one round trip). If
  // the statement fails nothing is committed.
  virtual Status CommitAfter(std::string_view sql, const std::vector<db::SqlValue>& params) {
    ORDO_RETURN_IF_ERROR(Execute(sql, params).status());
    return Commit();
  }
};

struct Dialect {
  // The transaction's clock as an SQL expression (the type the timestamp columns
  // hold): every write of one statement stamps the same instant.
  std::string_view now;
  // The clock minus a bound number of microseconds ("(<now> - INTERVAL ? MICROSECOND)").
  std::string_view now_minus_micros;
  // Appended to a SELECT that must lock the rows it returns until commit; empty when
  // the backend's write transactions are exclusive anyway (SQLite).
  std::string_view lock_rows;
  // The same, but skipping rows another transaction holds (a claim's re-check of one
  // candidate); empty when lock_rows is.
  std::string_view lock_rows_skip;
  // Appended to a SELECT that must keep the rows it returns unchanged until commit
  // while others may read them; empty when lock_rows is.
  std::string_view lock_rows_shared;
  // A statement that tells other processes' turn watches (Store::WatchTurns) that a
  // parked deployment's turn may have come, delivered when the transaction commits;
  // empty where the database has no notifications.
  std::string_view notify_turn;
  // A timestamp cell as the backend returns it → microseconds since the epoch, UTC.
  Result<Micros> (*parse_time)(std::string_view cell) = nullptr;
  // The inverse: microseconds as a value for a timestamp column.
  db::SqlValue (*time_value)(Micros micros) = nullptr;
  // An upsert: what follows "INSERT … VALUES (…)" to update the row that has the same
  // `key_columns` instead (then "col = <value>, …"), and how the update names the
  // value the INSERT brought for a column.
  std::string (*on_conflict_update)(std::string_view key_columns) = nullptr;
  std::string (*inserted)(std::string_view column) = nullptr;
  // Appended to a table (and alias) in FROM to pin the index a statement must use;
  // empty where the planner needs no hint.
  std::string (*use_index)(std::string_view index) = nullptr;
};

}  // namespace ordo::sqlstore

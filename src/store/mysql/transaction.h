// Transaction: one READ COMMITTED transaction on a pooled MariaDB connection, and the
// store core's session over it (store/sql/session.h).
//
// Begin() takes a connection from a pool whose sessions run with autocommit off
// (TransactionSessionStatements), so the transaction starts with its first statement
// and no START TRANSACTION round trip is needed; Commit() ends it; destroying an
// uncommitted Transaction rolls it back (every early `return` on an error therefore
// undoes the work), so a connection always goes back to the pool outside a
// transaction. A deadlock or lock wait timeout surfaces from the
// failing statement as Aborted (retryable) and the whole transaction is rolled back.
//
// Thread-safety: a Transaction belongs to the thread that began it.
//
//   ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(pool));
//   ORDO_RETURN_IF_ERROR(txn.conn().Execute("UPDATE …", {...}).status());
//   ORDO_RETURN_IF_ERROR(txn.Commit());
#pragma once

#include <optional>

#include "db/mysql/pool.h"
#include "ordo/status.h"
#include "store/sql/on_connection.h"
#include "store/sql/session.h"

namespace ordo::mysql {

// The session settings of a pool that Transaction::Begin draws from.
inline constexpr const char* kTransactionSession = "SET SESSION autocommit = 0";

// An INSERT's new id on MariaDB: the connection's LAST_INSERT_ID().
struct MysqlIds {
  static Result<int64_t> InsertId(db::MysqlConnection& conn, std::string_view sql,
                                  const std::vector<db::SqlValue>& params) {
    ORDO_RETURN_IF_ERROR(conn.Execute(sql, params).status());
    return static_cast<int64_t>(conn.last_insert_id());
  }
};

class Transaction final
    : public sqlstore::OnConnection<sqlstore::Transaction, Transaction, MysqlIds> {
 public:
  // `pool`'s connections must run kTransactionSession.
  static Result<Transaction> Begin(db::MysqlPool& pool);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  db::MysqlConnection& conn() { return **handle_; }
  // Unavailable when the connection broke: the outcome is then unknown to the caller.
  Status Commit() override;
  // Runs `sql` (its `?`s replaced by the values as MysqlConnection::Literal; the text
  // must hold no `?` of its own) and then COMMIT, in one round trip: the claims end
  // this way, saving one of their four round trips. If the statement fails the COMMIT
  // does not run and the destructor rolls back. The pool's sessions need
  // MysqlConnectOptions::multi_statements.
  Status CommitAfter(std::string_view sql, const std::vector<db::SqlValue>& params) override;

 private:
  explicit Transaction(db::MysqlPool::Handle handle) : handle_(std::move(handle)) {}
  std::optional<db::MysqlPool::Handle> handle_;
  bool open_ = true;
};

// A pooled connection outside a transaction (autocommit), for reads; and a
// connection the caller owns (the migration runner's).
using PooledSession = sqlstore::HeldSession<db::MysqlPool::Handle, MysqlIds>;
using ConnSession = sqlstore::HeldSession<db::MysqlConnection*, MysqlIds>;

}  // namespace ordo::mysql

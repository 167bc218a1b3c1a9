// The SQLite store's sessions for the store core (store/sql/session.h): every
// statement runs on the store's one connection while the store's mutex is held, and a
// write transaction is BEGIN IMMEDIATE (one writer at a time, across threads and
// processes), stamped with one clock reading that ordo_now() returns.
//
// Thread-safety: a session holds the store's mutex for its whole life; it belongs to
// the thread that opened it.
//
//   ORDO_ASSIGN_OR_RETURN(auto txn, WriteTxn::Begin(mu_, db_.get(), NowMicros()));
//   ORDO_RETURN_IF_ERROR(txn->Execute("UPDATE … = ordo_now() WHERE id = ?", {…}).status());
//   ORDO_RETURN_IF_ERROR(txn->Commit());
#pragma once

#include <memory>
#include <mutex>

#include "store/sql/dialects.h"
#include "store/sql/session.h"
#include "store/sqlite/sqlite_db.h"

namespace ordo::sqlite {

// The statements of a store-core session (Base: sqlstore::Session or Transaction),
// run on `db` by a caller that holds the store's mutex.
template <typename Base>
class OnDb : public Base {
 public:
  Result<uint64_t> Execute(std::string_view sql, const std::vector<db::SqlValue>& params) override {
    return db_->Execute(sql, params);
  }
  Result<db::SqlRows> Query(std::string_view sql,
                            const std::vector<db::SqlValue>& params) override {
    return db_->Query(sql, params);
  }
  Result<int64_t> InsertId(std::string_view sql, const std::vector<db::SqlValue>& params) override {
    ORDO_RETURN_IF_ERROR(db_->Execute(sql, params).status());
    return db_->LastInsertId();
  }

 protected:
  explicit OnDb(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

// Statements on `db` for a caller that already holds the store's mutex (and, for
// writes, an open transaction).
class DbSession final : public OnDb<sqlstore::Session> {
 public:
  explicit DbSession(SqliteDb* db) : OnDb(db) {}
};

// A read session: the mutex, each statement on its own, and ordo_now() set to `now`.
class ReadSession final : public OnDb<sqlstore::Session> {
 public:
  ReadSession(std::mutex& mu, SqliteDb* db, Micros now) : OnDb(db), lock_(mu) { db->SetNow(now); }

 private:
  std::unique_lock<std::mutex> lock_;
};

// A write transaction: the mutex, BEGIN IMMEDIATE, and ordo_now() set to `now`.
class WriteTxn final : public OnDb<sqlstore::Transaction> {
 public:
  static Result<std::unique_ptr<WriteTxn>> Begin(std::mutex& mu, SqliteDb* db, Micros now);
  Status Commit() override { return txn_.Commit(); }

 private:
  WriteTxn(std::mutex& mu, SqliteDb* db) : OnDb(db), lock_(mu), txn_(db) {}
  std::unique_lock<std::mutex> lock_;  // released after txn_ rolled back
  sqlite::Transaction txn_;
};

}  // namespace ordo::sqlite

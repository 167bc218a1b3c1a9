// The PostgreSQL store's sessions for the store core (store/sql/session.h) and its
// dialect: timestamp(6) columns in UTC from statement_timestamp(), row locks with FOR
// UPDATE [NOWAIT | SKIP LOCKED] and FOR SHARE, upserts with ON CONFLICT.
//
// A PgTransaction is BEGIN … COMMIT on a pooled connection; destroying it uncommitted
// rolls it back, and a connection whose rollback failed is marked broken so the pool
// drops it. A PgReadSession runs each statement on its own (autocommit).
//
// Thread-safety: a session belongs to the thread that opened it; the dialect is an
// immutable value.
//
//   ORDO_ASSIGN_OR_RETURN(auto txn, PgTransaction::Begin(pool));
//   ORDO_RETURN_IF_ERROR(txn->Execute("UPDATE … WHERE id = ?", {SqlValue::Int(7)}).status());
//   ORDO_RETURN_IF_ERROR(txn->Commit());
#pragma once

#include <memory>

#include "db/postgres/pool.h"
#include "store/sql/session.h"

namespace ordo::postgres {

// The PostgreSQL dialect of the store core.
const sqlstore::Dialect& PgDialect();

// The statements of a store-core session (Base: sqlstore::Session or Transaction) on
// the connection Self::conn() returns. InsertId appends "RETURNING id".
template <typename Base, typename Self>
class OnPgConnection : public Base {
 public:
  Result<uint64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return Conn().Execute(sql, params);
  }
  Result<SqlRows> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    return Conn().Query(sql, params);
  }
  Result<int64_t> InsertId(std::string_view sql, const std::vector<SqlValue>& params) override;

 private:
  PgConnection& Conn() { return static_cast<Self*>(this)->conn(); }
};

class PgTransaction final : public OnPgConnection<sqlstore::Transaction, PgTransaction> {
 public:
  static Result<std::unique_ptr<PgTransaction>> Begin(PgPool& pool);
  ~PgTransaction() override;
  PgConnection& conn() { return *handle_; }
  Status Commit() override;

 private:
  explicit PgTransaction(PgPool::Handle handle) : handle_(std::move(handle)) {}
  PgPool::Handle handle_;
  bool open_ = true;
};

class PgReadSession final : public OnPgConnection<sqlstore::Session, PgReadSession> {
 public:
  explicit PgReadSession(PgPool::Handle handle) : handle_(std::move(handle)) {}
  PgConnection& conn() { return *handle_; }

 private:
  PgPool::Handle handle_;
};

// A connection the caller owns, as a store-core session (the migration runner's).
class PgConnSession final : public OnPgConnection<sqlstore::Session, PgConnSession> {
 public:
  explicit PgConnSession(PgConnection& conn) : conn_(conn) {}
  PgConnection& conn() { return conn_; }

 private:
  PgConnection& conn_;
};

}  // namespace ordo::postgres

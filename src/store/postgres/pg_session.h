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
#include "store/sql/dialects.h"
#include "store/sql/on_connection.h"
#include "store/sql/session.h"

namespace ordo::postgres {

// An INSERT's new id on PostgreSQL: the statement with "RETURNING id".
struct PgIds {
  static Result<int64_t> InsertId(db::PgConnection& conn, std::string_view sql,
                                  const std::vector<db::SqlValue>& params);
};

class PgTransaction final
    : public sqlstore::OnConnection<sqlstore::Transaction, PgTransaction, PgIds> {
 public:
  static Result<std::unique_ptr<PgTransaction>> Begin(db::PgPool& pool);
  ~PgTransaction() override;
  db::PgConnection& conn() { return *handle_; }
  Status Commit() override;

 private:
  explicit PgTransaction(db::PgPool::Handle handle) : handle_(std::move(handle)) {}
  db::PgPool::Handle handle_;
  bool open_ = true;
};

// A pooled connection outside a transaction, for reads; and a connection the caller
// owns (the migration runner's).
using PgReadSession = sqlstore::HeldSession<db::PgPool::Handle, PgIds>;
using PgConnSession = sqlstore::HeldSession<db::PgConnection*, PgIds>;

}  // namespace ordo::postgres

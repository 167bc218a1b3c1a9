#include "store/postgres/pg_session.h"

#include "store/sql/records.h"

namespace ordo::postgres {

Result<int64_t> PgIds::InsertId(db::PgConnection& conn, std::string_view sql,
                                const std::vector<db::SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn.Query(std::string(sql) + " RETURNING id", params));
  if (rows.rows.empty()) return Internal("INSERT … RETURNING id returned no row");
  return sqlstore::CellInt(rows.rows[0], 0);
}

Result<std::unique_ptr<PgTransaction>> PgTransaction::Begin(db::PgPool& pool) {
  ORDO_ASSIGN_OR_RETURN(db::PgPool::Handle handle, pool.Acquire());
  ORDO_RETURN_IF_ERROR(handle->Execute("BEGIN"));
  return std::unique_ptr<PgTransaction>(new PgTransaction(std::move(handle)));
}

PgTransaction::~PgTransaction() {
  if (!open_) return;
  // A connection whose rollback failed may still be inside the transaction: the pool
  // must not hand it out again.
  if (!handle_->Execute("ROLLBACK").ok()) handle_->MarkBroken();
}

Status PgTransaction::Commit() {
  Status s = handle_->Execute("COMMIT");
  if (s.ok()) open_ = false;  // otherwise the destructor rolls back what is left
  return s;
}

}  // namespace ordo::postgres

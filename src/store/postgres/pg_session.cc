#include "store/postgres/pg_session.h"

#include "store/sql/datetime.h"
#include "store/sql/records.h"

namespace ordo::postgres {
namespace {

SqlValue TimestampValue(Micros micros) { return SqlValue::Text(sqlstore::FormatDatetime(micros)); }
std::string OnConflict(std::string_view key_columns) {
  return " ON CONFLICT (" + std::string(key_columns) + ") DO UPDATE SET ";
}
std::string Excluded(std::string_view column) { return "EXCLUDED." + std::string(column); }
std::string NoHint(std::string_view /*index*/) { return ""; }

}  // namespace

const sqlstore::Dialect& PgDialect() {
  // statement_timestamp(), like MariaDB's NOW(6): one instant per statement, read as
  // UTC wall time for the timestamp(6) columns whatever the session's time zone.
  static const sqlstore::Dialect d{
      .now = "(statement_timestamp() AT TIME ZONE 'UTC')",
      .now_minus_micros =
          "((statement_timestamp() AT TIME ZONE 'UTC') - CAST(? AS BIGINT) * INTERVAL '1 microsecond')",
      .lock_rows = " FOR UPDATE",
      .lock_rows_skip = " FOR UPDATE SKIP LOCKED",
      .lock_rows_shared = " FOR SHARE",
      .notify_turn = "SELECT pg_notify('ordo_turn', '')",
      .parse_time = &sqlstore::ParseDatetime,
      .time_value = &TimestampValue,
      .on_conflict_update = &OnConflict,
      .inserted = &Excluded,
      .use_index = &NoHint,
  };
  return d;
}

template <typename Base, typename Self>
Result<int64_t> OnPgConnection<Base, Self>::InsertId(std::string_view sql, const std::vector<SqlValue>& params) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, Conn().Query(std::string(sql) + " RETURNING id", params));
  if (rows.rows.empty()) return Internal("INSERT … RETURNING id returned no row");
  return sqlstore::CellInt(rows.rows[0], 0);
}

template class OnPgConnection<sqlstore::Transaction, PgTransaction>;
template class OnPgConnection<sqlstore::Session, PgReadSession>;
template class OnPgConnection<sqlstore::Session, PgConnSession>;

Result<std::unique_ptr<PgTransaction>> PgTransaction::Begin(PgPool& pool) {
  ORDO_ASSIGN_OR_RETURN(PgPool::Handle handle, pool.Acquire());
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

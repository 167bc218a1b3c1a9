#include "store/sqlite/sqlite_session.h"

#include <charconv>

namespace ordo::sqlite {
namespace {

Result<Micros> ParseMicros(std::string_view cell) {
  Micros v = 0;
  auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || p != cell.data() + cell.size())
    return Internal("unexpected timestamp: " + std::string(cell));
  return v;
}

SqlValue MicrosValue(Micros micros) { return SqlValue::Int(micros); }

std::string OnConflict(std::string_view key_columns) {
  return " ON CONFLICT (" + std::string(key_columns) + ") DO UPDATE SET ";
}
std::string Excluded(std::string_view column) { return "excluded." + std::string(column); }
std::string NoHint(std::string_view /*index*/) { return ""; }

}  // namespace

const sqlstore::Dialect& SqliteDialect() {
  static const sqlstore::Dialect d{
      .now = "ordo_now()",
      .now_minus_micros = "(ordo_now() - ?)",
      .lock_rows = "",
      .lock_rows_skip = "",
      .lock_rows_shared = "",
      .parse_time = &ParseMicros,
      .time_value = &MicrosValue,
      .on_conflict_update = &OnConflict,
      .inserted = &Excluded,
      .use_index = &NoHint,
  };
  return d;
}

Result<std::unique_ptr<WriteTxn>> WriteTxn::Begin(std::mutex& mu, SqliteDb* db, Micros now) {
  std::unique_ptr<WriteTxn> txn(new WriteTxn(mu, db));
  ORDO_RETURN_IF_ERROR(txn->txn_.BeginImmediate());
  db->SetNow(now);
  return txn;
}

}  // namespace ordo::sqlite

#include "store/sql/dialects.h"

#include <charconv>

#include "store/sql/datetime.h"

namespace ordo::sqlstore {
namespace {

db::SqlValue DatetimeValue(Micros micros) { return db::SqlValue::Text(FormatDatetime(micros)); }

Result<Micros> ParseMicros(std::string_view cell) {
  Micros v = 0;
  auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || p != cell.data() + cell.size())
    return Internal("unexpected timestamp: " + std::string(cell));
  return v;
}
db::SqlValue MicrosValue(Micros micros) { return db::SqlValue::Int(micros); }

std::string OnDuplicateKey(std::string_view /*key_columns*/) { return " ON DUPLICATE KEY UPDATE "; }
std::string Values(std::string_view column) { return "VALUES(" + std::string(column) + ")"; }
std::string OnConflict(std::string_view key_columns) {
  return " ON CONFLICT (" + std::string(key_columns) + ") DO UPDATE SET ";
}
std::string Excluded(std::string_view column) { return "EXCLUDED." + std::string(column); }

std::string ForceIndex(std::string_view index) {
  return " FORCE INDEX (" + std::string(index) + ")";
}
std::string NoHint(std::string_view /*index*/) { return ""; }

}  // namespace

const Dialect& MariaDbDialect() {
  static const Dialect d{
      .now = "NOW(6)",
      .now_minus_micros = "(NOW(6) - INTERVAL ? MICROSECOND)",
      .lock_rows = " FOR UPDATE",
      .lock_rows_skip = " FOR UPDATE SKIP LOCKED",
      .lock_rows_shared = " LOCK IN SHARE MODE",
      .parse_time = &ParseDatetime,
      .time_value = &DatetimeValue,
      .on_conflict_update = &OnDuplicateKey,
      .inserted = &Values,
      .use_index = &ForceIndex,
  };
  return d;
}

const Dialect& PostgresDialect() {
  // statement_timestamp(), like MariaDB's NOW(6): one instant per statement, read as
  // UTC wall time for the timestamp(6) columns whatever the session's time zone.
  static const Dialect d{
      .now = "(statement_timestamp() AT TIME ZONE 'UTC')",
      .now_minus_micros =
          "((statement_timestamp() AT TIME ZONE 'UTC') - CAST(? AS BIGINT) * INTERVAL '1 "
          "microsecond')",
      .lock_rows = " FOR UPDATE",
      .lock_rows_skip = " FOR UPDATE SKIP LOCKED",
      .lock_rows_shared = " FOR SHARE",
      .notify_turn = "SELECT pg_notify('ordo_turn', '')",
      .parse_time = &ParseDatetime,
      .time_value = &DatetimeValue,
      .on_conflict_update = &OnConflict,
      .inserted = &Excluded,
      .use_index = &NoHint,
  };
  return d;
}

const Dialect& SqliteDialect() {
  static const Dialect d{
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

}  // namespace ordo::sqlstore

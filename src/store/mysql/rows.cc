#include "store/mysql/rows.h"

#include "store/sql/datetime.h"

namespace ordo::mysql {

namespace {

std::string OnDuplicateKey(std::string_view /*key_columns*/) { return " ON DUPLICATE KEY UPDATE "; }
std::string Values(std::string_view column) { return "VALUES(" + std::string(column) + ")"; }
SqlValue DatetimeValue(Micros micros) { return SqlValue::Text(sqlstore::FormatDatetime(micros)); }
std::string ForceIndex(std::string_view index) { return " FORCE INDEX (" + std::string(index) + ")"; }

}  // namespace

const sqlstore::Dialect& MysqlDialect() {
  static const sqlstore::Dialect d{
      .now = "NOW(6)",
      .now_minus_micros = "(NOW(6) - INTERVAL ? MICROSECOND)",
      .lock_rows = " FOR UPDATE",
      .lock_rows_skip = " FOR UPDATE SKIP LOCKED",
      .lock_rows_shared = " LOCK IN SHARE MODE",
      .parse_time = &sqlstore::ParseDatetime,
      .time_value = &DatetimeValue,
      .on_conflict_update = &OnDuplicateKey,
      .inserted = &Values,
      .use_index = &ForceIndex,
  };
  return d;
}

}  // namespace ordo::mysql

// The MariaDB store's timestamps and its dialect of the shared store core (the
// records and their decoders are store/sql/records.h).
//
// Timestamps are DATETIME(6) in UTC (every session sets time_zone '+00:00'), read as
// "YYYY-MM-DD HH:MM:SS.ffffff" and converted to microseconds since the epoch here, so
// no SQL has to spell the conversion.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(Micros t, ParseDatetime("2024-05-01 12:00:00.123456"));
//   ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(MysqlDialect(), row));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/mysql/connection.h"
#include "ordo/model.h"
#include "ordo/status.h"
#include "store/sql/records.h"
#include "store/sql/session.h"

namespace ordo::mysql {

// "2024-05-01 12:00:00.123456" (fraction optional) → micros since the epoch, UTC.
Result<Micros> ParseDatetime(std::string_view text);
// The inverse, always with six fractional digits.
std::string FormatDatetime(Micros micros);

// The MariaDB/MySQL dialect of the store core: NOW(6), row locks, DATETIME(6) text.
const sqlstore::Dialect& MysqlDialect();

using sqlstore::CellInt;
using sqlstore::kApplyColumns;
using sqlstore::kChangeColumns;
using sqlstore::kEventColumns;
using sqlstore::kOperationColumnCount;
using sqlstore::kOperationColumns;
using sqlstore::kOperationCreatedAt;
using sqlstore::kRequestColumns;

}  // namespace ordo::mysql

// Decoding the MariaDB store's result rows into model records, and the column lists
// that go with each decoder.
//
// Timestamps are DATETIME(6) in UTC (every session sets time_zone '+00:00'), read as
// "YYYY-MM-DD HH:MM:SS.ffffff" and converted to microseconds since the epoch here, so
// no SQL has to spell the conversion.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(std::string("SELECT ") +
//                         kOperationColumns + " FROM apply_operations o WHERE o.id = ?", ...));
//   ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(rows.rows[0]));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/mysql/connection.h"
#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::mysql {

// "2024-05-01 12:00:00.123456" (fraction optional) → micros since the epoch, UTC.
Result<Micros> ParseDatetime(std::string_view text);
// The inverse, always with six fractional digits.
std::string FormatDatetime(Micros micros);

// Columns of apply_operations aliased `o`, in DecodeOperation's order
// (kOperationColumnCount of them; created_at is at index kOperationCreatedAt).
extern const char kOperationColumns[];
inline constexpr int kOperationColumnCount = 19;
inline constexpr int kOperationCreatedAt = 16;
// Columns of applies aliased `a`, in DecodeApply's order.
extern const char kApplyColumns[];
extern const char kChangeColumns[];
extern const char kRequestColumns[];
// apply_events aliased `e` plus the operation's deployment (LEFT JOIN `o`).
extern const char kEventColumns[];

Result<OperationRecord> DecodeOperation(const SqlRow& row, size_t first = 0);
Result<ApplyRecord> DecodeApply(const SqlRow& row, size_t first = 0);
Result<ChangeRecord> DecodeChange(const SqlRow& row);
Result<ControlRequestRecord> DecodeRequest(const SqlRow& row);
Result<EventRecord> DecodeEvent(const SqlRow& row);

// Integer cell; Internal for NULL or garbage (a schema mismatch, not user input).
Result<int64_t> CellInt(const SqlRow& row, size_t i);

}  // namespace ordo::mysql

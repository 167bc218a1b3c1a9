// Timestamps as SQL DATETIME/TIMESTAMP text, UTC: "YYYY-MM-DD HH:MM:SS[.ffffff]" ↔
// microseconds since the epoch, for the backends that store timestamps that way
// (MariaDB's DATETIME(6), PostgreSQL's timestamp(6)), so no SQL has to spell the
// conversion.
//
// Thread-safety: pure functions.
//
//   ORDO_ASSIGN_OR_RETURN(Micros t, ParseDatetime("2024-05-01 12:00:00.123456"));
//   std::string text = FormatDatetime(t);  // "2024-05-01 12:00:00.123456"
#pragma once

#include <string>
#include <string_view>

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::sqlstore {

// "2024-05-01 12:00:00.123456" (fraction optional, 1–6 digits) → micros since the
// epoch, UTC.
Result<Micros> ParseDatetime(std::string_view text);
// The inverse, always with six fractional digits.
std::string FormatDatetime(Micros micros);

}  // namespace ordo::sqlstore

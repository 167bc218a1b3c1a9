// One column value of a row image, decoded into the SqlValue the rest of the engine
// binds (the representation is documented in binlog/event.h):
//   integers → kInt/kUInt by signedness; FLOAT/DOUBLE → kDouble (exact);
//   DECIMAL and temporal types → kText as the server prints them (TIMESTAMP in UTC);
//   strings, binary strings, BLOB/TEXT/JSON, GEOMETRY → kBytes, raw;
//   ENUM → kUInt index; SET → kUInt bitmask; BIT → kUInt.
//
// Thread-safety: pure function.
//
//   ByteReader in(image, size);
//   SqlValue v;
//   ORDO_RETURN_IF_ERROR(DecodeValue(table.columns[i], in, v));
#pragma once

#include "binlog/bytes.h"
#include "binlog/column.h"
#include "db/mysql/connection.h"
#include "ordo/status.h"

namespace ordo::binlog {

// Consumes one non-NULL value of `column` from `in` into `out` (reusing out's string
// buffer). Internal (corrupt event) when the bytes are short or invalid.
Status DecodeValue(const BinlogColumn& column, ByteReader& in, db::SqlValue& out);

}  // namespace ordo::binlog

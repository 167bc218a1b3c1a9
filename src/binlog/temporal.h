// DATE, TIME, DATETIME, TIMESTAMP and YEAR values in their row-image formats,
// rendered as the text the server prints, with exactly `fsp` fraction digits:
//   DATE       "2026-11-27"            (3 bytes, little-endian day | month << 5 | year << 9)
//   TIME2      "-838:59:59.000000"     (big-endian, offset-binary, fraction after the seconds)
//   DATETIME2  "2026-11-27 10:00:00.5" (big-endian, offset-binary)
//   TIMESTAMP2 "1970-01-01 00:00:01"   (big-endian seconds since the epoch, shown in UTC)
//   YEAR       "2155"                  (1 byte, years after 1900; 0 is "0000")
// The Legacy* functions read the pre-10.1 formats (little-endian packed decimals for
// precision 0, MariaDB's big-endian "hires" counts otherwise) that tables created
// with mysql56_temporal_format=OFF still use; their precision comes from the catalog.
//
// Each function consumes the value's bytes from `in` and returns false when the
// bytes are short or out of range.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "binlog/bytes.h"

namespace ordo::binlog {

bool DecodeDate(ByteReader& in, std::string& out);
bool DecodeYear(ByteReader& in, std::string& out);
bool DecodeTime2(ByteReader& in, int fsp, std::string& out);
bool DecodeDateTime2(ByteReader& in, int fsp, std::string& out);
bool DecodeTimestamp2(ByteReader& in, int fsp, std::string& out);

bool DecodeLegacyTime(ByteReader& in, int fsp, std::string& out);
bool DecodeLegacyDateTime(ByteReader& in, int fsp, std::string& out);
bool DecodeLegacyTimestamp(ByteReader& in, int fsp, std::string& out);

}  // namespace ordo::binlog

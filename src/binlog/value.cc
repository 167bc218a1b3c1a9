#include "binlog/value.h"

#include <mysql.h>

#include <bit>
#include <cstring>

#include "binlog/decimal.h"
#include "binlog/temporal.h"

namespace ordo::binlog {
namespace {

Status Short(const BinlogColumn& column) {
  return CorruptEvent("value of column `" + column.name + "` (" +
                      std::string(BinlogTypeName(column.type)) + ") is short or invalid");
}

void SetInteger(const BinlogColumn& column, uint64_t raw, size_t bytes, db::SqlValue& out) {
  if (column.is_unsigned) {
    out.kind = db::SqlValue::Kind::kUInt;
    out.u = raw;
    return;
  }
  unsigned shift = static_cast<unsigned>(64 - 8 * bytes);
  out.kind = db::SqlValue::Kind::kInt;
  out.i = static_cast<int64_t>(raw << shift) >> shift;  // sign-extend
}

// A string with a `prefix_bytes` little-endian length.
bool TakeString(ByteReader& in, size_t prefix_bytes, db::SqlValue& out) {
  uint64_t length;
  const uint8_t* data;
  if (!in.TakeLittle(prefix_bytes, &length) || !in.TakeBytes(length, &data)) return false;
  out.kind = db::SqlValue::Kind::kBytes;
  out.s.assign(reinterpret_cast<const char*>(data), length);
  return true;
}

bool TakeText(bool ok, db::SqlValue& out) {
  out.kind = db::SqlValue::Kind::kText;
  return ok;
}

}  // namespace

Status DecodeValue(const BinlogColumn& column, ByteReader& in, db::SqlValue& out) {
  // Only the fields of the decoded kind may be set: SqlValue compares all of them.
  out.i = 0;
  out.u = 0;
  out.d = 0;
  out.s.clear();
  uint64_t raw = 0;
  bool ok = true;
  switch (column.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG: {
      size_t bytes = column.type == MYSQL_TYPE_TINY    ? 1
                     : column.type == MYSQL_TYPE_SHORT ? 2
                     : column.type == MYSQL_TYPE_INT24 ? 3
                     : column.type == MYSQL_TYPE_LONG  ? 4
                                                       : 8;
      ok = in.TakeLittle(bytes, &raw);
      if (ok) SetInteger(column, raw, bytes, out);
      break;
    }
    case MYSQL_TYPE_FLOAT:
      ok = in.TakeLittle(4, &raw);
      out.kind = db::SqlValue::Kind::kDouble;
      out.d = static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(raw)));
      break;
    case MYSQL_TYPE_DOUBLE:
      ok = in.TakeLittle(8, &raw);
      out.kind = db::SqlValue::Kind::kDouble;
      out.d = std::bit_cast<double>(raw);
      break;
    case MYSQL_TYPE_NEWDECIMAL: {
      const uint8_t* bytes;
      ok = in.TakeBytes(DecimalBinarySize(column.precision, column.scale), &bytes) &&
           DecodeDecimal(bytes, column.precision, column.scale, out.s);
      out.kind = db::SqlValue::Kind::kText;
      break;
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      ok = TakeText(DecodeDate(in, out.s), out);
      break;
    case MYSQL_TYPE_YEAR:
      ok = TakeText(DecodeYear(in, out.s), out);
      break;
    case MYSQL_TYPE_TIME2:
      ok = TakeText(DecodeTime2(in, column.fsp, out.s), out);
      break;
    case MYSQL_TYPE_DATETIME2:
      ok = TakeText(DecodeDateTime2(in, column.fsp, out.s), out);
      break;
    case MYSQL_TYPE_TIMESTAMP2:
      ok = TakeText(DecodeTimestamp2(in, column.fsp, out.s), out);
      break;
    case MYSQL_TYPE_TIME:
      ok = TakeText(DecodeLegacyTime(in, column.fsp, out.s), out);
      break;
    case MYSQL_TYPE_DATETIME:
      ok = TakeText(DecodeLegacyDateTime(in, column.fsp, out.s), out);
      break;
    case MYSQL_TYPE_TIMESTAMP:
      ok = TakeText(DecodeLegacyTimestamp(in, column.fsp, out.s), out);
      break;
    case MYSQL_TYPE_VARCHAR:
      ok = TakeString(in, column.max_bytes > 255 ? 2 : 1, out);
      break;
    case MYSQL_TYPE_STRING:
      ok = TakeString(in, column.max_bytes > 255 ? 2 : 1, out);
      if (ok && out.s.size() < column.pad_to) out.s.resize(column.pad_to, '\0');
      break;
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_GEOMETRY:
      ok = TakeString(in, column.length_bytes, out);
      break;
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET:
      ok = in.TakeLittle(column.length_bytes, &raw);
      out.kind = db::SqlValue::Kind::kUInt;
      out.u = raw;
      break;
    case MYSQL_TYPE_BIT:
      ok = in.TakeBig((column.bits + 7u) / 8u, &raw);
      out.kind = db::SqlValue::Kind::kUInt;
      out.u = raw;
      break;
    default:
      return FailedPrecondition("column `" + column.name + "` has binlog type " +
                                std::string(BinlogTypeName(column.type)) +
                                ", which ordo cannot decode");
  }
  if (!ok) return Short(column);
  return Status::Ok();
}

}  // namespace ordo::binlog

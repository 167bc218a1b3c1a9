#include "binlog/column.h"

#include <mysql.h>

namespace ordo::binlog {
namespace {

// Bytes of TABLE_MAP metadata each column type carries.
int MetadataSize(uint8_t type) {
  switch (type) {
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_GEOMETRY:
    case MYSQL_TYPE_JSON:
    case MYSQL_TYPE_TIMESTAMP2:
    case MYSQL_TYPE_DATETIME2:
    case MYSQL_TYPE_TIME2:
      return 1;
    case MYSQL_TYPE_NEWDECIMAL:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET:
    case MYSQL_TYPE_BIT:
      return 2;
    default:
      return 0;
  }
}

Status Unsupported(size_t index, uint8_t type) {
  return FailedPrecondition("column " + std::to_string(index + 1) + " has binlog type " +
                            std::string(BinlogTypeName(type)) + " (" + std::to_string(type) +
                            "), which ordo cannot decode");
}

// Fills `c` from the column's type byte and its metadata bytes `m`.
Status Resolve(size_t index, uint8_t type, const uint8_t* m, BinlogColumn& c) {
  c.type = type;
  switch (type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
    case MYSQL_TYPE_TIMESTAMP:  // pre-10.1 formats: precision comes from the catalog
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_DATETIME:
      return Status::Ok();
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      if (m[0] != (type == MYSQL_TYPE_FLOAT ? 4 : 8)) return CorruptEvent("bad FLOAT/DOUBLE size");
      return Status::Ok();
    case MYSQL_TYPE_TIMESTAMP2:
    case MYSQL_TYPE_DATETIME2:
    case MYSQL_TYPE_TIME2:
      if (m[0] > 6) return CorruptEvent("fractional second digits above 6");
      c.fsp = m[0];
      return Status::Ok();
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_GEOMETRY:
      if (m[0] < 1 || m[0] > 4) return CorruptEvent("bad BLOB length size");
      c.type = type == MYSQL_TYPE_GEOMETRY ? MYSQL_TYPE_GEOMETRY : MYSQL_TYPE_BLOB;
      c.length_bytes = m[0];
      return Status::Ok();
    case MYSQL_TYPE_NEWDECIMAL:
      if (m[0] == 0 || m[0] > 65 || m[1] > 38 || m[1] > m[0])
        return CorruptEvent("bad DECIMAL precision/scale");
      c.precision = m[0];
      c.scale = m[1];
      return Status::Ok();
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
      c.type = MYSQL_TYPE_VARCHAR;
      c.max_bytes = static_cast<uint32_t>(m[0]) | (static_cast<uint32_t>(m[1]) << 8);
      return Status::Ok();
    case MYSQL_TYPE_BIT:
      // m[0]: bits beyond the whole bytes, m[1]: whole bytes.
      c.bits = static_cast<uint16_t>(m[1] * 8 + m[0]);
      if (c.bits == 0 || c.bits > 64) return CorruptEvent("bad BIT width");
      return Status::Ok();
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET: {
      // m[0] is the real type. For CHAR longer than 255 bytes, two bits of the real
      // type byte are borrowed (inverted) for bits 8-9 of the length.
      uint8_t real = m[0];
      uint32_t length = m[1];
      if ((real & 0x30) != 0x30) {
        length |= static_cast<uint32_t>((real & 0x30) ^ 0x30) << 4;
        real |= 0x30;
      }
      if (real == MYSQL_TYPE_ENUM || real == MYSQL_TYPE_SET) {
        c.type = real;
        c.length_bytes = m[1];
        uint8_t n = m[1];
        bool ok = real == MYSQL_TYPE_ENUM ? (n == 1 || n == 2)
                                          : (n == 1 || n == 2 || n == 3 || n == 4 || n == 8);
        if (!ok) return CorruptEvent("bad ENUM/SET size");
        return Status::Ok();
      }
      if (real != MYSQL_TYPE_STRING) return Unsupported(index, real);
      c.type = MYSQL_TYPE_STRING;
      c.max_bytes = length;
      return Status::Ok();
    }
    default:
      return Unsupported(index, type);
  }
}

}  // namespace

Status CorruptEvent(std::string_view what) {
  return Internal("corrupt binlog event: " + std::string(what));
}

Result<std::vector<BinlogColumn>> ParseTableMapColumns(std::string_view column_types,
                                                       std::string_view metadata) {
  std::vector<BinlogColumn> columns(column_types.size());
  const auto* meta = reinterpret_cast<const uint8_t*>(metadata.data());
  size_t offset = 0;
  for (size_t i = 0; i < column_types.size(); ++i) {
    auto type = static_cast<uint8_t>(column_types[i]);
    size_t size = static_cast<size_t>(MetadataSize(type));
    if (offset + size > metadata.size()) return CorruptEvent("TABLE_MAP metadata too short");
    ORDO_RETURN_IF_ERROR(Resolve(i, type, meta + offset, columns[i]));
    offset += size;
  }
  if (offset != metadata.size()) return CorruptEvent("TABLE_MAP metadata too long");
  return columns;
}

std::string_view BinlogTypeName(uint8_t type) {
  switch (type) {
    case MYSQL_TYPE_DECIMAL:
      return "DECIMAL(old)";
    case MYSQL_TYPE_TINY:
      return "TINY";
    case MYSQL_TYPE_SHORT:
      return "SHORT";
    case MYSQL_TYPE_LONG:
      return "LONG";
    case MYSQL_TYPE_FLOAT:
      return "FLOAT";
    case MYSQL_TYPE_DOUBLE:
      return "DOUBLE";
    case MYSQL_TYPE_NULL:
      return "NULL";
    case MYSQL_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case MYSQL_TYPE_LONGLONG:
      return "LONGLONG";
    case MYSQL_TYPE_INT24:
      return "INT24";
    case MYSQL_TYPE_DATE:
      return "DATE";
    case MYSQL_TYPE_TIME:
      return "TIME";
    case MYSQL_TYPE_DATETIME:
      return "DATETIME";
    case MYSQL_TYPE_YEAR:
      return "YEAR";
    case MYSQL_TYPE_NEWDATE:
      return "NEWDATE";
    case MYSQL_TYPE_VARCHAR:
      return "VARCHAR";
    case MYSQL_TYPE_BIT:
      return "BIT";
    case MYSQL_TYPE_TIMESTAMP2:
      return "TIMESTAMP2";
    case MYSQL_TYPE_DATETIME2:
      return "DATETIME2";
    case MYSQL_TYPE_TIME2:
      return "TIME2";
    case MYSQL_TYPE_JSON:
      return "JSON";
    case MYSQL_TYPE_NEWDECIMAL:
      return "NEWDECIMAL";
    case MYSQL_TYPE_ENUM:
      return "ENUM";
    case MYSQL_TYPE_SET:
      return "SET";
    case MYSQL_TYPE_TINY_BLOB:
      return "TINY_BLOB";
    case MYSQL_TYPE_MEDIUM_BLOB:
      return "MEDIUM_BLOB";
    case MYSQL_TYPE_LONG_BLOB:
      return "LONG_BLOB";
    case MYSQL_TYPE_BLOB:
      return "BLOB";
    case MYSQL_TYPE_VAR_STRING:
      return "VAR_STRING";
    case MYSQL_TYPE_STRING:
      return "STRING";
    case MYSQL_TYPE_GEOMETRY:
      return "GEOMETRY";
    default:
      return "UNKNOWN";
  }
}

}  // namespace ordo::binlog

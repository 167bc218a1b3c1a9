// How a watched table's columns are laid out in binlog row images.
//
// A TABLE_MAP event names the table and gives one type byte per column plus a packed
// metadata block (lengths, precision, fractional digits). ParseTableMapColumns turns
// that into one BinlogColumn per column. What the map does not carry (integer
// signedness, BINARY padding, the precision of pre-10.1 temporal columns) is filled
// in from information_schema by ApplyCatalog (binlog/catalog.h).
//
// Thread-safety: plain values.
//
//   ORDO_ASSIGN_OR_RETURN(auto columns, ParseTableMapColumns(types, metadata));
//   columns[2].type;  // MYSQL_TYPE_NEWDECIMAL
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/status.h"

namespace ordo::binlog {

struct BinlogColumn {
  // The type the row image uses (enum_field_types). CHAR/BINARY, ENUM and SET all
  // arrive as MYSQL_TYPE_STRING in the map; here they are resolved to
  // MYSQL_TYPE_STRING, MYSQL_TYPE_ENUM and MYSQL_TYPE_SET.
  uint8_t type = 0;
  uint8_t precision = 0;     // DECIMAL
  uint8_t scale = 0;         // DECIMAL
  uint8_t fsp = 0;           // fractional second digits of TIME, DATETIME, TIMESTAMP
  uint8_t length_bytes = 0;  // BLOB/TEXT/GEOMETRY: size of the length prefix;
                             // ENUM/SET: size of the stored value
  uint16_t bits = 0;         // BIT(n)
  uint32_t max_bytes = 0;    // CHAR/BINARY/VARCHAR/VARBINARY: maximum length in bytes
  bool is_unsigned = false;  // integers; from the catalog
  // BINARY(n): the server strips trailing 0x00 bytes from the image; they are put
  // back so the value equals what SELECT returns.
  uint32_t pad_to = 0;
  std::string name;  // from the catalog; for error messages
};

// A table as its binlog events describe it, keyed by the server's table_id.
struct BinlogTable {
  uint64_t table_id = 0;
  std::string schema_name;
  std::string table_name;
  bool watched = false;  // rows of unwatched tables are skipped without decoding
  // The map's raw type bytes and metadata: a re-sent map for the same table_id with
  // the same bytes reuses the resolved columns.
  std::string column_types;
  std::string metadata;
  // Watched tables are resolved (columns parsed, checked against the catalog) at
  // their first rows event, not at the map: under LOCK TABLES the server maps every
  // locked table in each event group, rows or not, so a map alone says nothing about
  // the table's current definition.
  bool resolved = false;
  std::vector<BinlogColumn> columns;
};

// Parses a TABLE_MAP event's column types and metadata block. FailedPrecondition for
// a type ordo cannot decode (e.g. MySQL's binary JSON); Internal for a metadata block
// that does not match the types (a corrupt event).
Result<std::vector<BinlogColumn>> ParseTableMapColumns(std::string_view column_types,
                                                       std::string_view metadata);

// A readable name for a binlog column type code, e.g. "DATETIME2".
std::string_view BinlogTypeName(uint8_t type);

// "corrupt binlog event: <what>" (Internal): the bytes do not follow the format.
Status CorruptEvent(std::string_view what);

}  // namespace ordo::binlog

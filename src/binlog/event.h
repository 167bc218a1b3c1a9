// Binlog change-capture vocabulary shared by the binlog reader (which decodes row
// events from the server with Connector/C's replication API) and the engine (which
// applies them to shadow tables by primary key).
//
// Decoded values reuse SqlValue so they can be bound straight into statements:
//   integers            kInt / kUInt (by the column's signedness)
//   FLOAT, DOUBLE       kDouble
//   DECIMAL             kText, e.g. "-123.4500" (exact, scale kept)
//   DATE, TIME, DATETIME(n), TIMESTAMP(n), YEAR
//                       kText, e.g. "2026-11-27 10:00:00.123456"; TIMESTAMP in UTC
//                       (appliers run with time_zone = '+00:00')
//   CHAR/VARCHAR/TEXT, BINARY/VARBINARY/BLOB, JSON (MariaDB: LONGTEXT)
//                       kBytes: the column's raw bytes, in the column's charset
//   ENUM                kUInt: the 1-based index (0 = the '' error value)
//   SET                 kUInt: the bitmask
//   BIT(n)              kUInt
//   NULL                kNull
// Values are positional: index i is the table's i-th column (ordinal position) as
// described by the TABLE_MAP event.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo {

// A point in the binlog stream from which reading can resume.
struct BinlogPosition {
  std::string file;     // e.g. "binlog.000003"
  uint64_t offset = 0;  // byte offset within the file (the next event to read)
  std::string gtid;     // MariaDB GTID of the last complete transaction, if known

  bool empty() const { return file.empty(); }
  bool operator==(const BinlogPosition&) const = default;
};

struct RowChange {
  enum class Kind { kInsert, kUpdate, kDelete };
  Kind kind = Kind::kInsert;
  std::string schema_name;
  std::string table_name;
  std::vector<db::SqlValue> before;  // update, delete: the full before image
  std::vector<db::SqlValue> after;   // insert, update: the full after image
};

struct BinlogEvent {
  enum class Kind {
    kRows,       // one or more row changes of one table
    kCommit,     // end of a transaction (XID or COMMIT): a safe resume point
    kDdl,        // a statement other than BEGIN/COMMIT (e.g. ALTER TABLE)
    kHeartbeat,  // nothing new; the stream is alive
    kRotate,     // moved to a new binlog file
  };
  Kind kind = Kind::kHeartbeat;
  std::vector<RowChange> rows;  // kRows
  std::string query;            // kDdl
  std::string query_schema;     // kDdl: the default schema of the statement
  // The position just after this event. Resuming from a kCommit's position replays
  // nothing of that transaction and loses nothing after it.
  BinlogPosition position;
};

}  // namespace ordo

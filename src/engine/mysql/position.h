// Ordering of binlog positions. (The server's current position:
// ReadServerBinlogPosition in binlog/preflight.h.)
//
// Thread-safety: pure functions.
#pragma once

#include "binlog/event.h"
#include "db/mysql/connection.h"

namespace ordo::engine {

// <0, 0, >0 like strcmp. Files compare by their numeric suffix (binlog.000010 after
// binlog.000009), then offsets. An empty position is before everything.
int ComparePositions(const BinlogPosition& a, const BinlogPosition& b);

// "binlog.000003:1234".
std::string PositionString(const BinlogPosition& p);

// SHOW MASTER STATUS alone: the end of the binlog now, without the GTID that
// ReadServerBinlogPosition (binlog/preflight.h) pairs with it. For measuring, not for
// starting a stream. FailedPrecondition when binary logging is off.
Result<BinlogPosition> ReadBinlogEnd(db::MysqlConnection& conn);

// Binlog bytes from `from` to `to`; 0 when `to` is not after `from`. Within one file
// the offsets tell; across files the sizes in SHOW BINARY LOGS do (a file no longer
// listed counts as empty).
Result<int64_t> BinlogBytesBetween(db::MysqlConnection& conn, const BinlogPosition& from,
                                   const BinlogPosition& to);

// The backlog of a change stream that applied up to `applied`: the binlog bytes from
// there to the end of the binlog now.
Result<int64_t> BacklogSince(db::MysqlConnection& conn, const BinlogPosition& applied);

}  // namespace ordo::engine

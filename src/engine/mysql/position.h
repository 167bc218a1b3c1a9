// Ordering of binlog positions and the server's current position.
//
// Thread-safety: pure functions.
#pragma once

#include "db/mysql/connection.h"
#include "engine/mysql/binlog_event.h"

namespace ordo {

// <0, 0, >0 like strcmp. Files compare by their numeric suffix (binlog.000010 after
// binlog.000009), then offsets. An empty position is before everything.
int ComparePositions(const BinlogPosition& a, const BinlogPosition& b);

// SHOW MASTER STATUS: the end of the binlog now. FailedPrecondition when binary
// logging is off.
Result<BinlogPosition> CurrentBinlogPosition(MysqlConnection& conn);

// "binlog.000003:1234".
std::string PositionString(const BinlogPosition& p);

}  // namespace ordo

// Ordering of binlog positions. (The server's current position:
// ReadServerBinlogPosition in binlog_preflight.h.)
//
// Thread-safety: pure functions.
#pragma once

#include "db/mysql/connection.h"
#include "engine/mysql/binlog_event.h"

namespace ordo {

// <0, 0, >0 like strcmp. Files compare by their numeric suffix (binlog.000010 after
// binlog.000009), then offsets. An empty position is before everything.
int ComparePositions(const BinlogPosition& a, const BinlogPosition& b);

// "binlog.000003:1234".
std::string PositionString(const BinlogPosition& p);


}  // namespace ordo

// What binlog change capture needs from the server, and where the binlog is now.
//
// CheckBinlogPrerequisites verifies, before any copy starts, that the server writes
// a binlog (log_bin), in row format (binlog_format=ROW) with full row images
// (binlog_row_image=FULL), and that the session's user may read it (REPLICATION
// SLAVE). Compressed binlogs (log_bin_compress) must keep their checksums: Connector/C
// 3.3 fails on compressed events without one. ReadServerBinlogPosition gives the position a reader
// should start from to see every change committed after the call.
//
// Thread-safety: functions over a connection the caller owns.
//
//   ORDO_RETURN_IF_ERROR(CheckBinlogPrerequisites(conn));
//   ORDO_ASSIGN_OR_RETURN(BinlogPosition start, ReadServerBinlogPosition(conn));
#pragma once

#include "binlog/event.h"
#include "db/mysql/connection.h"
#include "ordo/status.h"

namespace ordo {

// Ok, or FailedPrecondition naming every missing setting and privilege, e.g.
// "binlog change capture needs binlog_format=ROW (it is MIXED); the REPLICATION
// SLAVE privilege (user 'app'@'%' lacks it)". Unavailable when the server is gone.
Status CheckBinlogPrerequisites(db::MysqlConnection& conn);

// The server's current binlog file and offset (SHOW MASTER STATUS) and GTID position
// (@@gtid_binlog_pos). The GTID is left empty when commits kept racing the read.
// FailedPrecondition when binary logging is off or SHOW MASTER STATUS is not
// permitted (it needs BINLOG MONITOR).
Result<BinlogPosition> ReadServerBinlogPosition(db::MysqlConnection& conn);

}  // namespace ordo

// MysqlPool: the connection pool (db/pool.h) of MariaDB/MySQL connections. A
// connection goes back to the pool unless it broke.
//
// Thread-safety: as ConnectionPool.
//
//   MysqlPool pool(dsn, options, /*max_idle=*/8);
//   ORDO_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
#pragma once

#include "db/mysql/connection.h"
#include "db/pool.h"

namespace ordo::db {

using MysqlPool = ConnectionPool<MysqlConnection, MysqlConnectOptions>;

}  // namespace ordo::db

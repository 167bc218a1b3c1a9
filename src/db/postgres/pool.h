// PgPool: the connection pool (db/pool.h) of PostgreSQL connections. A connection
// goes back to the pool unless it broke or is still inside a transaction (a session
// left in BEGIN, or in a failed transaction block, would poison its next user).
//
// Thread-safety: as ConnectionPool.
//
//   PgPool pool(dsn, options, /*max_idle=*/8);
//   ORDO_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
//   ORDO_RETURN_IF_ERROR(conn->Execute("SELECT 1"));
#pragma once

#include "db/pool.h"
#include "db/postgres/connection.h"

namespace ordo::db {

using PgPool = ConnectionPool<PgConnection, PgConnectOptions>;

}  // namespace ordo::db

// The store core's three dialects side by side (sql/session.h says what each field
// means): all that the store's SQL spells differently on MariaDB/MySQL, PostgreSQL and
// SQLite. A backend takes its own; nothing else in the core names a database.
//
// Thread-safety: constant data and pure functions.
//
//   SqlStore(sqlstore::PostgresDialect(), options)
#pragma once

#include "store/sql/session.h"

namespace ordo::sqlstore {

// NOW(6); row locks (shared: LOCK IN SHARE MODE); DATETIME(6) text in UTC;
// ON DUPLICATE KEY UPDATE; FORCE INDEX.
const Dialect& MariaDbDialect();

// statement_timestamp() as UTC; row locks (shared: FOR SHARE); timestamp(6) text;
// ON CONFLICT … DO UPDATE; notifications on `ordo_turn`; no index hints.
const Dialect& PostgresDialect();

// ordo_now() (the write transaction's one clock reading); INTEGER microseconds; no
// row locks (a write transaction is exclusive); ON CONFLICT … DO UPDATE.
const Dialect& SqliteDialect();

}  // namespace ordo::sqlstore

// The PostgreSQL store's schema (docs/store-schema.md) as numbered migrations, run in
// order, each in its own transaction (PostgreSQL's DDL is transactional, so a
// migration is applied whole or not at all) under a transaction-scoped advisory lock,
// so concurrent processes migrate one store once. The tables, columns and index names
// are the MariaDB backend's; PostgreSQL spells them its way (identity columns,
// timestamp(6) in UTC, smallint flags, tokens as VARCHAR: PostgreSQL returns a CHAR(n)
// padded with spaces where MariaDB trims them).
//
// Thread-safety: pure data; RunPgMigrations uses the caller's connection.
#pragma once

#include <string>

#include "db/postgres/connection.h"
#include "ordo/status.h"

namespace ordo::postgres {

// Creates the store's schema (the URL's `schema`) unless it exists; safe for processes
// starting together.
Status CreatePgSchema(db::PgConnection& conn, const std::string& schema);

// Applies every migration newer than the database's.
Status RunPgMigrations(db::PgConnection& conn);

}  // namespace ordo::postgres

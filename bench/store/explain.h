// EXPLAIN plans of the gate queries, printed as Markdown, so docs/benchmarks.md can
// show that each gate is an index lookup and not a scan: every gate query of the
// MariaDB backend (src/store/sql/gates.h and its search, src/store/mysql/gates.h, with
// bound parameters), the PostgreSQL backend's claim statements
// (src/store/postgres/pg_store_search.cc), and the SQLite backend's claim statements
// (src/store/sqlite/sqlite_gates.h, `EXPLAIN QUERY PLAN` as its claims run them, with
// LIMIT 1), each against a loaded store.
//
// Thread-safety: one call at a time.
#pragma once

#include <ostream>
#include <string>

#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::bench {

Status PrintMysqlExplains(const std::string& url, const StoreOptions& options, std::ostream& out);
// `url`: postgres://…?schema=NAME of the store. Each claim's statement as the store
// runs it (PgStore::FirstCandidateSql) and, for comparison, the core's default search
// of the copy claim (candidate list, then the lock by id): `EXPLAIN (ANALYZE, BUFFERS)`
// of the reads (a locking one holds its row for the statement's instant) and `EXPLAIN`
// of the copy claim's guarded UPDATE, as text plans.
Status PrintPgExplains(const std::string& url, const StoreOptions& options, std::ostream& out);
// `path`: the SQLite store file.
Status PrintSqliteExplains(const std::string& path, const StoreOptions& options, std::ostream& out);

}  // namespace ordo::bench

// EXPLAIN plans of the gate queries, printed as Markdown, so docs/benchmarks.md can
// show that each gate is an index lookup and not a scan: every gate query of the
// MariaDB backend (src/store/sql/gates.h and its search, src/store/mysql/gates.h, with bound parameters), and the SQLite
// backend's claim statements (src/store/sqlite/sqlite_gates.h, `EXPLAIN QUERY PLAN`
// as its claims run them, with LIMIT 1), each against a loaded store database.
//
// Thread-safety: one call at a time.
#pragma once

#include <ostream>
#include <string>

#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::bench {

Status PrintMysqlExplains(const std::string& url, const StoreOptions& options, std::ostream& out);
// `path`: the SQLite store file.
Status PrintSqliteExplains(const std::string& path, const StoreOptions& options, std::ostream& out);

}  // namespace ordo::bench

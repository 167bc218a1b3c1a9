// EXPLAIN plans of every gate query the MariaDB backend runs, printed as Markdown, so
// docs/benchmarks.md can show that each gate is an index lookup and not a scan.
//
// The queries are the backend's own (src/store/mysql/gates.h), explained with bound
// parameters against a loaded store database.
//
// Thread-safety: one call at a time.
#pragma once

#include <ostream>
#include <string>

#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::bench {

Status PrintMysqlExplains(const std::string& url, const StoreOptions& options, std::ostream& out);

}  // namespace ordo::bench

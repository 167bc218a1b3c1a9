// Deferred secondary indexes: the shadow is copied without its plain (non-unique)
// secondary indexes, which are added back in one online ALTER once the copy is done.
//
// Inserting a million rows into a table with a secondary index in key order of the
// primary key updates that index at random places, row by row; building it afterwards
// sorts once (a 250k-row chunk of the benchmark table: 2.5 s with its `k` index, 1.6 s
// without; docs/engine.md, "Deferred secondary indexes"). Unique keys stay on the shadow
// during the copy: they are what turns a lossy change (a new UNIQUE KEY on duplicate
// data) into an error naming the row. FULLTEXT and SPATIAL indexes stay too.
//
// The index clauses are taken verbatim from SHOW CREATE TABLE of the freshly altered
// shadow (`KEY `name` (cols…) …`), so whatever the server accepted there (prefixes,
// DESC, comments, IGNORED) is what it gets back. They travel in the resume state, and
// AddMissing only adds the ones the shadow lacks, so a run resumed after a crash in the
// middle of the build finishes it.
//
//   ORDO_ASSIGN_OR_RETURN(auto clauses, DeferIndexes(conn, "db", "t_ordo_new"));
//   ... copy ...
//   ORDO_ASSIGN_OR_RETURN(std::string alter, AddMissingStatement(conn, "db", "t_ordo_new",
//   clauses)); if (!alter.empty()) conn.Execute(alter);
//
// Thread-safety: free functions on the caller's connection.
#pragma once

#include <string>
#include <vector>

#include "db/mysql/connection.h"
#include "engine/mysql/table_info.h"
#include "ordo/status.h"

namespace ordo::engine {

// The plain secondary index clauses of a SHOW CREATE TABLE text, in order.
std::vector<std::string> PlainIndexClauses(const std::string& create_table);
// The index name of a clause such as "KEY `a``b` (`x`)" ("a`b"); empty if none.
std::string IndexName(const std::string& clause);

// A column of an index clause; prefix: its length in characters, 0 for the whole
// column. "KEY `ks` (`s`(8),`v` DESC)" -> {"s", 8}, {"v", 0}.
struct IndexPart {
  std::string column;
  int64_t prefix = 0;
};
std::vector<IndexPart> IndexParts(const std::string& clause);

// What the deferred build writes against what the copy wrote: for each clause, the
// bytes of one entry of its index (its columns, prefixes honoured, plus the key columns
// every secondary entry carries) over the bytes of one row of `shadow`, summed. From
// declared widths (ColumnInfo::max_bytes, each column counted at most 767 bytes), so
// an estimate: in the utf8mb4 sysbench table, 0.66 for an index on the CHAR(120) `c`
// and 0.02 for one on the INT `k`. 0 without clauses.
double DeferredBuildShare(const TableInfo& shadow, const std::vector<std::string>& clauses);

// Reads the shadow's plain secondary indexes and drops them (one ALTER; the shadow is
// empty). Returns the clauses that AddMissingStatement needs to put them back.
Result<std::vector<std::string>> DeferIndexes(db::MysqlConnection& conn, const std::string& schema,
                                              const std::string& shadow);

// The online ALTER that adds the clauses whose index the shadow does not have yet
// (ALGORITHM=INPLACE, LOCK=NONE: the change stream keeps writing to the shadow), or ""
// when it has them all.
Result<std::string> AddMissingStatement(db::MysqlConnection& conn, const std::string& schema,
                                        const std::string& shadow,
                                        const std::vector<std::string>& clauses);

}  // namespace ordo::engine

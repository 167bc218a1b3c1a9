// Who keeps a swap's tables busy: named when a swap attempt never found the tables
// free, so the user can see which session to wait for (or end).
//
// Exact when the server has the metadata_lock_info plugin (the sessions holding a
// metadata lock on one of the tables, from information_schema.METADATA_LOCK_INFO);
// otherwise the other sessions with a transaction open since before `since_ms`
// milliseconds ago (information_schema.INNODB_TRX), which is where a lock held for
// that long comes from. Each as "session ID (USER@HOST, N s in a transaction): STATEMENT".
//
// Thread-safety: as the connection.
//
//   ORDO_ASSIGN_OR_RETURN(std::string who, DescribeTableHolders(conn, names, 3000, {a, b}));
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo {

// `tables`: (schema, name) pairs; `ours`: session ids to leave out. "" when nobody is
// found; at most five sessions, the longest-held first.
Result<std::string> DescribeTableHolders(MysqlConnection& conn,
                                         const std::vector<std::pair<std::string, std::string>>& tables,
                                         int64_t since_ms, const std::vector<uint64_t>& ours);

}  // namespace ordo

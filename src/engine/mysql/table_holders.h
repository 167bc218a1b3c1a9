// Who keeps a swap's tables busy: named when a swap attempt never found the tables
// free, so the user can see which session to wait for (or end), and killed by the
// opt-in cutover_force_after.
//
// Exact when the server has the metadata_lock_info plugin (the sessions holding a
// metadata lock on one of the tables, from information_schema.METADATA_LOCK_INFO);
// otherwise the other sessions with a transaction open since before `since_ms`
// milliseconds ago (information_schema.INNODB_TRX), which is where a lock held for
// that long comes from — a guess, never acted on.
//
// Thread-safety: as the connection.
//
//   ORDO_ASSIGN_OR_RETURN(auto holders, ListTableHolders(conn, names, 3000, {a, b}));
//   std::string who = Describe(holders);   // "session 12 (app@10.0.0.5:41234, 7 s …): UPDATE …"
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo::engine {

struct TableHolder {
  uint64_t id = 0;
  std::string description;  // "session ID (USER@HOST, N s in a transaction): STATEMENT"
};

struct TableHolders {
  bool exact = false;                 // from METADATA_LOCK_INFO: these sessions hold the tables
  std::vector<TableHolder> sessions;  // the longest-held first, ours left out
};

// `tables`: (schema, name) pairs; `ours`: session ids to leave out.
Result<TableHolders> ListTableHolders(
    db::MysqlConnection& conn, const std::vector<std::pair<std::string, std::string>>& tables,
    int64_t since_ms, const std::vector<uint64_t>& ours);

// At most five of them, "; "-separated; "" for none.
std::string Describe(const TableHolders& holders);

}  // namespace ordo::engine

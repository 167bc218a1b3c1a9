// What the layers above the engine may ask of it about DDL before an apply exists:
// the table an ALTER TABLE statement names (the engine's own parser decides what is
// accepted), and a trial of a deployment's changes on temporary copies of its tables.
// The one header of src/engine/ that other layers include; the engine's internals
// stay behind it.
//
// Thread-safety: pure functions; each trial opens and closes its own connection.
//
//   ORDO_ASSIGN_OR_RETURN(AlterTarget t, ParseAlterTarget("ALTER TABLE shop.t ADD c INT"));
//   DdlTrial trial = TryChangesOnDeployment(dsn, changes, /*connect_timeout_s=*/5);
//   if (!trial.reached.ok()) …  // the deployment did not answer (or refused the login)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/dsn.h"
#include "ordo/engine.h"
#include "ordo/status.h"

namespace ordo::engine {

// The table an ALTER TABLE statement changes.
struct AlterTarget {
  std::string schema_name;  // empty when the statement does not qualify the table
  std::string table_name;
};

// Accepts exactly one ALTER TABLE statement, as the engine would run it (a trailing ';'
// and comments are allowed). InvalidArgument naming the reason otherwise.
Result<AlterTarget> ParseAlterTarget(std::string_view ddl);

// The outcome of trying one deployment's changes.
struct DdlTrial {
  // The connection: the client's error when the deployment could not be reached (a
  // refused login keeps its server error code, for IsMysqlError).
  Status reached;
  // Only when reached: InvalidArgument naming the table and why for the first change
  // that cannot apply; other errors (the connection lost) as they come.
  Status tried;
};

// Connects to `dsn` with the engine's session settings and `connect_timeout_s`, and
// tries `changes` there on temporary copies of the tables; nothing is written.
DdlTrial TryChangesOnDeployment(const db::Dsn& dsn, const std::vector<TableChange>& changes,
                                int connect_timeout_s);

}  // namespace ordo::engine

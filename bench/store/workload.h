// Workload: the rows the claim benchmark runs against, loaded with plain SQL in each
// backend's dialect (MariaDB, PostgreSQL, SQLite) so that a million rows of history
// take seconds, not hours.
//
// History: settled operations (4 per apply; mostly completed, some failed, cancelled
// or reverted, each with one event), created in the past so they precede the work set
// in (created_at, id) order. Work set, newer than the history, one of:
//   - pending operations of 4-deployment `parallel` applies (kPending: every one
//     copy-claimable, and the earlier-sibling gate still runs for each);
//   - parked operations (waiting_for_cutover, no lease) of 1-deployment applies
//     without defer_cutover (kParked: every one cutover-claimable).
// Between runs the work set is put back to its loaded state and the run's events are
// dropped (on PostgreSQL the dead row versions are vacuumed too).
//
// Thread-safety: one thread at a time.
//
//   ORDO_ASSIGN_OR_RETURN(auto w, MysqlWorkload("mysql://ordo:ordo@127.0.0.1:3306/bench"));
//   ORDO_RETURN_IF_ERROR(w->LoadHistory(1'000'000));
//   ORDO_RETURN_IF_ERROR(w->LoadWorkSet(40'000, WorkSet::kPending));
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ordo/status.h"

namespace ordo::bench {

enum class WorkSet { kPending, kParked };

class Workload {
 public:
  virtual ~Workload() = default;
  // Inserts `operations` settled operations (rounded up to whole applies of 4).
  virtual Status LoadHistory(int64_t operations) = 0;
  // Inserts `operations` work-set operations of `kind`, newer than everything else.
  virtual Status LoadWorkSet(int64_t operations, WorkSet kind) = 0;
  // Every work-set operation in its loaded state again, no lease, fresh heartbeat; the
  // events of the last run dropped.
  virtual Status ResetWorkSet() = 0;
};

// `url`: mysql://… of a migrated, empty store database.
Result<std::unique_ptr<Workload>> MysqlWorkload(const std::string& url);
// `url`: postgres://…?schema=NAME of a migrated, empty store schema.
Result<std::unique_ptr<Workload>> PgWorkload(const std::string& url);
// `path`: a migrated, empty SQLite store file.
Result<std::unique_ptr<Workload>> SqliteWorkload(const std::string& path);

}  // namespace ordo::bench

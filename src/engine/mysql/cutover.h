// Cutover: swaps every table of the operation with its shadow in one RENAME, using
// the two-session sentry method of engine.md (MariaDB refuses RENAME under LOCK
// TABLES):
//
//   1. wait until the shadows are caught up; create an empty sentry named like the old
//      table (`<t>_ordo_old`) for each table;
//   2. session A: LOCK TABLES t WRITE, sentry WRITE, shadow WRITE (bounded by
//      max_statement_time); application writes queue from here;
//   3. session B: RENAME TABLE t TO sentry-name, shadow TO t (…for every table) queues
//      behind A; we wait until the server shows it waiting for the metadata lock;
//   4. A drains the binlog up to the position seen under the lock, applying on its own
//      session (it holds the shadow's lock); [part 2: the target-side fence check]
//   5. A drops the sentries and unlocks; B's rename runs before any queued DML.
//
// If any step runs past the lock budget, B's statement is killed, A unlocks and the
// sentries are dropped: while a sentry exists B's rename can only fail ("already
// exists"), so nothing is ever half-renamed. Attempts are retried with backoff. The
// write-blocked time (from A's lock request to B's rename finishing) is measured.
//
// Thread-safety: one cutover at a time; it stops and (on failure) restarts the loop.
#pragma once

#include <functional>
#include <vector>

#include "db/mysql/pool.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"

namespace ordo {

struct CutoverOptions {
  int64_t lock_timeout_ms = 3000;  // hard cap on write-blocked time per attempt
  int max_attempts = 10;
  int64_t backoff_ms = 500;        // doubles per attempt, capped at 8× the first
  int64_t catch_up_timeout_ms = 60000;
  std::function<bool()> should_stop;  // checked between attempts
};

struct CutoverResult {
  int attempts = 0;
  int64_t write_block_ms = 0;            // of the attempt that swapped
  std::vector<int64_t> failed_block_ms;  // of the attempts that gave up
  std::vector<std::string> failed_reasons;  // why each failed attempt gave up
};

// Ok once every table is swapped (the old tables keep the `<t>_ordo_old` names).
// Timeout when every attempt gave up (nothing swapped; the loop is running again);
// Cancelled when stopped between attempts; the loop's error if it failed.
Result<CutoverResult> RunCutover(const std::vector<const TablePlan*>& plans, MysqlPool* pool,
                                 SyncLoop* loop, const CutoverOptions& options);

// Drops the cutover sentries left behind by an interrupted attempt (only tables ordo
// created as sentries: they carry its comment).
Status DropSentries(const std::vector<const TablePlan*>& plans, MysqlConnection& conn);

}  // namespace ordo

// Cutover: swaps every table of the operation in one RENAME, using the two-session
// sentry method of docs/engine.md (MariaDB refuses RENAME under LOCK TABLES). The same
// machinery swaps forward (the cutover) and back (a revert); each table is a SwapTable:
// the current table goes `away` (if it exists) and `incoming` becomes the table (if
// there is one), so an altered table has both, a dropped one only `away` and a
// created one only `incoming`.
//
//   1. wait until the sync loop caught up; create an empty sentry named `away` for
//      every table that has one;
//   2. one session A_i per such table: LOCK TABLES t WRITE, away WRITE, incoming WRITE
//      (bounded by max_statement_time); the first one also locks the fence table;
//      application writes queue from here;
//   3. session B: RENAME TABLE t TO away, incoming TO t, … for every table queues
//      behind A; we wait until the server shows it waiting for the metadata lock;
//   4. under the locks: the binlog position is read, the fence row checked and the swap
//      recorded there (fence.h); A drains the binlog up to that position, applying on
//      the sessions that hold the locks;
//   5. the A_i drop their sentries and unlock in lock order, each once B is queued on
//      its table; B's rename runs before any queued DML.
//
// If any step runs past the lock budget, B's statement is killed, A unlocks and the
// sentries are dropped: while a sentry exists B's rename can only fail ("already
// exists"), so nothing is ever half-renamed. Attempts are retried with backoff. The
// write-blocked time (from A's lock request to B's rename finishing) is measured.
//
// Thread-safety: one cutover at a time; it stops and (on failure) restarts the loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "db/mysql/pool.h"
#include "engine/mysql/fence.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {

struct CutoverOptions {
  int64_t lock_timeout_ms = 3000;  // hard cap on write-blocked time per attempt
  int max_attempts = 10;
  int64_t backoff_ms = 500;  // doubles per attempt, capped at 8× the first
  int64_t catch_up_timeout_ms = 60000;
  int64_t force_after_ms = 0;                       // EngineSpec::cutover_force_after_ms
  std::function<bool()> should_stop;                // checked between attempts
  std::function<void(const std::string&)> gave_up;  // after each attempt that gave up: why
};

// One table of a swap. Names are in `schema`.
struct SwapTable {
  std::string schema;
  std::string table;       // the name the application uses
  std::string away;        // where the current table goes (also its sentry); "": none exists
  std::string incoming;    // the table that takes the name; "": none (a drop)
  int applier_index = -1;  // the loop's applier plan that writes `incoming`; -1: none
};

struct CutoverResult {
  int attempts = 0;
  BinlogPosition position;                  // read under the locks of the swap that succeeded
  int64_t write_block_ms = 0;               // of the attempt that swapped
  std::vector<std::string> killed;          // sessions killed by cutover_force_after
  std::vector<int64_t> failed_block_ms;     // of the attempts that gave up
  std::vector<std::string> failed_reasons;  // why each failed attempt gave up
};

// Ok once every table is swapped. `loop` (null when no table needs draining) is
// stopped for each attempt and restarted when one gives up; `fence` is checked and
// the swap (`kind`, the position) recorded under the locks. Timeout when every attempt
// gave up (nothing swapped; the loop is running again); Cancelled when stopped between
// attempts; LeaseLost when the fence moved; the loop's error if it failed.
Result<CutoverResult> RunCutover(const std::vector<SwapTable>& tables, db::MysqlPool* pool,
                                 SyncLoop* loop, const TargetFence& fence, const std::string& kind,
                                 const CutoverOptions& options);

// Drops the cutover sentries left behind by an interrupted attempt (only tables ordo
// created as sentries: they carry its comment).
Status DropSentries(const std::vector<SwapTable>& tables, db::MysqlConnection& conn);

// Whether schema.table is a sentry ordo created (absent tables are not).
Result<bool> IsSentry(db::MysqlConnection& conn, const std::string& schema,
                      const std::string& table);

}  // namespace ordo::engine

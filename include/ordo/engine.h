// Engine: runs one operation's table changes on one deployment (one MySQL/MariaDB
// server), phase by phase, for the operator. See ../shared/spec/engine.md.
//
// The operator owns the lease; the engine never talks to the control store. It
// reports progress and persists its resume state through EngineHost callbacks, and
// polls EngineHost::ShouldStop() at every safe point. A callback that returns an
// error (e.g. LeaseLost) makes the engine stop at once and write nothing more,
// anywhere.
//
// Thread-safety: one OperationEngine is driven by one thread at a time; it may run
// its own worker threads (copy threads, binlog reader) internally. EngineHost
// callbacks may be called from any of those threads.
//
//   auto engine = NewMysqlEngine(spec, &host);
//   ORDO_RETURN_IF_ERROR((*engine)->Preflight());
//   ORDO_RETURN_IF_ERROR((*engine)->Copy());            // returns once in sync
//   ORDO_RETURN_IF_ERROR((*engine)->KeepInSync(ready)); // parked until ready()
//   ORDO_ASSIGN_OR_RETURN(CutoverReport r, (*engine)->Cutover());
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo {

// One table change of the operation.
struct TableChange {
  int64_t change_id = 0;  // the store's change row, echoed in progress reports
  std::string schema_name;  // empty: the DSN's database
  std::string table_name;
  std::string ddl;  // exactly one ALTER TABLE statement naming table_name
};

struct EngineSpec {
  std::string target_dsn;  // mysql://user:pass@host:port/schema
  std::vector<TableChange> changes;
  std::optional<std::string> resume_state;  // from the operation row, if any
  std::string fence_token;                  // the current lease token (target fencing, part 2)
  int copy_threads = 2;
  int64_t chunk_target_ms = 500;             // each copy chunk aims at this duration
  int64_t cutover_lock_timeout_ms = 3000;    // hard cap on write-blocked time per attempt
  int cutover_max_attempts = 10;
  int64_t cutover_backoff_ms = 500;          // first retry delay; doubles, capped at 8×
  int64_t checkpoint_interval_ms = 2000;     // SaveResumeState at least this often
  int64_t progress_interval_ms = 1000;       // ReportProgress at least this often
  bool keep_old_table = false;               // after the swap, keep `<t>_ordo_old`
};

// The engine's view of its phase and numbers, for status/watch.
struct EngineProgress {
  std::vector<ChangeProgress> changes;
  // preflight, copying, in_sync, verifying, cutting_over, done, stopped, failed
  std::string phase;
  double rows_per_second = 0;     // copy rate of this run
  int64_t backlog_events = 0;     // captured row changes not applied yet
  int64_t backlog_bytes = 0;      // binlog bytes between the server's end and the applied position
  std::string throttle_reason;    // part 2
  int cutover_attempts = 0;
  int64_t rows_scanned_this_run = 0;  // source rows read by this process's copy chunks
  bool resumed = false;               // this run continued from a saved resume state
};

class EngineHost {
 public:
  virtual ~EngineHost() = default;
  // Progress for the store. An error stops the engine at once (e.g. LeaseLost): it
  // writes nothing more, anywhere, and returns that error from the running phase.
  virtual Status ReportProgress(const EngineProgress& progress) = 0;
  // Persists the opaque resume state (checkpoint, binlog position). An error stops
  // the engine like ReportProgress's.
  virtual Status SaveResumeState(const std::string& resume_state_json) = 0;
  // True when the engine should stop at the next safe point (stop/cancel requested,
  // shutdown). The engine saves a checkpoint and returns Cancelled.
  virtual bool ShouldStop() = 0;
};

struct CutoverReport {
  int64_t write_block_ms = 0;  // how long application writes were blocked (the swap)
  int attempts = 0;
  std::vector<int64_t> failed_attempt_block_ms;  // attempts that timed out and gave up
  std::vector<std::string> failed_attempt_reasons;  // why each of them gave up
  int64_t rows_verified = 0;
  bool instant = false;  // part 2: ALGORITHM=INSTANT fast path
};

// Phases, driven in order by one thread: Preflight → Copy → KeepInSync → Cutover, or
// Cancel at any point. Any phase returns Cancelled after ShouldStop() (checkpoint
// saved; a new engine built with that resume state continues). Destroying the engine
// stops its threads; the last saved checkpoint stays valid.
class OperationEngine {
 public:
  virtual ~OperationEngine() = default;
  // Checks each change (one ALTER TABLE; anything else is InvalidArgument), the table
  // (a primary or non-null unique key, no foreign keys or triggers), the DDL (run on an
  // empty copy, then dropped), binlog settings (ROW, FULL) and privileges. Every
  // refusal names the table and the reason. Writes nothing that outlives the call.
  virtual Status Preflight() = 0;
  // Creates the shadow tables, starts capturing changes from the binlog, copies and
  // applies until the shadows are in sync; resumes from EngineSpec::resume_state when
  // present (no restart from zero). Returns Ok once in sync, with the change capture
  // still running. DataLoss naming the table and key for lossy changes.
  virtual Status Copy() = 0;
  // Keeps the shadows in sync (checkpointing) until `ready()` returns true (Ok) or
  // ShouldStop() (Cancelled).
  virtual Status KeepInSync(const std::function<bool()>& ready) = 0;
  // Verifies every table against its shadow (DataLoss naming the first differing key;
  // nothing swapped), then swaps all tables in one RENAME, blocking writes for at most
  // cutover_lock_timeout_ms per attempt; retries with backoff. Timeout when every
  // attempt gave up (nothing swapped, still in sync: Cutover may be called again).
  virtual Result<CutoverReport> Cutover() = 0;
  // Stops everything and removes every artefact (shadow tables, sentries). Refused
  // (FailedPrecondition) after a successful swap.
  virtual Status Cancel() = 0;
};

// The MariaDB/MySQL engine.
Result<std::unique_ptr<OperationEngine>> NewMysqlEngine(const EngineSpec& spec,
                                                        EngineHost* host);

}  // namespace ordo

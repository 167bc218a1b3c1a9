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
  std::string schema_name;
  std::string table_name;
  std::string ddl;  // one ALTER TABLE statement
};

struct EngineSpec {
  std::string target_dsn;  // mysql://user:pass@host:port/schema
  std::vector<TableChange> changes;
  std::optional<std::string> resume_state;  // from the operation row, if any
  std::string fence_token;                  // the current lease token (target fencing)
  int copy_threads = 2;
  int64_t chunk_target_ms = 500;
  int64_t cutover_lock_timeout_ms = 3000;
  int cutover_max_attempts = 10;
};

// The engine's view of its phase and numbers, for status/watch.
struct EngineProgress {
  std::vector<ChangeProgress> changes;
  std::string phase;  // preflight, copying, catching_up, in_sync, cutting_over, done
  double rows_per_second = 0;
  int64_t backlog_events = 0;
  std::string throttle_reason;
  int cutover_attempts = 0;
};

class EngineHost {
 public:
  virtual ~EngineHost() = default;
  // Progress for the store. An error stops the engine (e.g. LeaseLost).
  virtual Status ReportProgress(const EngineProgress& progress) = 0;
  // Persists the opaque resume state (checkpoint, binlog position). An error stops
  // the engine.
  virtual Status SaveResumeState(const std::string& resume_state_json) = 0;
  // True when the engine should stop at the next safe point (stop/cancel requested,
  // lease lost, shutdown).
  virtual bool ShouldStop() = 0;
};

struct CutoverReport {
  int64_t write_block_ms = 0;  // how long application writes were blocked
  int attempts = 0;
  bool instant = false;
};

class OperationEngine {
 public:
  virtual ~OperationEngine() = default;
  // Checks the table, the DDL (on an empty copy), binlog settings and privileges.
  // InvalidArgument / FailedPrecondition naming the table and the reason.
  virtual Status Preflight() = 0;
  // Creates the shadow, copies and applies captured changes until in sync; resumes
  // from EngineSpec::resume_state when present. Cancelled when stopped at a safe
  // point (checkpoint saved); DataLoss naming the key for lossy changes.
  virtual Status Copy() = 0;
  // Keeps the shadow in sync until `ready()` returns true (Ok) or ShouldStop().
  virtual Status KeepInSync(const std::function<bool()>& ready) = 0;
  // Verifies and swaps all tables atomically, blocking writes for a bounded time;
  // retries on lock timeout. Timeout when every attempt gave up (nothing swapped).
  virtual Result<CutoverReport> Cutover() = 0;
  // Removes every artefact (shadow tables, sentries, checkpoint rows).
  virtual Status Cancel() = 0;
};

// The MariaDB/MySQL engine.
Result<std::unique_ptr<OperationEngine>> NewMysqlEngine(const EngineSpec& spec,
                                                        EngineHost* host);

}  // namespace ordo

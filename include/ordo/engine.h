// Engine: runs one operation's table changes on one deployment (one MySQL/MariaDB
// server), phase by phase, for the operator. See docs/engine.md.
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
//   auto engine = NewMysqlEngine(spec, &host);               // spec.revert_window = true
//   ORDO_RETURN_IF_ERROR((*engine)->Preflight());
//   ORDO_RETURN_IF_ERROR((*engine)->Copy());                 // returns once in sync
//   ORDO_RETURN_IF_ERROR((*engine)->MakeReady());            // indexes, verification
//   ORDO_RETURN_IF_ERROR((*engine)->KeepInSync(ready));      // parked until ready()
//   ORDO_ASSIGN_OR_RETURN(CutoverReport r, (*engine)->Cutover());
//   ORDO_RETURN_IF_ERROR((*engine)->KeepOldInSync(window_over_or_requested));
//   if (revert_requested && (*engine)->CanRevert().ok()) (*engine)->Revert();
//   else (*engine)->FinishSwap();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ordo/status.h"
#include "ordo/store.h"
#include "ordo/target.h"

namespace ordo {

// One table change of the operation.
struct TableChange {
  int64_t change_id = 0;    // the store's change row, echoed in progress reports
  std::string schema_name;  // empty: the DSN's database
  std::string table_name;
  // Exactly one ALTER TABLE, CREATE TABLE or DROP TABLE statement naming table_name.
  // A created table appears at the cutover (in the same RENAME as the others); a
  // dropped one is renamed away at the cutover and dropped when the window ends.
  std::string ddl;
};

// The copy's volume: how hard it works. Changeable while running (SetVolume).
struct EngineVolume {
  int copy_threads = 2;           // 1..64
  int64_t chunk_target_ms = 500;  // each copy chunk aims at this duration; 10..60000
};

struct EngineSpec {
  std::string target_dsn;  // mysql://user:pass@host:port/schema
  std::vector<TableChange> changes;
  std::optional<std::string> resume_state;  // from the operation row, if any
  // The current lease token: the engine's target-side fence (docs/engine.md). Empty:
  // a random token per engine instance (the newest instance wins).
  std::string fence_token;
  // Who the operation is: recorded on the target as the owner of its tables' ordo
  // names before anything is created there (ordo/target.h). A recovering engine of the
  // same operation (same store and operation, any token) owns what the operation made.
  // Empty (tests, benchmarks): an operation of no store, named by its tables.
  TargetOwner owner;
  int copy_threads = 2;
  // Sessions the change stream's batches may be applied on side by side once the
  // stream is behind (a batch of 1,000 rows or more per session; each table's keys
  // split among them by hash). 1: one session.
  int apply_sessions = 2;
  int64_t chunk_target_ms = 500;           // each copy chunk aims at this duration
  int64_t cutover_lock_timeout_ms = 3000;  // hard cap on write-blocked time per attempt
  int cutover_max_attempts = 10;
  int64_t cutover_backoff_ms = 500;  // first retry delay; doubles, capped at 8×
  // Opt-in: once the swap has looked for a free moment this long (over its attempts),
  // the sessions holding a metadata lock on its tables are killed (KILL CONNECTION,
  // each one logged), as far as the server can name them (the metadata_lock_info
  // plugin; without it nothing is killed). 0: never.
  int64_t cutover_force_after_ms = 0;
  int64_t checkpoint_interval_ms = 2000;  // SaveResumeState at least this often
  int64_t progress_interval_ms = 1000;    // ReportProgress at least this often
  // A revert window follows the swap: Cutover keeps the old tables (`<t>_ordo_old`) and
  // KeepOldInSync keeps them in sync with the new ones until Revert or
  // FinishSwap. Off: Cutover ends the operation (old tables dropped or kept), and
  // Swap leaves them for FinishSwap.
  bool revert_window = false;
  // Where the old tables would be dropped (the window's end, or the cutover without a
  // window) they are renamed to `<t>_ordo_bak_<yyyymmddhhmmss>` (UTC) instead.
  bool keep_old_table = false;
  // When MariaDB can apply a single-table ALTER with ALGORITHM=INSTANT, do that at
  // cutover instead of copying (not revertible). False forces the copy path.
  bool allow_instant = true;
  // The shadow is copied without its plain (non-unique) secondary indexes, which one
  // online ALTER adds back after the copy: a sorted index build instead of random
  // index updates per copied row. The build runs beside the verification (or after it,
  // under application writes: see rest_under_writes); MakeReady() waits for it (phase
  // "indexing" while it waits). False keeps the indexes during the copy.
  bool defer_secondary_indexes = true;
  // While a table's copy runs and the application does not write it, the chunks
  // already copied are verified in rounds behind it, so the verification before the
  // cutover compares only the rest. Row changes since leave the rounds standing (the
  // change stream carries them); a statement the stream cannot apply (statement-format
  // DML, TRUNCATE) voids them. False: the whole verification happens before the
  // cutover.
  bool verify_during_copy = true;
  // The duty cycle: while the change stream shows the application writing the tables
  // being changed (100 changed rows a second or more), the copy rests
  // `rest_under_writes` times each chunk's duration before its next chunk (up to twice
  // that ahead of a deferred index build, by the build's estimated share of the copy's
  // writes), and the verification before the cutover `verify_rest_under_writes` times
  // each of its chunks' (with the duty cycle on, the index build then runs after the
  // verification instead of beside it: it is one statement that cannot rest). The
  // server is left to the application for that share of the time; the migration takes
  // longer. 0: never rest. An idle table never rests.
  double rest_under_writes = 1.0;
  double verify_rest_under_writes = 0.5;
  // Throttling: the copy pauses (change application never does) while the binlog
  // backlog — the binlog between the server's end and what change application has
  // applied — exceeds max_backlog_bytes (0: not checked), the target's Threads_running
  // exceeds max_threads_running (0: not checked) or a replica's lag exceeds
  // max_replica_lag_ms (replicas unreachable or not replicating also pause). The copy
  // resumes once every one is back under its limit.
  // 16 MiB: two default-sized copy chunks (≈5 MB of binlog each for a 1M-row sysbench
  // table) may be in flight at once; at 8 MiB the in-flight check serialized them.
  int64_t max_backlog_bytes = 16 << 20;
  int64_t max_threads_running = 25;
  std::vector<std::string> replica_dsns;  // mysql:// URLs of replicas to watch
  int64_t max_replica_lag_ms = 10000;
  int64_t throttle_interval_ms = 500;  // how often the throttle is evaluated
};

// The engine's view of its phase and numbers, for status/watch.
struct EngineProgress {
  std::vector<ChangeProgress> changes;  // ChangeProgress::instant: the instant decision
  // preflight, copying, indexing, in_sync, verifying, cutting_over, swapped (no window; the
  // old tables still to drop), revert_window, reverting,
  // reverted, done, stopped, cancelled
  std::string phase;
  bool instant = false;         // decided in preflight: ALGORITHM=INSTANT at cutover
  double rows_per_second = 0;   // copy rate of this run
  int64_t backlog_events = 0;   // captured row changes not applied yet
  int64_t backlog_bytes = 0;    // binlog bytes between the server's end and the applied position
  std::string throttle_reason;  // why the copy is paused now; empty: not throttled
  EngineVolume volume;          // the copy's current volume
  int cutover_attempts = 0;
  int64_t rows_scanned_this_run = 0;  // source rows read by this process's copy chunks
  bool resumed = false;               // this run continued from a saved resume state
  // In the revert window: empty while a revert is possible, else why not (instant
  // change, the reverse sync could not store a row, …).
  std::string revert_unavailable;
  // Advice found in preflight that does not stop the operation (a buffer pool smaller
  // than what the copy works on); the operator records each once as a `notice` event.
  std::vector<std::string> notices;
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
  std::vector<int64_t> failed_attempt_block_ms;     // attempts that timed out and gave up
  std::vector<std::string> failed_attempt_reasons;  // why each of them gave up
  std::vector<std::string> killed_sessions;         // by cutover_force_after, each described
  int64_t rows_verified = 0;
  bool instant = false;  // applied with ALGORITHM=INSTANT (no copy, not revertible)
};

// Phases, driven in order by one thread: Preflight → Copy → MakeReady → KeepInSync →
// Cutover (or Swap, then FinishSwap without a window) → (with
// EngineSpec::revert_window) KeepOldInSync → Revert or FinishSwap; or
// Cancel before the swap. Any phase returns Cancelled after ShouldStop() (checkpoint
// saved; a new engine built with that resume state continues, in whatever phase the
// old one was, the revert window included). Destroying the engine stops its threads;
// the last saved checkpoint stays valid.
//
// A displaced engine (another driver took the lease and built its own engine) finds
// the operation's target-side fence moved at its next write and fails with LeaseLost
// (retryable: the store decides whether this driver still holds the lease).
class OperationEngine {
 public:
  virtual ~OperationEngine() = default;
  // Checks each change (one ALTER TABLE, CREATE TABLE or DROP TABLE; anything else is
  // InvalidArgument), the tables (a primary or non-null unique key; no foreign keys or
  // triggers: refused naming them), the DDL (run on an empty copy, then dropped),
  // binlog settings (ROW, FULL) and privileges, and decides whether the change is
  // instant (reported in progress). Every refusal names the table and the reason.
  // First of all it records the operation (EngineSpec::owner) as the owner of each
  // table's ordo names on the target and takes the fence; a name owned by another
  // operation, or taken by a table nobody owns, is refused (FailedPrecondition naming
  // the owner, or saying there is none) before anything is created. Beyond those
  // records (kept until the operation settles; removed again when this call refuses
  // a fresh operation) it writes nothing that outlives the call. After a swap (a
  // resume state or the target says so) it only reloads what the revert window needs.
  virtual Status Preflight() = 0;
  // Creates the shadow tables, starts capturing changes from the binlog, copies and
  // applies until the shadows are in sync; resumes from EngineSpec::resume_state when
  // present (no restart from zero). Returns Ok once in sync, with the change capture
  // still running. DataLoss naming the table and key for lossy changes. An instant
  // change copies nothing (Ok at once); so does an engine whose tables were swapped.
  virtual Status Copy() = 0;
  // Makes the operation ready for its turn: waits for the shadows' deferred secondary
  // indexes (phase "indexing"), verifies every table against its shadow ("verifying";
  // DataLoss naming the first differing key), and returns once in sync again
  // ("in_sync"). From then on only the swap is left: the change stream keeps every
  // shadow equal to its table up to the swap, which drains it under the locks. The
  // checkpoint records it, so an engine resumed from it is ready once caught up.
  // Idempotent; Ok at once for an instant change, creates and drops only, or after the
  // swap. FailedPrecondition before Copy finished.
  virtual Status MakeReady() { return Status::Ok(); }
  // Keeps the shadows in sync (checkpointing) until `ready()` returns true (Ok) or
  // ShouldStop() (Cancelled).
  virtual Status KeepInSync(const std::function<bool()>& ready) = 0;
  // MakeReady() first when it has not run (so a caller may skip it), then the final
  // catch-up and the swap of all tables in one RENAME, blocking writes for at most
  // cutover_lock_timeout_ms per attempt; retries with backoff. Timeout when every
  // attempt gave up (nothing swapped, still in sync: Cutover may be called again). An
  // instant change runs its ALTER … ALGORITHM=INSTANT instead, bounded the same way
  // (report.instant). Ok with attempts == 0 when the swap had already happened.
  virtual Result<CutoverReport> Cutover() = 0;
  // The swap alone: like Cutover(), but without a revert window the old tables (and
  // the ownership records) are left for FinishSwap(), so a caller can end the
  // deployment's turn at the rename and drop them after it. With a window it is
  // Cutover(). The default does all of Cutover() (an engine with nothing to leave).
  virtual Result<CutoverReport> Swap() { return Cutover(); }
  // Stops everything and removes every artefact the operation owns (shadow tables,
  // sentries, check tables, then its ownership records); tables another operation
  // owns are left alone (a refused engine cancels nothing). Refused
  // (FailedPrecondition) after a successful swap.
  virtual Status Cancel() = 0;

  // ---- the revert window (EngineSpec::revert_window) ------------------------------
  // After the swap: keeps every old table in sync with the new one (the binlog,
  // reverse direction: new → old columns) until `done()` returns true (Ok, checkpoint
  // saved); Cancelled after ShouldStop(). Callable on a fresh engine built from a
  // crashed one's resume state: it continues from the saved reverse position (or,
  // when the crash came between the swap and its checkpoint, from the position the
  // swap recorded on the target). A row the old table cannot hold does not end the
  // window: the reverse sync stops and CanRevert() says why. FailedPrecondition when
  // there is no revert window (no swap yet, or already finished/reverted).
  virtual Status KeepOldInSync(const std::function<bool()>& done) {
    (void)done;
    return FailedPrecondition("this engine has no revert window");
  }
  // Ok when Revert() can be attempted now; FailedPrecondition naming why not (an
  // instant change, no window, the reverse sync failed, the old table is gone).
  virtual Status CanRevert() { return FailedPrecondition("this engine cannot revert"); }
  // Swaps every table back in one RENAME (old tables return under their names,
  // created tables go away, dropped ones come back), after verifying the old tables
  // against the new ones, with the cutover's bounds and retries. The reverted tables
  // hold every write made during the window. Then drops the new tables (or keeps them,
  // keep_old_table) and the ownership records. Ok with attempts == 0 when already
  // reverted (a recovered run).
  // FailedPrecondition when CanRevert() says no; DataLoss when verification finds a
  // difference (nothing swapped); Timeout when every attempt gave up (still in the
  // window, still in sync: may be called again).
  virtual Result<CutoverReport> Revert() { return FailedPrecondition("this engine cannot revert"); }
  // Ends what follows a swap, without reverting: stops the reverse sync of a revert
  // window, drops the old tables (or renames them to the keep_old_table name) and the
  // operation's ownership records. Called at the window's end, or right after Swap()
  // without a window. Idempotent (a fresh engine built from a crashed one's resume
  // state finishes it); Ok when there was nothing to finish; FailedPrecondition when
  // nothing was swapped.
  virtual Status FinishSwap() { return Status::Ok(); }

  // ---- volume ------------------------------------------------------------------------
  // Changes copy threads and chunk time target, now and for the rest of the run (the
  // next chunk of each thread). InvalidArgument outside the documented ranges.
  // Thread-safe: callable from any thread while a phase runs.
  virtual Status SetVolume(const EngineVolume& volume) {
    (void)volume;
    return FailedPrecondition("this engine has no volume knob");
  }
};

// The MariaDB/MySQL engine.
Result<std::unique_ptr<OperationEngine>> NewMysqlEngine(const EngineSpec& spec, EngineHost* host);

}  // namespace ordo

// MysqlEngine: the OperationEngine for MariaDB/MySQL targets. It wires the pieces of
// this folder together phase by phase; each piece has its own header:
//   ddl.h (input), table_info.h / table_plan.h (introspection, column mapping),
//   copier.h (chunked copy), applier.h + sync_loop.h (binlog change application),
//   resume_state.h (checkpoints), checksum.h (verification), cutover.h (the swap, both
//   ways), ownership.h (which operation owns ordo's tables), fence.h (target-side
//   fencing), pacing.h (the copy's volume, throttle and rests under writes),
//   reverse_sync.h (the revert window's sync of the old tables), index_builder.h (the
//   deferred secondary indexes added back after the copy), copy_evidence.h (what the
//   copy leaves the verification before the swap).
//
// The phases live in one file each: mysql_engine_preflight.cc (input, tables, the
// instant decision, where a recovered operation stands), mysql_engine_copy.cc (copy,
// resume, in sync, throttling), mysql_engine_cutover.cc (the swap, the instant ALTER),
// mysql_engine_window.cc (the revert window: reverse sync, revert, finish), and this
// header's mysql_engine.cc (checkpoints, progress, fencing, cancel, volume).
//
// The change stream is injected (ChangeStreamFactory) so tests can drive the engine
// with scripted events; NewMysqlEngine uses the binlog reader.
//
// Thread-safety: as OperationEngine.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "db/dsn.h"
#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/change_stream.h"
#include "engine/mysql/checksum.h"
#include "engine/mysql/copier.h"
#include "engine/mysql/copy_evidence.h"
#include "engine/mysql/cutover.h"
#include "engine/mysql/ddl.h"
#include "engine/mysql/fence.h"
#include "engine/mysql/index_builder.h"
#include "engine/mysql/ownership.h"
#include "engine/mysql/pacing.h"
#include "engine/mysql/resume_state.h"
#include "engine/mysql/reverse_sync.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"
#include "engine/mysql/trailing_verifier.h"
#include "ordo/engine.h"

namespace ordo::engine {

// Session settings of every connection the engine opens: strict, UTC, READ COMMITTED
// (non-locking chunk reads), complete warning lists. Binary logging stays on.
db::MysqlConnectOptions EngineConnectOptions();

class MysqlEngine final : public OperationEngine {
 public:
  MysqlEngine(EngineSpec spec, db::Dsn dsn, EngineHost* host, ChangeStreamFactory streams);
  ~MysqlEngine() override;

  Status Preflight() override;
  Status Copy() override;
  Status MakeReady() override;
  Status KeepInSync(const std::function<bool()>& ready) override;
  Result<CutoverReport> Cutover() override;
  Result<CutoverReport> Swap() override;
  Status Cancel() override;
  Status KeepOldInSync(const std::function<bool()>& done) override;
  Status CanRevert() override;
  Result<CutoverReport> Revert() override;
  Status FinishSwap() override;
  Status SetVolume(const EngineVolume& volume) override;

 private:
  // One change of the operation, whatever its kind.
  struct Change {
    ChangeKind kind = ChangeKind::kAlter;
    std::string schema;
    std::string table;
    AlterStatement alter;     // kAlter
    std::string create_body;  // kCreate
    std::string shadow_name;  // `<t>_ordo_new`: the shadow or the created table
    std::string old_name;     // `<t>_ordo_old`: sentry, then the old or dropped table
    int plan = -1;            // kAlter: index into plans_ / the reverse sync's plans
  };

  // mysql_engine_preflight.cc
  Status Prepare();  // input, ownership and fence, no server work
  Status CheckServer(db::MysqlConnection& conn);
  // Preflight once the operation owns its tables' names and holds the fence.
  Status PreflightOwned(db::MysqlConnection& conn);
  // Sets notices_ when the buffer pool is smaller than the copied tables twice over.
  void NoteBufferPool(db::MysqlConnection& conn);
  Result<std::unique_ptr<TablePlan>> PlanAlter(db::MysqlConnection& conn, const Change& change,
                                               bool try_instant, bool* instant);
  Status CheckCreate(db::MysqlConnection& conn, const Change& change);
  Status CheckDrop(db::MysqlConnection& conn, const Change& change);
  Status DetectStage(db::MysqlConnection& conn);
  Result<bool> SwappedOnTarget(db::MysqlConnection& conn);
  Result<bool> RevertedOnTarget(db::MysqlConnection& conn);
  // mysql_engine_copy.cc
  Status StartFresh(db::MysqlConnection& conn, BinlogPosition* from);
  Status CreateNewTables(db::MysqlConnection& conn);
  Status LoadResume(db::MysqlConnection& conn, BinlogPosition* from, bool* usable);
  Status CopyTable(size_t index);
  Status CatchUp();
  // mysql_engine_indexes.cc: the deferred index build (index_builder.h) starts when
  // the copy ends (or after the verification, under writes) and is joined by
  // MakeReady(), so that it overlaps the verification.
  void StartIndexBuild();
  // Joins the build when it finished (with `wait`: waits for it, ticking, killing it on
  // a stop); the built shadows leave the missing lists. Returns the build's error.
  Status FinishIndexBuild(bool wait);
  // While waiting for the build: the loop's error, a tick, a stop (which kills the
  // build). Ok to go on waiting.
  Status TickWhileBuilding();
  // Waits until the build holds no more than a shared metadata lock until its end: its
  // last ALTER runs its online phase, or it finished. A verification snapshot opened
  // before that would hold its exclusive lock off, and the sync loop's writes behind it.
  Status AwaitIndexBuildOnline();
  // mysql_engine_cutover.cc
  Result<CutoverReport> RunInstant();
  // Verification while the index build may still run (AwaitIndexBuildOnline first).
  Result<VerifyReport> VerifyBesideIndexBuild();
  // Under application writes with the duty cycle on, the deferred index build starts
  // after the verification rather than at the end of the copy.
  bool BuildAfterVerification() const;
  std::vector<SwapTable> ForwardSwaps() const;
  std::vector<SwapTable> RevertSwaps() const;
  CutoverOptions SwapOptions();
  // mysql_engine_window.cc
  // The swapped altered tables, for the reverse sync (reverse_sync.h).
  std::vector<ReverseTable> ReverseTables() const;
  // Starts the reverse sync unless it runs, cannot run (instant, nothing altered) or a
  // revert is impossible already; a checkpoint when it becomes impossible.
  Status EnsureReverseSync();
  // The reverse sync's error: the engine's death for a lost lease, a checkpoint when
  // a revert became impossible; a restart (EnsureReverseSync) when it is not running.
  Status PollReverseSync();
  Status FinishOld();
  // After a revert: the new tables (under the shadow names) go, then the records.
  Status FinishReverted(db::MysqlConnection& conn);
  // Drops ordo's table `name` (or, with keep_old_table, renames it to the backup name).
  Status Dispose(db::MysqlConnection& conn, const Change& change, const std::string& name);
  // The operation's work on the target is over: after a fence check, its ownership
  // records go (the fence's last).
  Status ReleaseTarget(db::MysqlConnection& conn);
  // mysql_engine.cc
  // Takes the target-side fence (Advance) and proves the lease with a progress
  // report before this engine's first write; later calls only check it.
  Status TakeFence();
  // One fenced store write (a progress report); its error kills the engine.
  Status ProveLease();
  // Saves the checkpoint / reports progress when due (or `force`); a callback error
  // makes the engine dead: it stops its threads and writes nothing more.
  Status Tick(bool force);
  Status SaveCheckpoint();
  Status ReportProgress();
  Status Die(Status why);
  bool StopRequested();
  Status Stopped();
  std::vector<TableCopyState> CopyStates() const;
  std::string RevertUnavailable() const;
  bool HasAlters() const { return !plans_.empty(); }  // before the swap: tables to copy
  bool HasReverse() const;                            // after the swap: old tables to keep in sync
  Status Dead() const { return FailedPrecondition("the engine stopped after a callback error"); }

  EngineSpec spec_;
  db::Dsn dsn_;
  EngineHost* host_;
  ChangeStreamFactory streams_;
  std::unique_ptr<db::MysqlPool> pool_;
  bool prepared_ = false;
  std::vector<Change> changes_;
  std::optional<ResumeState> saved_;  // the spec's resume state, decoded
  std::unique_ptr<Ownership> ownership_;
  std::unique_ptr<TargetFence> fence_;
  bool fence_taken_ = false;
  std::vector<std::unique_ptr<TablePlan>> plans_;  // kAlter changes: source → shadow
  std::vector<const TablePlan*> plan_ptrs_;
  std::unique_ptr<Applier> applier_;
  std::unique_ptr<SyncLoop> loop_;
  std::vector<TableCopyState> copy_states_;
  IndexBuilder indexes_;      // the shadows' deferred secondary indexes
  mutable Mutex copiers_mu_;  // SetVolume comes from other threads
  std::vector<std::unique_ptr<TableCopier>> copiers_
      ORDO_GUARDED_BY(copiers_mu_);  // null when not copying
  CopyEvidence evidence_;            // the copies' bounds and verified prefixes; what was compared
  // The revert window: old tables kept in sync from the new ones.
  ReverseSync reverse_;
  EngineStage stage_ = EngineStage::kCopy;
  bool instant_ = false;
  std::string instant_definition_;
  bool preflight_done_ = false;
  mutable Mutex notices_mu_;  // the swap's give-ups report from its callback
  std::vector<std::string> notices_
      ORDO_GUARDED_BY(notices_mu_);  // Preflight's advice, the swap's give-ups
  bool copied_ = false;
  // MakeReady() finished (or the checkpoint said so): indexes built, verified, so
  // only the swap is left.
  bool ready_ = false;
  bool resumed_ = false;
  std::atomic<bool> dead_{false};
  std::atomic<bool> stop_{false};
  std::string phase_ = "preflight";
  int cutover_attempts_ = 0;
  int64_t run_started_ms_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  int64_t last_progress_ms_ = 0;
  int64_t rows_copied_at_start_ = 0;
  // The copy's volume, throttle and duty cycle, with their lock.
  CopyPacing pacing_;
};

}  // namespace ordo::engine

namespace ordo::engine {

// The engine with an injected change stream (tests; NewMysqlEngine passes the binlog
// reader's). InvalidArgument for a bad DSN or a null host.
Result<std::unique_ptr<OperationEngine>> NewMysqlEngineWithStreams(const EngineSpec& spec,
                                                                   EngineHost* host,
                                                                   ChangeStreamFactory streams);

}  // namespace ordo::engine

namespace ordo::engine {

// Streams from the binlog reader for the spec's tables.
ChangeStreamFactory BinlogStreamFactory(const db::Dsn& dsn, const EngineSpec& spec);

}  // namespace ordo::engine

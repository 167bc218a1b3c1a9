// MysqlEngine: the OperationEngine for MariaDB/MySQL targets. It wires the pieces of
// this folder together phase by phase; each piece has its own header:
//   ddl.h (input), table_info.h / table_plan.h (introspection, column mapping),
//   copier.h (chunked copy), applier.h + sync_loop.h (binlog change application),
//   resume_state.h (checkpoints), checksum.h (verification), cutover.h (the swap).
//
// The change stream is injected (ChangeStreamFactory) so tests can drive the engine
// with scripted events; NewMysqlEngine uses the binlog reader.
//
// Thread-safety: as OperationEngine.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "db/dsn.h"
#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/change_stream.h"
#include "engine/mysql/copier.h"
#include "engine/mysql/ddl.h"
#include "engine/mysql/resume_state.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"
#include "ordo/engine.h"

namespace ordo {

// Session settings of every connection the engine opens: strict, UTC, READ COMMITTED
// (non-locking chunk reads), complete warning lists. Binary logging stays on.
MysqlConnectOptions EngineConnectOptions();

class MysqlEngine final : public OperationEngine {
 public:
  MysqlEngine(EngineSpec spec, Dsn dsn, EngineHost* host, ChangeStreamFactory streams);
  ~MysqlEngine() override;

  Status Preflight() override;
  Status Copy() override;
  Status KeepInSync(const std::function<bool()>& ready) override;
  Result<CutoverReport> Cutover() override;
  Status Cancel() override;

 private:
  // mysql_engine_preflight.cc
  Status CheckServer(MysqlConnection& conn);
  Result<std::unique_ptr<TablePlan>> PlanTable(MysqlConnection& conn, const TableChange& change,
                                               const AlterStatement& alter);
  // mysql_engine_copy.cc
  Status StartFresh(MysqlConnection& conn, BinlogPosition* from);
  Status LoadResume(MysqlConnection& conn, BinlogPosition* from, bool* usable);
  Status CopyTable(size_t index);
  Status CatchUp();
  // mysql_engine.cc
  // Saves the checkpoint / reports progress when due (or `force`); a callback error
  // makes the engine dead: it stops its threads and writes nothing more.
  Status Tick(bool force);
  Status SaveCheckpoint();
  Status ReportProgress();
  Status Die(Status why);
  bool StopRequested();
  Status Stopped();
  std::vector<TableCopyState> CopyStates() const;

  EngineSpec spec_;
  Dsn dsn_;
  EngineHost* host_;
  ChangeStreamFactory streams_;
  std::unique_ptr<MysqlPool> pool_;
  std::vector<AlterStatement> alters_;
  std::vector<std::unique_ptr<TablePlan>> plans_;
  std::vector<const TablePlan*> plan_ptrs_;
  std::unique_ptr<Applier> applier_;
  std::unique_ptr<SyncLoop> loop_;
  std::vector<TableCopyState> copy_states_;
  std::vector<std::unique_ptr<TableCopier>> copiers_;  // null when not copying
  bool preflight_done_ = false;
  bool copied_ = false;
  bool swapped_ = false;
  bool resumed_ = false;
  std::atomic<bool> dead_{false};
  std::atomic<bool> stop_{false};
  std::string phase_ = "preflight";
  int cutover_attempts_ = 0;
  int64_t run_started_ms_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  int64_t last_progress_ms_ = 0;
  int64_t rows_copied_at_start_ = 0;
};

}  // namespace ordo

namespace ordo {

// The engine with an injected change stream (tests; NewMysqlEngine passes the binlog
// reader's). InvalidArgument for a bad DSN or a null host.
Result<std::unique_ptr<OperationEngine>> NewMysqlEngineWithStreams(const EngineSpec& spec,
                                                                   EngineHost* host,
                                                                   ChangeStreamFactory streams);

}  // namespace ordo

namespace ordo {

// Streams from the binlog reader for the spec's tables (only when built with
// ordo_binlog).
ChangeStreamFactory BinlogStreamFactory(const Dsn& dsn, const EngineSpec& spec);

}  // namespace ordo

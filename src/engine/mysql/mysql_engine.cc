// MysqlEngine: construction, checkpoints and progress, cutover, cancel.
#include "engine/mysql/mysql_engine.h"

#include <chrono>

#include "engine/mysql/checksum.h"
#include "engine/mysql/cutover.h"
#include "engine/mysql/position.h"

namespace ordo {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

MysqlEngine::MysqlEngine(EngineSpec spec, Dsn dsn, EngineHost* host, ChangeStreamFactory streams)
    : spec_(std::move(spec)), dsn_(std::move(dsn)), host_(host), streams_(std::move(streams)) {}

MysqlEngine::~MysqlEngine() {
  stop_ = true;
  if (loop_) (void)loop_->Stop();
}

bool MysqlEngine::StopRequested() { return stop_ || dead_ || host_->ShouldStop(); }

Status MysqlEngine::Die(Status why) {
  dead_ = true;
  stop_ = true;
  if (loop_) loop_->Abandon();
  return why;
}

Status MysqlEngine::Stopped() {
  stop_ = true;
  if (dead_) return FailedPrecondition("the engine stopped after a callback error");
  Status loop_error = loop_ ? loop_->Stop() : Status::Ok();
  phase_ = "stopped";
  ORDO_RETURN_IF_ERROR(Tick(true));
  if (!loop_error.ok()) return loop_error;
  return Cancelled("stopped at a safe point; checkpoint saved");
}

std::vector<TableCopyState> MysqlEngine::CopyStates() const {
  std::vector<TableCopyState> out = copy_states_;
  for (size_t i = 0; i < copiers_.size() && i < out.size(); ++i)
    if (copiers_[i]) out[i] = copiers_[i]->state();
  return out;
}

Status MysqlEngine::SaveCheckpoint() {
  ResumeState state;
  std::vector<TableCopyState> copies = CopyStates();
  for (size_t i = 0; i < plans_.size() && i < copies.size(); ++i)
    state.tables.push_back({plans_[i]->schema(), plans_[i]->table(), copies[i]});
  if (applier_) state.position = applier_->SafeResumePosition();
  state.swapped = swapped_;
  return host_->SaveResumeState(EncodeResumeState(state));
}

Status MysqlEngine::ReportProgress() {
  EngineProgress p;
  p.phase = phase_;
  p.resumed = resumed_;
  p.cutover_attempts = cutover_attempts_;
  if (applier_) {
    p.backlog_events = static_cast<int64_t>(applier_->pending_rows());
    // Best effort: a failed look-up leaves the figure at 0.
    auto conn = pool_->Acquire();
    if (conn.ok()) {
      auto end = CurrentBinlogPosition(**conn);
      BinlogPosition applied = applier_->applied_position();
      if (end.ok() && ComparePositions(*end, applied) > 0)
        p.backlog_bytes = end->file == applied.file
                              ? static_cast<int64_t>(end->offset - applied.offset)
                              : static_cast<int64_t>(end->offset);
    }
  }
  std::vector<TableCopyState> copies = CopyStates();
  int64_t copied = 0;
  for (size_t i = 0; i < plans_.size() && i < copies.size(); ++i) {
    ChangeProgress c;
    c.change_id = spec_.changes[i].change_id;
    c.state = phase_;
    c.rows_copied = copies[i].rows_copied;
    c.rows_total = std::max(plans_[i]->source.estimated_rows, c.rows_copied);
    c.percent = copies[i].done ? 100.0
                               : (c.rows_total > 0 ? 100.0 * c.rows_copied / c.rows_total : 0.0);
    copied += c.rows_copied;
    p.changes.push_back(std::move(c));
  }
  for (const auto& c : copiers_)
    if (c) p.rows_scanned_this_run += c->rows_scanned();
  int64_t elapsed = NowMs() - run_started_ms_;
  if (elapsed > 0 && run_started_ms_ > 0)
    p.rows_per_second = 1000.0 * static_cast<double>(copied - rows_copied_at_start_) / elapsed;
  if (p.rows_per_second > 0)
    for (auto& c : p.changes)
      if (c.percent < 100.0)
        c.eta_seconds = static_cast<int64_t>((c.rows_total - c.rows_copied) / p.rows_per_second);
  return host_->ReportProgress(p);
}

Status MysqlEngine::Tick(bool force) {
  if (dead_) return FailedPrecondition("the engine stopped after a callback error");
  int64_t now = NowMs();
  if (force || now - last_checkpoint_ms_ >= spec_.checkpoint_interval_ms) {
    last_checkpoint_ms_ = now;
    Status s = SaveCheckpoint();
    if (!s.ok()) return Die(s);
  }
  if (force || now - last_progress_ms_ >= spec_.progress_interval_ms) {
    last_progress_ms_ = now;
    Status s = ReportProgress();
    if (!s.ok()) return Die(s);
  }
  return Status::Ok();
}

Result<CutoverReport> MysqlEngine::Cutover() {
  if (dead_) return FailedPrecondition("the engine stopped after a callback error");
  CutoverReport report;
  if (swapped_) return report;
  if (!copied_ || !loop_ || !loop_->running())
    return FailedPrecondition("Cutover before Copy finished");
  phase_ = "verifying";
  ORDO_RETURN_IF_ERROR(Tick(true));
  VerifyOptions verify;
  verify.should_stop = [this] { return StopRequested(); };
  auto verified = VerifyTables(plan_ptrs_, pool_.get(), loop_.get(), verify);
  if (!verified.ok()) {
    if (verified.status().code() == StatusCode::kCancelled) return Stopped();
    phase_ = "in_sync";
    return verified.status();
  }
  report.rows_verified = verified->rows_compared;
  phase_ = "cutting_over";
  ORDO_RETURN_IF_ERROR(Tick(true));
  CutoverOptions options;
  options.lock_timeout_ms = spec_.cutover_lock_timeout_ms;
  options.max_attempts = spec_.cutover_max_attempts;
  options.backoff_ms = spec_.cutover_backoff_ms;
  options.should_stop = [this] { return StopRequested(); };
  auto result = RunCutover(plan_ptrs_, pool_.get(), loop_.get(), options);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kCancelled) return Stopped();
    phase_ = "in_sync";
    Status t = Tick(true);
    if (!t.ok()) return t;
    return result.status();
  }
  swapped_ = true;
  cutover_attempts_ = result->attempts;
  report.attempts = result->attempts;
  report.write_block_ms = result->write_block_ms;
  report.failed_attempt_block_ms = result->failed_block_ms;
  report.failed_attempt_reasons = result->failed_reasons;
  phase_ = "done";
  ORDO_RETURN_IF_ERROR(Tick(true));
  if (!spec_.keep_old_table) {
    ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    for (const TablePlan* p : plan_ptrs_)
      ORDO_RETURN_IF_ERROR(conn->Execute("DROP TABLE IF EXISTS " + QuoteTable(p->schema(), p->old_name)));
  }
  return report;
}

Status MysqlEngine::Cancel() {
  stop_ = true;
  if (loop_) loop_->Abandon();
  if (swapped_) return FailedPrecondition("the tables were already swapped; cancel cannot undo that");
  if (!pool_) pool_ = std::make_unique<MysqlPool>(dsn_, EngineConnectOptions(), 16);
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  for (const TableChange& change : spec_.changes) {
    std::string schema = change.schema_name.empty() ? dsn_.database : change.schema_name;
    std::string shadow = ShadowTableName(change.table_name);
    std::string check = shadow.substr(0, shadow.size() - 4) + "_chk";
    ORDO_RETURN_IF_ERROR(conn->Execute("DROP TABLE IF EXISTS " + QuoteTable(schema, shadow)));
    ORDO_RETURN_IF_ERROR(conn->Execute("DROP TABLE IF EXISTS " + QuoteTable(schema, check)));
    TablePlan names;
    names.source.schema_name = schema;
    names.source.table_name = change.table_name;
    names.old_name = OldTableName(change.table_name);
    ORDO_RETURN_IF_ERROR(DropSentries({&names}, *conn));
  }
  phase_ = "cancelled";
  return Status::Ok();
}

Result<std::unique_ptr<OperationEngine>> NewMysqlEngineWithStreams(const EngineSpec& spec,
                                                                   EngineHost* host,
                                                                   ChangeStreamFactory streams) {
  if (host == nullptr) return InvalidArgument("the engine needs a host");
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(spec.target_dsn));
  if (dsn.scheme != "mysql") return InvalidArgument("the target must be a mysql:// URL");
  return std::unique_ptr<OperationEngine>(new MysqlEngine(spec, std::move(dsn), host, std::move(streams)));
}

}  // namespace ordo

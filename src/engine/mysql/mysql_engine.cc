// MysqlEngine: construction, fencing, checkpoints and progress, cancel, volume.
#include "engine/mysql/mysql_engine.h"

#include <chrono>
#include <random>

#include "engine/mysql/position.h"
#include "engine/mysql/steady_ms.h"

namespace ordo::engine {

MysqlEngine::MysqlEngine(EngineSpec spec, db::Dsn dsn, EngineHost* host,
                         ChangeStreamFactory streams)
    : spec_(std::move(spec)),
      dsn_(std::move(dsn)),
      host_(host),
      streams_(std::move(streams)),
      pacing_(spec_) {
  if (spec_.fence_token.empty()) {
    // No lease token given: a random one, so that two instances still exclude each
    // other on the target (the newest wins).
    std::random_device rd;
    char token[40];
    std::snprintf(token, sizeof(token), "engine-%08x%08x%08x", rd(), rd(), rd());
    spec_.fence_token = token;
  }
}

MysqlEngine::~MysqlEngine() {
  stop_ = true;
  indexes_.Kill();
  pacing_.Stop();
  if (loop_) (void)loop_->Stop();
  reverse_.Stop();
}

bool MysqlEngine::StopRequested() { return stop_ || dead_ || host_->ShouldStop(); }

Status MysqlEngine::Die(Status why) {
  dead_ = true;
  stop_ = true;
  if (loop_) loop_->Abandon();
  reverse_.Abandon();
  return why;
}

Status MysqlEngine::Stopped() {
  stop_ = true;
  indexes_.Kill();  // the checkpoint below keeps the indexes still missing
  if (dead_) return Dead();
  Status loop_error = loop_ ? loop_->Stop() : Status::Ok();
  reverse_.Stop();
  phase_ = "stopped";
  ORDO_RETURN_IF_ERROR(Tick(true));
  if (!loop_error.ok()) return loop_error;
  return Cancelled("stopped at a safe point; checkpoint saved");
}

Status MysqlEngine::TakeFence() {
  if (dead_) return Dead();
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  if (fence_taken_) return fence_->CheckNow(*conn);
  ORDO_RETURN_IF_ERROR(fence_->Advance(*conn));
  // The fence is ours on the target; a fenced store write now proves that the lease
  // is still ours too. A driver displaced before this point fails here and writes
  // nothing; one displaced after it finds the fence moved at its next write.
  ORDO_RETURN_IF_ERROR(ProveLease());
  fence_taken_ = true;
  return Status::Ok();
}

Status MysqlEngine::ProveLease() {
  Status proved = ReportProgress();
  if (!proved.ok()) return Die(proved);
  return Status::Ok();
}

std::vector<TableCopyState> MysqlEngine::CopyStates() const {
  std::vector<TableCopyState> out = copy_states_;
  MutexLock lock(&copiers_mu_);
  for (size_t i = 0; i < copiers_.size() && i < out.size(); ++i)
    if (copiers_[i]) out[i] = copiers_[i]->state();
  return out;
}

Status MysqlEngine::SaveCheckpoint() {
  ResumeState state;
  std::vector<TableCopyState> copies = CopyStates();
  for (size_t i = 0; i < plans_.size() && i < copies.size(); ++i)
    state.tables.push_back(
        {plans_[i]->schema(), plans_[i]->table(), copies[i], indexes_.Missing(i)});
  if (applier_)
    state.position = applier_->SafeResumePosition();
  else if (saved_)
    state.position = saved_->position;
  state.stage = stage_;
  state.reverse_position = reverse_.ResumePosition();
  state.revert_error = reverse_.error();
  state.instant = instant_;
  state.instant_definition = instant_definition_;
  state.ready = ready_;
  return host_->SaveResumeState(EncodeResumeState(state));
}

std::string MysqlEngine::RevertUnavailable() const {
  if (stage_ != EngineStage::kSwapped) return "";
  if (instant_)
    return "the change was applied with ALGORITHM=INSTANT; instant changes are not revertible";
  if (!reverse_.error().empty()) return reverse_.error();
  return reverse_.waiting();
}

Status MysqlEngine::ReportProgress() {
  EngineProgress p;
  p.phase = phase_;
  p.resumed = resumed_;
  p.instant = instant_;
  p.cutover_attempts = cutover_attempts_;
  p.revert_unavailable = RevertUnavailable();
  {
    MutexLock lock(&notices_mu_);
    p.notices = notices_;
  }
  p.volume = pacing_.volume();
  p.throttle_reason = pacing_.ThrottleReason(phase_);
  Applier* applier = reverse_.applier() ? reverse_.applier() : applier_.get();
  if (applier != nullptr && pool_) {
    p.backlog_events = static_cast<int64_t>(applier->pending_rows());
    // Best effort: a failed look-up leaves the figure at 0.
    auto conn = pool_->Acquire();
    if (conn.ok()) {
      auto backlog = BacklogSince(**conn, applier->applied_position());
      if (backlog.ok()) p.backlog_bytes = *backlog;
    }
  }
  std::vector<TableCopyState> copies = CopyStates();
  int64_t copied = 0;
  for (size_t i = 0; i < changes_.size() && i < spec_.changes.size(); ++i) {
    const Change& change = changes_[i];
    ChangeProgress c;
    c.change_id = spec_.changes[i].change_id;
    c.state = phase_;
    c.instant = instant_;
    if (change.plan >= 0 && static_cast<size_t>(change.plan) < plans_.size() &&
        static_cast<size_t>(change.plan) < copies.size()) {
      const TableCopyState& copy = copies[change.plan];
      c.rows_copied = copy.rows_copied;
      c.rows_total = std::max(plans_[change.plan]->source.estimated_rows, c.rows_copied);
      c.percent =
          copy.done ? 100.0 : (c.rows_total > 0 ? 100.0 * c.rows_copied / c.rows_total : 0.0);
    } else {
      c.percent = copied_ || stage_ != EngineStage::kCopy ? 100.0 : 0.0;
    }
    copied += c.rows_copied;
    p.changes.push_back(std::move(c));
  }
  {
    MutexLock lock(&copiers_mu_);
    for (const auto& c : copiers_)
      if (c) p.rows_scanned_this_run += c->rows_scanned();
  }
  int64_t elapsed = SteadyNowMs() - run_started_ms_;
  if (elapsed > 0 && run_started_ms_ > 0)
    p.rows_per_second = 1000.0 * static_cast<double>(copied - rows_copied_at_start_) / elapsed;
  if (p.rows_per_second > 0)
    for (auto& c : p.changes)
      if (c.percent < 100.0)
        c.eta_seconds = static_cast<int64_t>((c.rows_total - c.rows_copied) / p.rows_per_second);
  return host_->ReportProgress(p);
}

Status MysqlEngine::Tick(bool force) {
  if (dead_) return Dead();
  int64_t now = SteadyNowMs();
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

Status MysqlEngine::SetVolume(const EngineVolume& volume) {
  if (volume.copy_threads < 1 || volume.copy_threads > 64)
    return InvalidArgument("copy_threads must be within 1..64, not " +
                           std::to_string(volume.copy_threads));
  if (volume.chunk_target_ms < 10 || volume.chunk_target_ms > 60000)
    return InvalidArgument("chunk_target_ms must be within 10..60000, not " +
                           std::to_string(volume.chunk_target_ms));
  pacing_.SetVolume(volume);
  MutexLock lock(&copiers_mu_);
  for (const auto& c : copiers_)
    if (c) c->SetVolume(volume.copy_threads, volume.chunk_target_ms);
  return Status::Ok();
}

Status MysqlEngine::Cancel() {
  stop_ = true;
  indexes_.Kill();  // its statement would hold the shadow's drop off
  pacing_.Stop();
  if (loop_) loop_->Abandon();
  reverse_.Abandon();
  ORDO_RETURN_IF_ERROR(Prepare());
  if (stage_ != EngineStage::kCopy || (saved_ && saved_->stage != EngineStage::kCopy))
    return FailedPrecondition("the tables were already swapped; cancel cannot undo that");
  if (dead_) return Dead();
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  // Only the tables this operation owns: an engine refused at preflight (another
  // apply's tables, or nobody's) leaves everything as it found it.
  std::vector<bool> owned(changes_.size(), false);
  bool any = false;
  for (size_t i = 0; i < changes_.size(); ++i) {
    ORDO_ASSIGN_OR_RETURN(bool ours, ownership_->Owns(*conn, i));
    owned[i] = ours;
    any = any || ours;
  }
  if (!any) {
    phase_ = "cancelled";
    return Status::Ok();
  }
  // Cancel writes (drops ordo's tables): only the fence's holder may.
  ORDO_RETURN_IF_ERROR(TakeFence());
  std::vector<SwapTable> sentries = ForwardSwaps();
  for (size_t i = changes_.size(); i-- > 0;) {
    if (!owned[i]) {
      sentries.erase(sentries.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    const Change& change = changes_[i];
    std::string check = CheckTableName(change.table);
    ORDO_RETURN_IF_ERROR(
        conn->Execute("DROP TABLE IF EXISTS " + db::QuoteTable(change.schema, check)));
    if (change.kind != ChangeKind::kDrop)
      ORDO_RETURN_IF_ERROR(conn->Execute("DROP TABLE IF EXISTS " +
                                         db::QuoteTable(change.schema, change.shadow_name)));
  }
  ORDO_RETURN_IF_ERROR(DropSentries(sentries, *conn));
  ORDO_RETURN_IF_ERROR(ReleaseTarget(*conn));
  phase_ = "cancelled";
  return Status::Ok();
}

Status MysqlEngine::ReleaseTarget(db::MysqlConnection& conn) {
  // DDL cannot share the fence check's transaction: checked just before.
  ORDO_RETURN_IF_ERROR(fence_->CheckNow(conn));
  return ownership_->Release(conn);
}

Result<std::unique_ptr<OperationEngine>> NewMysqlEngineWithStreams(const EngineSpec& spec,
                                                                   EngineHost* host,
                                                                   ChangeStreamFactory streams) {
  if (host == nullptr) return InvalidArgument("the engine needs a host");
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(spec.target_dsn));
  if (dsn.scheme != "mysql") return InvalidArgument("the target must be a mysql:// URL");
  return std::unique_ptr<OperationEngine>(
      new MysqlEngine(spec, std::move(dsn), host, std::move(streams)));
}

}  // namespace ordo::engine

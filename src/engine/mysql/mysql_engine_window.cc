// MysqlEngine: the revert window. After the swap the old tables (`<t>_ordo_old`) are
// kept in sync with the new ones by a second applier reading the binlog from the
// swap's position, with the roles reversed (new table → old table, columns mapped
// back, renames inverted). Revert swaps back with the cutover's machinery; finishing
// drops (or keeps) the old tables.
#include <chrono>
#include <thread>

#include "engine/mysql/checksum.h"
#include "engine/mysql/mysql_engine.h"

namespace ordo {
namespace {

constexpr std::chrono::milliseconds kTick(50);

}  // namespace

bool MysqlEngine::HasReverse() const {
  if (instant_) return false;
  for (const Change& c : changes_)
    if (c.kind == ChangeKind::kAlter) return true;
  return false;
}

Status MysqlEngine::LoadReversePlans(MysqlConnection& conn) {
  reverse_plans_.clear();
  reverse_ptrs_.clear();
  for (const Change& c : changes_) {
    if (c.kind != ChangeKind::kAlter) continue;
    std::string where = QuoteTable(c.schema, c.table);
    ORDO_ASSIGN_OR_RETURN(TableInfo now, LoadTableInfo(conn, c.schema, c.table));
    auto old = LoadTableInfo(conn, c.schema, c.old_name);
    if (!old.ok()) {
      if (old.status().Is(StatusCode::kNotFound))
        return FailedPrecondition(where + ": the old table " + QuoteTable(c.schema, c.old_name) +
                                  " is gone");
      return old.status();
    }
    // The reverse mapping: the change's renames inverted.
    AlterStatement back;
    for (const auto& [from, to] : c.alter.renamed_columns) back.renamed_columns[to] = from;
    auto plan = BuildTablePlan(std::move(now), std::move(*old), back);
    if (!plan.ok())
      return FailedPrecondition(
          where + ": the old table cannot be kept in sync: " + plan.status().message());
    // Reverse roles: the applier writes the old table; a revert's sentry (and the
    // new table's name once swapped back) is the shadow name.
    plan->shadow_name = c.old_name;
    plan->old_name = c.shadow_name;
    reverse_ptrs_.push_back(nullptr);
    reverse_plans_.push_back(std::make_unique<TablePlan>(std::move(*plan)));
    reverse_ptrs_.back() = reverse_plans_.back().get();
  }
  return Status::Ok();
}

Status MysqlEngine::EnsureReverseSync() {
  if (instant_ || reverse_loop_ || !revert_error_.empty() || !HasReverse()) return Status::Ok();
  ORDO_RETURN_IF_ERROR(TakeFence());
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  Status loaded = LoadReversePlans(*conn);
  if (!loaded.ok()) {
    if (loaded.retryable()) {
      reverse_waiting_ = "the reverse sync is not running yet: " + loaded.message();
      return Status::Ok();
    }
    revert_error_ = "revert unavailable: " + loaded.message();
    return Tick(true);
  }
  if (reverse_position_.empty()) {
    revert_error_ = "revert unavailable: the binlog position of the swap is unknown";
    return Tick(true);
  }
  auto applier = std::make_unique<Applier>(reverse_ptrs_);
  applier->SetFence([this](MysqlConnection& c) { return fence_->Check(c); });
  auto loop =
      std::make_unique<SyncLoop>(streams_, applier.get(), pool_.get(), spec_.apply_sessions);
  applier->Start(reverse_position_);
  Status started = loop->Start(reverse_position_);
  if (!started.ok()) {
    if (started.retryable()) {
      reverse_waiting_ = "the reverse sync is not running yet: " + started.message();
      return Status::Ok();
    }
    revert_error_ = "revert unavailable: the reverse sync cannot start: " + started.message();
    return Tick(true);
  }
  reverse_waiting_.clear();
  reverse_applier_ = std::move(applier);
  reverse_loop_ = std::move(loop);
  return Status::Ok();
}

Status MysqlEngine::PollReverseSync() {
  if (!reverse_loop_) return EnsureReverseSync();
  Status error = reverse_loop_->error();
  if (error.ok()) return Status::Ok();
  // The fence moved: another engine holds the operation.
  if (error.Is(StatusCode::kLeaseLost)) return Die(error);
  // Resume later from where it stopped (a transient failure), or never (a row the old
  // table cannot hold: the revert would lose it).
  reverse_position_ = reverse_applier_->SafeResumePosition();
  reverse_loop_->Abandon();
  reverse_loop_.reset();
  reverse_applier_.reset();
  if (error.retryable()) {
    reverse_waiting_ = "the reverse sync stopped and will restart: " + error.message();
    return Status::Ok();
  }
  revert_error_ = "revert unavailable: the reverse sync stopped: " + error.message();
  return Tick(true);
}

Status MysqlEngine::KeepOldInSync(const std::function<bool()>& done) {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  if (stage_ != EngineStage::kSwapped)
    return FailedPrecondition("no revert window: the operation is " +
                              std::string(ToString(stage_)));
  phase_ = "revert_window";
  ORDO_RETURN_IF_ERROR(EnsureReverseSync());
  ORDO_RETURN_IF_ERROR(Tick(true));
  while (!done()) {
    ORDO_RETURN_IF_ERROR(PollReverseSync());
    ORDO_RETURN_IF_ERROR(Tick(false));
    if (StopRequested()) return Stopped();
    std::this_thread::sleep_for(kTick);
  }
  return Tick(true);
}

Status MysqlEngine::CanRevert() {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  std::string where = QuoteTable(changes_[0].schema, changes_[0].table);
  if (instant_)
    return FailedPrecondition(
        where +
        ": the change was applied with ALGORITHM=INSTANT; instant changes are not revertible");
  switch (stage_) {
    case EngineStage::kCopy:
      return FailedPrecondition(where + ": nothing was swapped yet");
    case EngineStage::kFinished:
      return FailedPrecondition(where + ": the revert window is over");
    case EngineStage::kReverted:
      return Status::Ok();  // Revert() answers at once
    case EngineStage::kSwapped:
      break;
  }
  if (!spec_.revert_window)
    return FailedPrecondition(where + ": the operation has no revert window");
  if (!revert_error_.empty()) return FailedPrecondition(where + ": " + revert_error_);
  return Status::Ok();
}

Result<CutoverReport> MysqlEngine::Revert() {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  CutoverReport report;
  if (stage_ == EngineStage::kReverted) return report;  // before a crash (Preflight finished it)
  ORDO_RETURN_IF_ERROR(CanRevert());
  phase_ = "reverting";
  ORDO_RETURN_IF_ERROR(EnsureReverseSync());
  if (!revert_error_.empty()) return FailedPrecondition(revert_error_);
  if (HasReverse() && !reverse_loop_)
    return Unavailable("revert: the reverse sync is not running: " + reverse_waiting_);
  ORDO_RETURN_IF_ERROR(Tick(true));
  if (HasReverse()) {
    // The same check as before the cutover, the other way round: no revert to a table
    // that lacks a write of the window.
    VerifyOptions verify;
    verify.should_stop = [this] { return StopRequested(); };
    auto verified = VerifyTables(reverse_ptrs_, pool_.get(), reverse_loop_.get(), verify);
    if (!verified.ok()) {
      if (verified.status().code() == StatusCode::kCancelled) return Stopped();
      phase_ = "revert_window";
      if (verified.status().Is(StatusCode::kDataLoss)) {
        revert_error_ = "revert unavailable: " + verified.status().message();
        ORDO_RETURN_IF_ERROR(Tick(true));
      }
      return verified.status();
    }
    report.rows_verified = verified->rows_compared;
  }
  auto result =
      RunCutover(RevertSwaps(), pool_.get(), reverse_loop_.get(), *fence_, "revert", SwapOptions());
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kCancelled) return Stopped();
    phase_ = "revert_window";
    Status t = Tick(true);
    if (!t.ok()) return t;
    return result.status();
  }
  stage_ = EngineStage::kReverted;
  report.attempts = result->attempts;
  report.write_block_ms = result->write_block_ms;
  report.failed_attempt_block_ms = result->failed_block_ms;
  report.failed_attempt_reasons = result->failed_reasons;
  report.killed_sessions = result->killed;
  reverse_loop_.reset();
  reverse_applier_.reset();
  phase_ = "reverted";
  ORDO_RETURN_IF_ERROR(Tick(true));
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ORDO_RETURN_IF_ERROR(FinishReverted(*conn));
  return report;
}

Status MysqlEngine::FinishReverted(MysqlConnection& conn) {
  // The new versions now sit under the shadow names: dropped (or kept). Idempotent:
  // an engine recovering a revert that crashed before the end runs it again.
  for (const Change& c : changes_)
    if (c.kind != ChangeKind::kDrop) ORDO_RETURN_IF_ERROR(Dispose(conn, c, c.shadow_name));
  return ReleaseTarget(conn);
}

Status MysqlEngine::Dispose(MysqlConnection& conn, const Change& change, const std::string& name) {
  ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, change.schema, name));
  if (!exists) return Status::Ok();
  ORDO_ASSIGN_OR_RETURN(bool sentry, IsSentry(conn, change.schema, name));
  if (spec_.keep_old_table && !sentry) {
    ORDO_ASSIGN_OR_RETURN(SqlRows now,
                          conn.Query("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y%m%d%H%i%s')"));
    const std::string stamp = now.rows[0][0].value_or("0");
    // Two swaps of one table within a second: the second backup takes `_2`, `_3`, …
    for (int n = 1; n <= 100; ++n) {
      std::string kept =
          BackupTableName(change.table, n == 1 ? stamp : stamp + "_" + std::to_string(n));
      ORDO_ASSIGN_OR_RETURN(bool taken, TableExists(conn, change.schema, kept));
      if (taken) continue;
      return conn.Execute("RENAME TABLE " + QuoteTable(change.schema, name) + " TO " +
                          QuoteTable(change.schema, kept));
    }
    return AlreadyExists(QuoteTable(change.schema, BackupTableName(change.table, stamp)) +
                         " and 99 more backups of this second exist; the old table stays as " +
                         name);
  }
  return conn.Execute("DROP TABLE IF EXISTS " + QuoteTable(change.schema, name));
}

Status MysqlEngine::FinishOld() {
  if (reverse_loop_) reverse_loop_->Abandon();
  reverse_loop_.reset();
  reverse_applier_.reset();
  ORDO_RETURN_IF_ERROR(TakeFence());
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  for (const Change& c : changes_)
    if (c.kind != ChangeKind::kCreate && !instant_)
      ORDO_RETURN_IF_ERROR(Dispose(*conn, c, c.old_name));
  ORDO_RETURN_IF_ERROR(ReleaseTarget(*conn));
  stage_ = EngineStage::kFinished;
  phase_ = "done";
  return Tick(true);
}

Status MysqlEngine::FinishSwap() {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  // Reverted or finished before a crash: Preflight removed what was left.
  if (stage_ == EngineStage::kReverted || stage_ == EngineStage::kFinished) return Status::Ok();
  if (stage_ == EngineStage::kCopy)
    return FailedPrecondition("nothing to finish: nothing was swapped");
  return FinishOld();
}

}  // namespace ordo

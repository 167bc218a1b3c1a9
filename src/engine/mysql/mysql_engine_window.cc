// MysqlEngine: the revert window. After the swap the old tables (`<t>_ordo_old`) are
// kept in sync with the new ones by the reverse sync (reverse_sync.h), which the
// engine starts, polls and restarts here. Revert swaps back with the cutover's
// machinery; finishing drops (or keeps) the old tables.
#include <chrono>
#include <thread>

#include "engine/mysql/checksum.h"
#include "engine/mysql/mysql_engine.h"

namespace ordo::engine {
namespace {

constexpr std::chrono::milliseconds kTick(50);

}  // namespace

bool MysqlEngine::HasReverse() const {
  if (instant_) return false;
  for (const Change& c : changes_)
    if (c.kind == ChangeKind::kAlter) return true;
  return false;
}

std::vector<ReverseTable> MysqlEngine::ReverseTables() const {
  std::vector<ReverseTable> out;
  for (const Change& c : changes_)
    if (c.kind == ChangeKind::kAlter)
      out.push_back({c.schema, c.table, c.shadow_name, c.old_name, &c.alter});
  return out;
}

Status MysqlEngine::EnsureReverseSync() {
  if (instant_ || reverse_.running() || !reverse_.error().empty() || !HasReverse())
    return Status::Ok();
  ORDO_RETURN_IF_ERROR(TakeFence());
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  if (reverse_.Start(*conn, ReverseTables(), streams_, pool_.get(), spec_.apply_sessions,
                     fence_.get()))
    return Tick(true);  // a revert became impossible: the checkpoint keeps why
  return Status::Ok();
}

Status MysqlEngine::PollReverseSync() {
  if (!reverse_.running()) return EnsureReverseSync();
  Status error = reverse_.loop_error();
  if (error.ok()) return Status::Ok();
  // The fence moved: another engine holds the operation.
  if (error.Is(StatusCode::kLeaseLost)) return Die(error);
  if (reverse_.Halt(error)) return Tick(true);
  return Status::Ok();
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
  std::string where = db::QuoteTable(changes_[0].schema, changes_[0].table);
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
  if (!reverse_.error().empty()) return FailedPrecondition(where + ": " + reverse_.error());
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
  if (!reverse_.error().empty()) return FailedPrecondition(reverse_.error());
  if (HasReverse() && !reverse_.running())
    return Unavailable("revert: the reverse sync is not running: " + reverse_.waiting());
  ORDO_RETURN_IF_ERROR(Tick(true));
  if (HasReverse()) {
    // The same check as before the cutover, the other way round: no revert to a table
    // that lacks a write of the window.
    VerifyOptions verify;
    verify.should_stop = [this] { return StopRequested(); };
    auto verified = VerifyTables(reverse_.plans(), pool_.get(), reverse_.loop(), verify);
    if (!verified.ok()) {
      if (verified.status().code() == StatusCode::kCancelled) return Stopped();
      phase_ = "revert_window";
      if (verified.status().Is(StatusCode::kDataLoss)) {
        reverse_.MarkUnavailable("revert unavailable: " + verified.status().message());
        ORDO_RETURN_IF_ERROR(Tick(true));
      }
      return verified.status();
    }
    report.rows_verified = verified->rows_compared;
  }
  auto result =
      RunCutover(RevertSwaps(), pool_.get(), reverse_.loop(), *fence_, "revert", SwapOptions());
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
  reverse_.Close();
  phase_ = "reverted";
  ORDO_RETURN_IF_ERROR(Tick(true));
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ORDO_RETURN_IF_ERROR(FinishReverted(*conn));
  return report;
}

Status MysqlEngine::FinishReverted(db::MysqlConnection& conn) {
  // The new versions now sit under the shadow names: dropped (or kept). Idempotent:
  // an engine recovering a revert that crashed before the end runs it again.
  for (const Change& c : changes_)
    if (c.kind != ChangeKind::kDrop) ORDO_RETURN_IF_ERROR(Dispose(conn, c, c.shadow_name));
  return ReleaseTarget(conn);
}

Status MysqlEngine::Dispose(db::MysqlConnection& conn, const Change& change,
                            const std::string& name) {
  ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, change.schema, name));
  if (!exists) return Status::Ok();
  ORDO_ASSIGN_OR_RETURN(bool sentry, IsSentry(conn, change.schema, name));
  if (spec_.keep_old_table && !sentry) {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows now,
                          conn.Query("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y%m%d%H%i%s')"));
    const std::string stamp = now.rows[0][0].value_or("0");
    // Two swaps of one table within a second: the second backup takes `_2`, `_3`, …
    for (int n = 1; n <= 100; ++n) {
      std::string kept =
          BackupTableName(change.table, n == 1 ? stamp : stamp + "_" + std::to_string(n));
      ORDO_ASSIGN_OR_RETURN(bool taken, TableExists(conn, change.schema, kept));
      if (taken) continue;
      return conn.Execute("RENAME TABLE " + db::QuoteTable(change.schema, name) + " TO " +
                          db::QuoteTable(change.schema, kept));
    }
    return AlreadyExists(db::QuoteTable(change.schema, BackupTableName(change.table, stamp)) +
                         " and 99 more backups of this second exist; the old table stays as " +
                         name);
  }
  return conn.Execute("DROP TABLE IF EXISTS " + db::QuoteTable(change.schema, name));
}

Status MysqlEngine::FinishOld() {
  reverse_.Abandon();
  reverse_.Close();
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

}  // namespace ordo::engine

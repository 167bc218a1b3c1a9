// MysqlEngine: the cutover — verification and the atomic swap of every table, or the
// instant ALTER — and what follows it without a revert window.
#include <chrono>
#include <cstdio>
#include <thread>
#include <utility>

#include "engine/mysql/checksum.h"
#include "engine/mysql/instant.h"
#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/steady_ms.h"

namespace ordo::engine {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0).count();
}

// How long the verification lets the index build wait for its final metadata lock
// (and the sync loop's writes to that shadow behind it) before stepping aside. Well
// under the sessions' lock_wait_timeout (120 s), so the loop's writes never time out.
constexpr std::chrono::milliseconds kYieldToBuild(20000);
// Ready once a catch-up took less than this (what arrived meanwhile takes about as
// long again: the turn's own catch-up), or after this many catch-ups (a stream that
// never gets that close).
constexpr std::chrono::milliseconds kReadyCatchUp(100);
constexpr int kReadyCatchUpRounds = 20;

}  // namespace

std::vector<SwapTable> MysqlEngine::ForwardSwaps() const {
  std::vector<SwapTable> out;
  for (const Change& c : changes_) {
    SwapTable t{c.schema, c.table, "", "", -1};
    switch (c.kind) {
      case ChangeKind::kAlter:
        t.away = c.old_name;
        t.incoming = c.shadow_name;
        t.applier_index = c.plan;
        break;
      case ChangeKind::kCreate:
        t.incoming = c.shadow_name;
        break;
      case ChangeKind::kDrop:
        t.away = c.old_name;
        break;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<SwapTable> MysqlEngine::RevertSwaps() const {
  // Each table's new version goes to its shadow name, the old one comes back: the
  // forward swap the other way round.
  std::vector<SwapTable> out = ForwardSwaps();
  for (SwapTable& t : out) std::swap(t.away, t.incoming);
  return out;
}

CutoverOptions MysqlEngine::SwapOptions() {
  CutoverOptions options;
  options.lock_timeout_ms = spec_.cutover_lock_timeout_ms;
  options.max_attempts = spec_.cutover_max_attempts;
  options.backoff_ms = spec_.cutover_backoff_ms;
  options.force_after_ms = spec_.cutover_force_after_ms;
  options.should_stop = [this] { return StopRequested(); };
  // Said while the swap still tries (the worker's log, `ordo logs`): e.g. which
  // sessions keep the tables busy.
  options.gave_up = [this](const std::string& why) {
    {
      MutexLock lock(&notices_mu_);
      notices_.push_back(why);
    }
    (void)ReportProgress();
  };
  return options;
}

bool MysqlEngine::BuildAfterVerification() const {
  return pacing_.writes_seen() && spec_.verify_rest_under_writes > 0;
}

Result<CutoverReport> MysqlEngine::RunInstant() {
  CutoverReport report;
  report.instant = true;
  const Change& c = changes_[0];
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  // The ALTER waits for the table's metadata lock, and application writes queue
  // behind it meanwhile: max_statement_time bounds that wait like the swap's budget.
  std::string ddl = InstantAlter(db::QuoteTable(c.schema, c.table), c.alter.spec);
  int64_t backoff = spec_.cutover_backoff_ms;
  for (int attempt = 1; attempt <= spec_.cutover_max_attempts; ++attempt) {
    if (StopRequested()) return Stopped();
    report.attempts = attempt;
    cutover_attempts_ = attempt;
    // DDL cannot share a transaction with the fence check; the window between them is
    // a few milliseconds, and the lease's staleness window covers it.
    ORDO_RETURN_IF_ERROR(fence_->CheckNow(*conn));
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.3f", spec_.cutover_lock_timeout_ms / 1000.0);
    auto t0 = SteadyClock::now();
    Status s =
        conn->Execute(std::string("SET STATEMENT max_statement_time=") + seconds + " FOR " + ddl);
    int64_t blocked = MsSince(t0);
    if (s.ok()) {
      report.write_block_ms = blocked;
      break;
    }
    if (s.message().find("error 1846") != std::string::npos ||
        s.message().find("error 1845") != std::string::npos)
      return FailedPrecondition(db::QuoteTable(c.schema, c.table) +
                                ": preflight found the change instant on an empty copy, but the "
                                "server refused ALGORITHM=INSTANT on the table now; nothing was "
                                "changed: " +
                                s.message());
    if (!s.retryable()) return s;
    report.failed_attempt_block_ms.push_back(blocked);
    report.failed_attempt_reasons.push_back(s.message());
    if (attempt == spec_.cutover_max_attempts)
      return Timeout("the instant ALTER gave up after " + std::to_string(attempt) +
                     " attempts; nothing was changed; last: " + s.message());
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
    backoff = std::min(backoff * 2, spec_.cutover_backoff_ms * 8);
  }
  stage_ = EngineStage::kSwapped;
  phase_ = spec_.revert_window ? "revert_window" : "done";
  if (!spec_.revert_window) {
    stage_ = EngineStage::kFinished;
    ORDO_RETURN_IF_ERROR(ReleaseTarget(*conn));
  }
  ORDO_RETURN_IF_ERROR(Tick(true));
  return report;
}

Result<VerifyReport> MysqlEngine::VerifyBesideIndexBuild() {
  // While the application writes and the duty cycle is on, the verification (resting
  // between its chunks) runs first and the build (one statement, which cannot rest)
  // after it, just before the swap: once the shadow has the new index the change
  // stream costs more to apply, and on a busy server it then falls behind (an ADD
  // INDEX under 4-thread load: 13 MB of backlog over a 12 s verification after the
  // build, which the cutover spent 10 s catching up). A build already under way
  // (started before the writes showed) finishes first. Side by side, neither could
  // leave the server to the application.
  const bool build_after = BuildAfterVerification();
  if (build_after)
    ORDO_RETURN_IF_ERROR(FinishIndexBuild(/*wait=*/true));
  else
    StartIndexBuild();
  while (true) {
    ORDO_RETURN_IF_ERROR(AwaitIndexBuildOnline());
    phase_ = "verifying";
    ORDO_RETURN_IF_ERROR(Tick(true));
    // The build's final metadata lock waits for the verification's snapshot to end, and
    // the sync loop's writes to that shadow queue behind it; past kYieldToBuild the
    // verification steps aside, lets the build finish and starts again.
    bool yielded = false;
    const SteadyClock::time_point t0 = SteadyClock::now();
    int64_t waiting_since = -1;
    int64_t last_probe = -1;
    VerifyOptions verify;
    evidence_.Fill(verify, *applier_);
    verify.should_stop = [&] {
      if (StopRequested()) return true;
      if (!indexes_.Running()) return false;
      int64_t now = MsSince(t0);
      if (last_probe >= 0 && now - last_probe < 1000) return false;
      last_probe = now;
      if (!indexes_.WaitsForLock()) {
        waiting_since = -1;
        return false;
      }
      if (waiting_since < 0) waiting_since = now;
      yielded = now - waiting_since >= kYieldToBuild.count();
      return yielded;
    };
    verify.rest_ms = [this](int64_t chunk_ms) {
      pacing_.SampleWrites(*applier_);
      return indexes_.Running() ? 0
                                : pacing_.RestUnderWrites(chunk_ms, spec_.verify_rest_under_writes);
    };
    auto verified = VerifyTables(plan_ptrs_, pool_.get(), loop_.get(), verify);
    if (!yielded) {
      if (verified.ok() && build_after) StartIndexBuild();  // Cutover() waits for it
      return verified;
    }
    ORDO_RETURN_IF_ERROR(FinishIndexBuild(/*wait=*/true));
  }
}

Status MysqlEngine::MakeReady() {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  if (stage_ != EngineStage::kCopy || instant_ || !HasAlters()) return Status::Ok();
  if (!copied_ || !loop_ || !loop_->running())
    return FailedPrecondition("MakeReady before Copy finished");
  if (ready_) return Status::Ok();
  auto verified = VerifyBesideIndexBuild();
  Status s = verified.ok() ? FinishIndexBuild(/*wait=*/true) : verified.status();
  if (!s.ok()) {
    if (s.code() == StatusCode::kCancelled) return Stopped();
    phase_ = "in_sync";
    return s;
  }
  evidence_.set_rows_verified(verified->rows_compared);
  // The build (after the verification, under writes) slowed the change stream: caught
  // up again — until a catch-up takes less than kReadyCatchUp, so that what arrived
  // meanwhile is little — the turn holds only the last few events and the swap.
  for (int round = 0; round < kReadyCatchUpRounds; ++round) {
    const int64_t t0 = SteadyNowMs();
    ORDO_RETURN_IF_ERROR(CatchUp());
    if (SteadyNowMs() - t0 < kReadyCatchUp.count()) break;
  }
  ready_ = true;
  phase_ = "in_sync";
  return Tick(true);  // the checkpoint records it
}

Result<CutoverReport> MysqlEngine::Cutover() {
  ORDO_ASSIGN_OR_RETURN(CutoverReport report, Swap());
  if (!spec_.revert_window) ORDO_RETURN_IF_ERROR(FinishSwap());
  return report;
}

Result<CutoverReport> MysqlEngine::Swap() {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  CutoverReport report;
  report.instant = instant_;
  if (stage_ != EngineStage::kCopy) return report;  // swapped before (a crash, a retry)
  if (!copied_) return FailedPrecondition("Cutover before Copy finished");
  if (instant_) return RunInstant();
  if (HasAlters() && (!loop_ || !loop_->running()))
    return FailedPrecondition("Cutover before Copy finished");
  ORDO_RETURN_IF_ERROR(MakeReady());
  report.rows_verified = evidence_.rows_verified();
  phase_ = "cutting_over";
  ORDO_RETURN_IF_ERROR(Tick(true));
  auto result =
      RunCutover(ForwardSwaps(), pool_.get(), loop_.get(), *fence_, "cutover", SwapOptions());
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kCancelled) return Stopped();
    phase_ = "in_sync";
    Status t = Tick(true);
    if (!t.ok()) return t;
    return result.status();
  }
  stage_ = EngineStage::kSwapped;
  reverse_.set_position(result->position);
  cutover_attempts_ = result->attempts;
  report.attempts = result->attempts;
  report.write_block_ms = result->write_block_ms;
  report.failed_attempt_block_ms = result->failed_block_ms;
  report.failed_attempt_reasons = result->failed_reasons;
  report.killed_sessions = result->killed;
  // The forward capture is done (everything up to the swap was drained under the
  // locks); its stream must close before a reverse one opens with the same replica id.
  loop_.reset();
  applier_.reset();
  // Without a window the old tables wait for FinishSwap(), outside the turn; the
  // checkpoint says the swap happened, so whoever finishes knows it.
  phase_ = spec_.revert_window ? "revert_window" : "swapped";
  ORDO_RETURN_IF_ERROR(Tick(true));
  return report;
}

}  // namespace ordo::engine

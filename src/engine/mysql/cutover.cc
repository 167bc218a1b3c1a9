#include "engine/mysql/cutover.h"

#include <atomic>
#include <cstdio>
#include <thread>

#include "engine/mysql/position.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

constexpr const char* kSentryComment = "ordo cutover sentry";
using SteadyClock = std::chrono::steady_clock;

int64_t MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0).count();
}

Result<std::optional<std::string>> TableComment(MysqlConnection& conn, const std::string& schema,
                                                const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT TABLE_COMMENT FROM information_schema.TABLES "
                                                 "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                                 {SqlValue::Text(schema), SqlValue::Text(table)}));
  if (rows.rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.rows[0][0].value_or(""));
}

Status CreateSentries(const std::vector<const TablePlan*>& plans, MysqlConnection& conn) {
  ORDO_RETURN_IF_ERROR(DropSentries(plans, conn));
  for (const TablePlan* p : plans) {
    ORDO_ASSIGN_OR_RETURN(auto comment, TableComment(conn, p->schema(), p->old_name));
    if (comment)
      return FailedPrecondition(QuoteTable(p->schema(), p->old_name) +
                                " already exists and is not ordo's sentry; drop or rename it");
    ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + QuoteTable(p->schema(), p->old_name) +
                                      " (`ordo_sentry` INT) ENGINE=InnoDB COMMENT='" +
                                      kSentryComment + "'"));
  }
  return Status::Ok();
}

// Polls until session `id` waits for a metadata lock (its RENAME is queued).
Status WaitQueued(MysqlConnection& monitor, uint64_t id, SteadyClock::time_point deadline) {
  while (SteadyClock::now() < deadline) {
    ORDO_ASSIGN_OR_RETURN(SqlRows rows, monitor.Query("SELECT STATE FROM information_schema.PROCESSLIST "
                                                      "WHERE ID = ?",
                                                      {SqlValue::UInt(id)}));
    if (!rows.rows.empty() && rows.rows[0][0].value_or("").find("metadata lock") != std::string::npos)
      return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Timeout("the rename did not queue behind the table locks in time");
}

// One attempt. On any failure nothing is renamed, no lock is held and the sentries are
// gone; *block_ms is how long application writes were blocked.
Status Attempt(const std::vector<const TablePlan*>& plans, MysqlPool* pool, SyncLoop* loop,
               const CutoverOptions& options, int64_t* block_ms) {
  ORDO_ASSIGN_OR_RETURN(auto monitor, pool->Acquire());
  ORDO_ASSIGN_OR_RETURN(BinlogPosition now, CurrentBinlogPosition(*monitor));
  ORDO_RETURN_IF_ERROR(loop->WaitApplied(now, std::chrono::milliseconds(options.catch_up_timeout_ms)));
  ORDO_RETURN_IF_ERROR(CreateSentries(plans, *monitor));
  ORDO_ASSIGN_OR_RETURN(auto a, pool->Acquire());
  ORDO_ASSIGN_OR_RETURN(auto b, pool->Acquire());
  uint64_t b_id = b->thread_id();
  Status stopped = loop->Stop();
  if (!stopped.ok()) {
    (void)DropSentries(plans, *monitor);
    return stopped;
  }

  std::string locks, renames;
  for (const TablePlan* p : plans) {
    std::string t = QuoteTable(p->schema(), p->table());
    std::string old = QuoteTable(p->schema(), p->old_name);
    std::string shadow = QuoteTable(p->schema(), p->shadow_name);
    locks += (locks.empty() ? "" : ", ") + t + " WRITE, " + old + " WRITE, " + shadow + " WRITE";
    renames += (renames.empty() ? "" : ", ") + t + " TO " + old + ", " + shadow + " TO " + t;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.3f", options.lock_timeout_ms / 1000.0);
  auto t0 = SteadyClock::now();
  auto deadline = t0 + std::chrono::milliseconds(options.lock_timeout_ms);
  ORDO_SYNC_POINT("Cutover:BeforeLock");
  Status locked =
      a->Execute(std::string("SET STATEMENT max_statement_time=") + seconds + " FOR LOCK TABLES " + locks);
  if (!locked.ok()) {
    *block_ms = MsSince(t0);
    (void)DropSentries(plans, *monitor);
    Status restarted = loop->Start({});
    if (!restarted.ok()) return restarted;
    if (!locked.retryable()) return locked;
    return Timeout("cutover: could not lock the tables within " +
                   std::to_string(options.lock_timeout_ms) + " ms: " + locked.message());
  }

  Status renamed = Internal("rename not run");
  std::atomic<bool> rename_done{false};
  std::thread renamer([&] {
    renamed = b->Execute("RENAME TABLE " + renames);
    rename_done = true;
  });
  Status s = WaitQueued(*monitor, b_id, deadline);
  if (s.ok()) {
    auto under_lock = CurrentBinlogPosition(*a);
    s = under_lock.ok() ? loop->DrainTo(*a, *under_lock, deadline) : under_lock.status();
  }
  // Part 2 puts the target-side fence check here, on session A, before the sentries go.
  ORDO_SYNC_POINT("Cutover:BeforeDropSentry");
  if (s.ok() && SteadyClock::now() >= deadline)
    s = Timeout("cutover: the lock budget ran out before the swap");
  if (!s.ok()) {
    // Give up: stop the queued rename, then release. The sentries still exist, so the
    // rename cannot succeed even if it was not queued yet.
    if (!rename_done) (void)monitor->Execute("KILL QUERY " + std::to_string(b_id));
    (void)a->Execute("UNLOCK TABLES");
    renamer.join();
    *block_ms = MsSince(t0);
    (void)DropSentries(plans, *monitor);
    Status restarted = loop->Start({});
    if (!restarted.ok()) return restarted;
    return s.retryable() ? s : Status(s.code(), s.message(), s.code() == StatusCode::kTimeout);
  }
  for (const TablePlan* p : plans) {
    Status d = a->Execute("DROP TABLE " + QuoteTable(p->schema(), p->old_name));
    if (!d.ok()) s = d;
  }
  (void)a->Execute("UNLOCK TABLES");
  renamer.join();
  *block_ms = MsSince(t0);
  if (!s.ok() || !renamed.ok()) {
    // The rename failed as a whole (RENAME TABLE is atomic): nothing was swapped.
    (void)DropSentries(plans, *monitor);
    Status restarted = loop->Start({});
    if (!restarted.ok()) return restarted;
    Status why = s.ok() ? renamed : s;
    return Aborted("cutover: the rename failed, nothing was swapped: " + why.message());
  }
  return Status::Ok();
}

}  // namespace

Status DropSentries(const std::vector<const TablePlan*>& plans, MysqlConnection& conn) {
  for (const TablePlan* p : plans) {
    ORDO_ASSIGN_OR_RETURN(auto comment, TableComment(conn, p->schema(), p->old_name));
    if (comment && *comment == kSentryComment)
      ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + QuoteTable(p->schema(), p->old_name)));
  }
  return Status::Ok();
}

Result<CutoverResult> RunCutover(const std::vector<const TablePlan*>& plans, MysqlPool* pool,
                                 SyncLoop* loop, const CutoverOptions& options) {
  CutoverResult result;
  int64_t backoff = options.backoff_ms;
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    if (options.should_stop && options.should_stop()) return Cancelled("cutover stopped on request");
    result.attempts = attempt;
    int64_t block = 0;
    Status s = Attempt(plans, pool, loop, options, &block);
    if (s.ok()) {
      result.write_block_ms = block;
      return result;
    }
    if (!s.retryable()) return s;
    result.failed_block_ms.push_back(block);
    result.failed_reasons.push_back(s.message());
    if (attempt == options.max_attempts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
    backoff = std::min(backoff * 2, options.backoff_ms * 8);
  }
  return Timeout("cutover gave up after " + std::to_string(result.attempts) +
                 " attempts; nothing was swapped; last: " + result.failed_reasons.back());
}

}  // namespace ordo

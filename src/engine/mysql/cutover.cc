#include "engine/mysql/cutover.h"

#include <algorithm>
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

// True when another session holds `table`'s metadata lock exclusively (our no-wait
// read times out at once); false when the name is free (absent or readable).
Result<bool> HeldByOther(MysqlConnection& monitor, const std::string& schema,
                         const std::string& table) {
  Status s = monitor.Execute("SET STATEMENT lock_wait_timeout=0 FOR SELECT 1 FROM " +
                             QuoteTable(schema, table) + " LIMIT 0");
  if (s.ok() || s.code() == StatusCode::kNotFound) return false;
  if (s.code() == StatusCode::kAborted) return true;
  return s;
}

// Polls until the rename holds the lock on `prev` (the name just before the next
// table in lock order) and waits again: it is then queued on the next table.
Status WaitPast(MysqlConnection& monitor, uint64_t id, const std::string& schema,
                const std::string& prev, SteadyClock::time_point deadline) {
  while (SteadyClock::now() < deadline) {
    ORDO_ASSIGN_OR_RETURN(bool held, HeldByOther(monitor, schema, prev));
    if (held) return WaitQueued(monitor, id, deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Timeout("the rename did not move on to the next table in time");
}

// One attempt. On any failure nothing is renamed, no lock is held and the sentries are
// gone; *block_ms is how long application writes were blocked.
//
// Each table is locked by its own session A_i. The server takes the RENAME's locks
// one at a time in name order (each artefact sorts after its own table), and a write
// waiting on a table is only kept out by an exclusive request already queued on that
// same table. So the sessions unlock in that order, each only once the rename is
// queued on its table; a single session unlocking everything at once would let writes
// on the second and later tables into the old tables.
Status Attempt(const std::vector<const TablePlan*>& plans, MysqlPool* pool, SyncLoop* loop,
               const CutoverOptions& options, int64_t* block_ms) {
  ORDO_ASSIGN_OR_RETURN(auto monitor, pool->Acquire());
  ORDO_ASSIGN_OR_RETURN(BinlogPosition now, CurrentBinlogPosition(*monitor));
  ORDO_RETURN_IF_ERROR(loop->WaitApplied(now, std::chrono::milliseconds(options.catch_up_timeout_ms)));
  ORDO_RETURN_IF_ERROR(CreateSentries(plans, *monitor));
  std::vector<MysqlPool::Handle> sessions;
  for (size_t i = 0; i < plans.size(); ++i) {
    auto a = pool->Acquire();
    if (!a.ok()) {
      (void)DropSentries(plans, *monitor);
      return a.status();
    }
    sessions.push_back(std::move(*a));
  }
  ORDO_ASSIGN_OR_RETURN(auto b, pool->Acquire());
  uint64_t b_id = b->thread_id();
  std::vector<MysqlConnection*> conns;
  for (auto& h : sessions) conns.push_back(h.get());

  // Lock order = the server's metadata-lock order: (schema, name).
  std::vector<size_t> order(plans.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto key = [&](size_t i) { return std::make_pair(plans[i]->schema(), plans[i]->table()); };
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return key(x) < key(y); });
  std::vector<std::pair<std::string, std::string>> names;  // every name the rename locks
  std::string renames;
  for (const TablePlan* p : plans) {
    names.push_back({p->schema(), p->table()});
    names.push_back({p->schema(), p->old_name});
    names.push_back({p->schema(), p->shadow_name});
    std::string t = QuoteTable(p->schema(), p->table());
    renames += (renames.empty() ? "" : ", ") + t + " TO " + QuoteTable(p->schema(), p->old_name) +
               ", " + QuoteTable(p->schema(), p->shadow_name) + " TO " + t;
  }
  std::sort(names.begin(), names.end());

  Status stopped = loop->Stop();
  if (!stopped.ok()) {
    (void)DropSentries(plans, *monitor);
    return stopped;
  }
  auto t0 = SteadyClock::now();
  auto deadline = t0 + std::chrono::milliseconds(options.lock_timeout_ms);
  std::vector<bool> locked(plans.size(), false);
  std::thread renamer;
  std::atomic<bool> rename_done{false};
  Status renamed = Internal("rename not run");
  // Gives up: stops the queued rename, releases every lock, drops the sentries. While a
  // sentry exists the rename can only fail ("already exists").
  auto give_up = [&](Status why) {
    if (renamer.joinable() && !rename_done) (void)monitor->Execute("KILL QUERY " + std::to_string(b_id));
    for (size_t i = 0; i < plans.size(); ++i)
      if (locked[i]) (void)conns[i]->Execute("UNLOCK TABLES");
    if (renamer.joinable()) renamer.join();
    *block_ms = MsSince(t0);
    (void)DropSentries(plans, *monitor);
    Status restarted = loop->Start({});
    if (!restarted.ok()) return restarted;
    if (why.retryable()) return why;
    if (why.code() == StatusCode::kTimeout) return Status(why.code(), why.message(), true);
    return why;
  };

  ORDO_SYNC_POINT("Cutover:BeforeLock");
  for (size_t i : order) {
    const TablePlan* p = plans[i];
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return give_up(Timeout("cutover: the lock budget ran out while locking"));
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.3f", left.count() / 1000.0);
    Status s = conns[i]->Execute(std::string("SET STATEMENT max_statement_time=") + seconds +
                                 " FOR LOCK TABLES " + QuoteTable(p->schema(), p->table()) +
                                 " WRITE, " + QuoteTable(p->schema(), p->old_name) + " WRITE, " +
                                 QuoteTable(p->schema(), p->shadow_name) + " WRITE");
    if (!s.ok()) {
      if (!s.retryable()) return give_up(s);
      return give_up(Timeout("cutover: could not lock the tables within " +
                             std::to_string(options.lock_timeout_ms) + " ms: " + s.message()));
    }
    locked[i] = true;
  }

  renamer = std::thread([&] {
    renamed = b->Execute("RENAME TABLE " + renames);
    rename_done = true;
  });
  Status s = WaitQueued(*monitor, b_id, deadline);
  if (s.ok()) {
    auto under_lock = CurrentBinlogPosition(*conns[order[0]]);
    s = under_lock.ok() ? loop->DrainTo(conns, *under_lock, deadline) : under_lock.status();
  }
  // Part 2 puts the target-side fence check here, before any sentry goes.
  ORDO_SYNC_POINT("Cutover:BeforeDropSentry");
  if (s.ok() && SteadyClock::now() >= deadline)
    s = Timeout("cutover: the lock budget ran out before the swap");
  if (!s.ok()) return give_up(s);
  for (size_t k = 0; k < order.size(); ++k) {
    size_t i = order[k];
    const TablePlan* p = plans[i];
    if (k > 0) {
      auto at = std::lower_bound(names.begin(), names.end(), std::make_pair(p->schema(), p->table()));
      const auto& prev = *(at - 1);
      s = WaitPast(*monitor, b_id, prev.first, prev.second, deadline);
      if (!s.ok()) return give_up(s);
    }
    s = conns[i]->Execute("DROP TABLE " + QuoteTable(p->schema(), p->old_name));
    if (!s.ok()) return give_up(s);
    (void)conns[i]->Execute("UNLOCK TABLES");
    locked[i] = false;
  }
  renamer.join();
  *block_ms = MsSince(t0);
  if (!renamed.ok()) {
    // RENAME TABLE is atomic: it failed as a whole and nothing was swapped.
    (void)DropSentries(plans, *monitor);
    Status restarted = loop->Start({});
    if (!restarted.ok()) return restarted;
    return Aborted("cutover: the rename failed, nothing was swapped: " + renamed.message());
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

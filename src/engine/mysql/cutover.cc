#include "engine/mysql/cutover.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "binlog/preflight.h"
#include "engine/mysql/position.h"
#include "engine/mysql/table_holders.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

constexpr const char* kSentryComment = "ordo cutover sentry";
using SteadyClock = std::chrono::steady_clock;

int64_t MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0).count();
}

Result<std::optional<std::string>> TableComment(db::MysqlConnection& conn,
                                                const std::string& schema,
                                                const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT TABLE_COMMENT FROM information_schema.TABLES "
                                   "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                   {db::SqlValue::Text(schema), db::SqlValue::Text(table)}));
  if (rows.rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.rows[0][0].value_or(""));
}

Status CreateSentries(const std::vector<SwapTable>& tables, db::MysqlConnection& conn) {
  ORDO_RETURN_IF_ERROR(DropSentries(tables, conn));
  for (const SwapTable& t : tables) {
    if (t.away.empty()) continue;
    ORDO_ASSIGN_OR_RETURN(auto comment, TableComment(conn, t.schema, t.away));
    if (comment)
      return FailedPrecondition(db::QuoteTable(t.schema, t.away) +
                                " already exists and is not ordo's sentry; drop or rename it");
    ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + db::QuoteTable(t.schema, t.away) +
                                      " (`ordo_sentry` INT) ENGINE=InnoDB COMMENT='" +
                                      kSentryComment + "'"));
  }
  return Status::Ok();
}

// Polls until session `id` waits for a metadata lock (its RENAME is queued).
Status WaitQueued(db::MysqlConnection& monitor, uint64_t id, SteadyClock::time_point deadline) {
  while (SteadyClock::now() < deadline) {
    ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                          monitor.Query("SELECT STATE FROM information_schema.PROCESSLIST "
                                        "WHERE ID = ?",
                                        {db::SqlValue::UInt(id)}));
    if (!rows.rows.empty() &&
        rows.rows[0][0].value_or("").find("metadata lock") != std::string::npos)
      return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Timeout("the rename did not queue behind the table locks in time");
}

// True when another session holds `table`'s metadata lock exclusively (our no-wait
// read times out at once); false when the name is free (absent or readable).
Result<bool> HeldByOther(db::MysqlConnection& monitor, const std::string& schema,
                         const std::string& table) {
  Status s = monitor.Execute("SET STATEMENT lock_wait_timeout=0 FOR SELECT 1 FROM " +
                             db::QuoteTable(schema, table) + " LIMIT 0");
  if (s.ok() || s.code() == StatusCode::kNotFound) return false;
  if (s.code() == StatusCode::kAborted) return true;
  return s;
}

// Polls until the rename holds the lock on `prev` (the name just before the next
// table in lock order) and waits again: it is then queued on the next table.
Status WaitPast(db::MysqlConnection& monitor, uint64_t id, const std::string& schema,
                const std::string& prev, SteadyClock::time_point deadline) {
  while (SteadyClock::now() < deadline) {
    ORDO_ASSIGN_OR_RETURN(bool held, HeldByOther(monitor, schema, prev));
    if (held) return WaitQueued(monitor, id, deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Timeout("the rename did not move on to the next table in time");
}

// Waits until the running change stream has applied everything the server's binlog
// holds now.
Status CatchUp(SyncLoop& loop, db::MysqlConnection& monitor, std::chrono::milliseconds timeout) {
  ORDO_ASSIGN_OR_RETURN(BinlogPosition now, ReadServerBinlogPosition(monitor));
  return loop.WaitApplied(now, timeout);
}

// Lets the paused change stream apply what came since it stopped, then pauses it again.
Status CatchUpBetweenTries(SyncLoop& loop, db::MysqlConnection& monitor,
                           SteadyClock::time_point deadline) {
  ORDO_RETURN_IF_ERROR(loop.Start({}));
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  ORDO_RETURN_IF_ERROR(CatchUp(loop, monitor, std::max(left, std::chrono::milliseconds(1))));
  return loop.Stop();
}

std::string LockSeconds(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.3f", std::max<int64_t>(left.count(), 1) / 1000.0);
  return seconds;
}

// One attempt. On any failure nothing is renamed, no lock is held and the sentries are
// gone; *block_ms is how long application writes were blocked.
//
// Each existing table is locked by its own session A_i. The server takes the RENAME's
// locks one at a time in name order (each artefact sorts after its own table), and a
// write waiting on a table is only kept out by an exclusive request already queued on
// that same table. So the sessions unlock in that order, each only once the rename is
// queued on its table; a single session unlocking everything at once would let writes
// on the second and later tables into the old tables.
Status Attempt(const std::vector<SwapTable>& tables, db::MysqlPool* pool, SyncLoop* loop,
               const TargetFence& fence, const std::string& kind, const CutoverOptions& options,
               int64_t* block_ms, BinlogPosition* position, TableHolders* holders) {
  ORDO_ASSIGN_OR_RETURN(auto monitor, pool->Acquire());
  if (loop != nullptr)
    ORDO_RETURN_IF_ERROR(
        CatchUp(*loop, *monitor, std::chrono::milliseconds(options.catch_up_timeout_ms)));
  ORDO_RETURN_IF_ERROR(CreateSentries(tables, *monitor));
  // Lock order = the server's metadata-lock order: (schema, name).
  std::vector<size_t> order;
  for (size_t i = 0; i < tables.size(); ++i)
    if (!tables[i].away.empty()) order.push_back(i);
  auto key = [&](size_t i) { return std::make_pair(tables[i].schema, tables[i].table); };
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return key(x) < key(y); });
  std::vector<db::MysqlPool::Handle> sessions;
  std::vector<db::MysqlConnection*> conns(tables.size(), nullptr);
  for (size_t i : order) {
    auto a = pool->Acquire();
    if (!a.ok()) {
      (void)DropSentries(tables, *monitor);
      return a.status();
    }
    conns[i] = a->get();
    sessions.push_back(std::move(*a));
  }
  ORDO_ASSIGN_OR_RETURN(auto b, pool->Acquire());
  uint64_t b_id = b->thread_id();
  std::vector<std::pair<std::string, std::string>> names;  // every name the rename locks
  std::string renames;
  for (const SwapTable& t : tables) {
    std::string name = db::QuoteTable(t.schema, t.table);
    names.push_back({t.schema, t.table});
    if (!t.away.empty()) {
      names.push_back({t.schema, t.away});
      renames += (renames.empty() ? "" : ", ") + name + " TO " + db::QuoteTable(t.schema, t.away);
    }
    if (!t.incoming.empty()) {
      names.push_back({t.schema, t.incoming});
      renames +=
          (renames.empty() ? "" : ", ") + db::QuoteTable(t.schema, t.incoming) + " TO " + name;
    }
  }
  std::sort(names.begin(), names.end());
  // The applier's sessions: each table drains on the session that holds its locks.
  std::vector<db::MysqlConnection*> drain;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].applier_index < 0) continue;
    if (drain.size() <= static_cast<size_t>(tables[i].applier_index))
      drain.resize(tables[i].applier_index + 1, nullptr);
    drain[tables[i].applier_index] = conns[i];
  }

  if (loop != nullptr) {
    Status stopped = loop->Stop();
    if (!stopped.ok()) {
      (void)DropSentries(tables, *monitor);
      return stopped;
    }
  }
  auto t0 = SteadyClock::now();
  auto deadline = t0 + std::chrono::milliseconds(options.lock_timeout_ms);
  std::vector<bool> locked(tables.size(), false);
  bool blocking = false;  // writes wait from the moment every lock is held
  std::thread renamer;
  std::atomic<bool> rename_done{false};
  Status renamed = Internal("rename not run");
  // Gives up: stops the queued rename, releases every lock, drops the sentries. While a
  // sentry exists the rename can only fail ("already exists").
  auto give_up = [&](Status why) {
    if (renamer.joinable() && !rename_done)
      (void)monitor->Execute("KILL QUERY " + std::to_string(b_id));
    for (size_t i = 0; i < tables.size(); ++i)
      if (locked[i]) (void)conns[i]->Execute("UNLOCK TABLES");
    if (renamer.joinable()) renamer.join();
    *block_ms = blocking ? MsSince(t0) : 0;
    (void)DropSentries(tables, *monitor);
    if (loop != nullptr) {
      Status restarted = loop->Start({});
      if (!restarted.ok()) return restarted;
    }
    if (why.retryable()) return why;
    if (why.code() == StatusCode::kTimeout) return Status(why.code(), why.message(), true);
    return why;
  };

  if (order.empty()) {
    // Nothing to lock (only tables that do not exist yet take a name): record the swap
    // and rename.
    ORDO_ASSIGN_OR_RETURN(*position, ReadServerBinlogPosition(*monitor));
    Status s = fence.RecordSwap(*monitor, kind, *position);
    if (!s.ok()) return give_up(s);
    ORDO_SYNC_POINT("Cutover:BeforeDropSentry");
    renamed = b->Execute("SET STATEMENT max_statement_time=" + LockSeconds(deadline) +
                         " FOR RENAME TABLE " + renames);
    *block_ms = MsSince(t0);
    if (!renamed.ok())
      return give_up(
          renamed.code() == StatusCode::kTimeout
              ? renamed
              : Aborted("cutover: the rename failed, nothing was swapped: " + renamed.message()));
    return Status::Ok();
  }

  ORDO_SYNC_POINT("Cutover:BeforeLock");
  std::vector<std::string> lists(tables.size());
  for (size_t k = 0; k < order.size(); ++k) {
    const SwapTable& t = tables[order[k]];
    std::string& list = lists[order[k]];
    list = db::QuoteTable(t.schema, t.table) + " WRITE, " + db::QuoteTable(t.schema, t.away) +
           " WRITE";
    if (!t.incoming.empty()) list += ", " + db::QuoteTable(t.schema, t.incoming) + " WRITE";
    // The first session also holds the fence table, so no engine can take the
    // operation over while the swap is under way.
    if (k == 0) list += ", " + fence.table() + " WRITE";
  }
  // The locks are taken only at a moment when no other session holds any of the tables
  // (LOCK TABLES … NOWAIT fails at once instead of queueing): a queued exclusive
  // request would make an application transaction that already read a table and now
  // writes it wait behind us, and the server would end that cycle by killing the
  // application's transaction (1213). Writers that come after the locks only wait.
  int tries = 0;
  auto slice = t0;
  while (true) {
    size_t k = 0;
    Status s;
    for (; k < order.size(); ++k) {
      s = conns[order[k]]->Execute("LOCK TABLES " + lists[order[k]] + " NOWAIT");
      if (!s.ok()) break;
      locked[order[k]] = true;
    }
    if (k == order.size()) break;
    for (size_t i = 0; i < tables.size(); ++i)
      if (locked[i]) locked[i] = !conns[i]->Execute("UNLOCK TABLES").ok();
    ++tries;
    if (!s.Is(StatusCode::kAborted)) return give_up(s);  // not "held by another session"
    auto now = SteadyClock::now();
    if (now >= deadline) {
      std::vector<uint64_t> ours = {monitor->thread_id(), b_id};
      for (db::MysqlConnection* c : conns)
        if (c != nullptr) ours.push_back(c->thread_id());
      auto who = ListTableHolders(*monitor, names, MsSince(t0), ours);
      std::string held = who.ok() && !who->sessions.empty()
                             ? Describe(*who)
                             : "a transaction keeps one of them open";
      if (holders != nullptr && who.ok()) *holders = *who;
      return give_up(
          Timeout("cutover: the tables were never free of other sessions' locks within " +
                  std::to_string(options.lock_timeout_ms) + " ms (" + std::to_string(tries) +
                  " tries): " + held));
    }
    // Busy tables free up many times a second between short transactions: try again at
    // once. One that stays held is a long transaction: spare the server the spinning.
    if (now - t0 > std::chrono::milliseconds(250))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // The change stream is paused meanwhile and what it owes is drained under the
    // locks: every 100 ms of tries it catches up again, so the drain stays short.
    if (loop != nullptr && now - slice > std::chrono::milliseconds(100)) {
      Status caught = CatchUpBetweenTries(*loop, *monitor, deadline);
      if (!caught.ok()) return give_up(caught);
      slice = SteadyClock::now();
    }
  }
  ORDO_SYNC_POINT("Cutover:Locked");
  t0 = SteadyClock::now();  // writes are blocked from here
  blocking = true;
  deadline = std::max(deadline, t0 + std::chrono::milliseconds(options.lock_timeout_ms / 2));

  renamer = std::thread([&] {
    renamed = b->Execute("RENAME TABLE " + renames);
    rename_done = true;
  });
  db::MysqlConnection& first = *conns[order[0]];
  Status s = WaitQueued(*monitor, b_id, deadline);
  if (s.ok()) {
    auto under_lock = ReadServerBinlogPosition(first);
    s = under_lock.status();
    if (s.ok()) {
      *position = *under_lock;
      // The target-side fence check of the swap: a guarded write under the locks.
      s = fence.RecordSwap(first, kind, *position);
    }
    if (s.ok() && loop != nullptr) s = loop->DrainTo(drain, *position, deadline);
  }
  ORDO_SYNC_POINT("Cutover:BeforeDropSentry");
  if (s.ok() && SteadyClock::now() >= deadline)
    s = Timeout("cutover: the lock budget ran out before the swap");
  if (!s.ok()) return give_up(s);
  for (size_t k = 0; k < order.size(); ++k) {
    size_t i = order[k];
    const SwapTable& t = tables[i];
    auto at = std::lower_bound(names.begin(), names.end(), std::make_pair(t.schema, t.table));
    if (at != names.begin()) {
      // Unlock only once the rename holds the name just before this table and waits
      // again, i.e. is queued on this table.
      const auto& prev = *(at - 1);
      s = WaitPast(*monitor, b_id, prev.first, prev.second, deadline);
      if (!s.ok()) return give_up(s);
    }
    s = conns[i]->Execute("DROP TABLE " + db::QuoteTable(t.schema, t.away));
    if (!s.ok()) return give_up(s);
    (void)conns[i]->Execute("UNLOCK TABLES");
    locked[i] = false;
  }
  renamer.join();
  *block_ms = MsSince(t0);
  if (!renamed.ok()) {
    // RENAME TABLE is atomic: it failed as a whole and nothing was swapped.
    (void)DropSentries(tables, *monitor);
    if (loop != nullptr) {
      Status restarted = loop->Start({});
      if (!restarted.ok()) return restarted;
    }
    return Aborted("cutover: the rename failed, nothing was swapped: " + renamed.message());
  }
  return Status::Ok();
}

}  // namespace

Result<bool> IsSentry(db::MysqlConnection& conn, const std::string& schema,
                      const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(auto comment, TableComment(conn, schema, table));
  return comment && *comment == kSentryComment;
}

Status DropSentries(const std::vector<SwapTable>& tables, db::MysqlConnection& conn) {
  for (const SwapTable& t : tables) {
    if (t.away.empty()) continue;
    ORDO_ASSIGN_OR_RETURN(bool sentry, IsSentry(conn, t.schema, t.away));
    if (sentry)
      ORDO_RETURN_IF_ERROR(
          conn.Execute("DROP TABLE IF EXISTS " + db::QuoteTable(t.schema, t.away)));
  }
  return Status::Ok();
}

Result<CutoverResult> RunCutover(const std::vector<SwapTable>& tables, db::MysqlPool* pool,
                                 SyncLoop* loop, const TargetFence& fence, const std::string& kind,
                                 const CutoverOptions& options) {
  CutoverResult result;
  int64_t backoff = options.backoff_ms;
  const auto first = SteadyClock::now();
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    if (options.should_stop && options.should_stop())
      return Cancelled("cutover stopped on request");
    result.attempts = attempt;
    int64_t block = 0;
    TableHolders holders;
    Status s =
        Attempt(tables, pool, loop, fence, kind, options, &block, &result.position, &holders);
    if (s.ok()) {
      result.write_block_ms = block;
      return result;
    }
    // A moved fence is final for this engine: another one holds the operation.
    if (!s.retryable() || s.Is(StatusCode::kLeaseLost)) return s;
    result.failed_block_ms.push_back(block);
    result.failed_reasons.push_back(s.message());
    if (options.gave_up)
      options.gave_up("swap attempt " + std::to_string(attempt) + " gave up: " + s.message());
    if (attempt == options.max_attempts) break;
    // cutover_force_after: the sessions the server names as holding the tables go.
    if (options.force_after_ms > 0 && holders.exact && !holders.sessions.empty() &&
        MsSince(first) >= options.force_after_ms) {
      ORDO_ASSIGN_OR_RETURN(auto conn, pool->Acquire());
      for (const TableHolder& h : holders.sessions) {
        Status killed = conn->Execute("KILL CONNECTION " + std::to_string(h.id));
        if (killed.ok()) result.killed.push_back(h.description);
      }
      continue;  // at once: the tables are free now
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
    backoff = std::min(backoff * 2, options.backoff_ms * 8);
  }
  return Timeout("cutover gave up after " + std::to_string(result.attempts) +
                 " attempts; nothing was swapped; last: " + result.failed_reasons.back());
}

}  // namespace ordo::engine

#include "engine/mysql/copier.h"

#include <chrono>
#include <thread>

#include "engine/mysql/retry.h"
#include "engine/mysql/sql_text.h"
#include "engine/mysql/steady_ms.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

// A chunk that fails with a retryable error (a deadlock with the applier, whose
// inserts wait for the chunk's AUTO-INC lock; a lock wait timeout) is retried with
// backoff for this long, like the applier's flushes.
constexpr auto kChunkRetryFor = std::chrono::seconds(120);
constexpr auto kPausePoll = std::chrono::milliseconds(50);

}  // namespace

TableCopier::TableCopier(const TablePlan& plan, Applier* applier, db::MysqlPool* pool,
                         CopyOptions options, TableCopyState initial)
    : plan_(plan),
      applier_(applier),
      pool_(pool),
      options_(std::move(options)),
      state_(std::move(initial)),
      sizer_(options_.chunk_target_ms, 1000, 10, 60000),
      threads_(std::max(1, options_.threads)) {
  for (const std::string& k : plan_.source.key_columns) key_names_.push_back(k);
  cursor_ = state_.watermark;
  bounds_.from = state_.watermark;
}

std::optional<size_t> ChunkBounds::IndexOf(const Key& key) const {
  for (size_t i = uppers.size(); i-- > 0;)
    if (uppers[i].first == key) return i;
  return std::nullopt;
}

ChunkBounds TableCopier::bounds() const {
  MutexLock lock(&mu_);
  return bounds_;
}

Key TableCopier::KeyFromRow(const db::SqlRow& row) const {
  Key key;
  for (size_t i = 0; i < row.size(); ++i) {
    bool binary = plan_.source.columns[plan_.source_key[i]].is_binary();
    std::string v = row[i].value_or("");
    key.push_back(binary ? db::SqlValue::Bytes(std::move(v)) : db::SqlValue::Text(std::move(v)));
  }
  return key;
}

TableCopyState TableCopier::state() const {
  MutexLock lock(&mu_);
  return state_;
}

int64_t TableCopier::chunk_rows() const {
  MutexLock lock(&mu_);
  return sizer_.rows();
}

int64_t TableCopier::in_flight_rows() const {
  MutexLock lock(&mu_);
  int64_t rows = 0;
  for (const auto& [id, chunk] : in_flight_)
    if (!chunk.done) rows += chunk.rows >= 0 ? chunk.rows : sizer_.rows();
  return rows;
}

void TableCopier::SetVolume(int threads, int64_t chunk_target_ms) {
  MutexLock lock(&mu_);
  threads_ = std::max(1, threads);
  sizer_.set_target_ms(chunk_target_ms);
}

Status TableCopier::CaptureEnd(db::MysqlConnection& conn) {
  std::string keys = ColumnList(key_names_);
  std::string desc;
  for (size_t i = 0; i < key_names_.size(); ++i)
    desc += (i ? ", " : "") + db::QuoteIdentifier(key_names_[i]) + " DESC";
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn.Query("SELECT " + keys + " FROM " +
                                                     db::QuoteTable(plan_.schema(), plan_.table()) +
                                                     " ORDER BY " + desc + " LIMIT 1"));
  MutexLock lock(&mu_);
  state_.started = true;
  if (rows.rows.empty()) {
    state_.done = true;
  } else {
    state_.end = KeyFromRow(rows.rows[0]);
  }
  return Status::Ok();
}

Result<std::optional<std::pair<uint64_t, TableCopier::Chunk>>> TableCopier::NextChunk(
    db::MysqlConnection& conn) {
  MutexLock lock(&mu_);
  if (exhausted_ || state_.done || !state_.end) return std::optional<std::pair<uint64_t, Chunk>>();
  Predicate range = KeyRange(key_names_, cursor_, state_.end);
  std::string order = ColumnList(key_names_);
  std::vector<db::SqlValue> params = range.params;
  params.push_back(db::SqlValue::Int(sizer_.rows() - 1));
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      conn.Query("SELECT " + order + " FROM " + db::QuoteTable(plan_.schema(), plan_.table()) +
                     " FORCE INDEX (" + db::QuoteIdentifier(plan_.source.key_name) + ") WHERE " +
                     range.sql + " ORDER BY " + order + " LIMIT 1 OFFSET ?",
                 params));
  Chunk chunk;
  chunk.lower = cursor_;
  if (rows.rows.empty()) {
    chunk.upper = *state_.end;
    exhausted_ = true;
  } else {
    chunk.upper = KeyFromRow(rows.rows[0]);
    chunk.rows = sizer_.rows();
    rows_scanned_ += chunk.rows;
    bounds_.uppers.emplace_back(chunk.upper, chunk.rows);
  }
  cursor_ = chunk.upper;
  uint64_t id = next_id_++;
  in_flight_[id] = chunk;
  return std::optional<std::pair<uint64_t, Chunk>>(std::make_pair(id, chunk));
}

Status TableCopier::CopyChunk(db::MysqlConnection& conn, const Chunk& chunk, int64_t* affected) {
  Predicate range = KeyRange(key_names_, chunk.lower, chunk.upper);
  std::string src = db::QuoteTable(plan_.schema(), plan_.table());
  // One transaction: the fence check's shared lock on the fence row lasts until the
  // chunk's rows are committed, so a newer engine's Advance() waits for it and every
  // later chunk of ours sees the new token.
  ORDO_SYNC_POINT("TableCopier::CopyChunk:BeforeBegin");
  ORDO_RETURN_IF_ERROR(conn.Execute("BEGIN"));
  auto rollback = [&](Status why) {
    (void)conn.Execute("ROLLBACK");
    return why;
  };
  if (options_.fence) {
    Status fenced = options_.fence(conn);
    if (!fenced.ok()) return rollback(fenced);
  }
  ORDO_SYNC_POINT("TableCopier::CopyChunk:BeforeInsert");
  auto n = conn.Execute("INSERT IGNORE INTO " + db::QuoteTable(plan_.schema(), plan_.shadow_name) +
                            " (" + ColumnList(plan_.shadow_names) + ") SELECT " +
                            ColumnList(plan_.source_names) + " FROM " + src + " FORCE INDEX (" +
                            db::QuoteIdentifier(plan_.source.key_name) + ") WHERE " + range.sql,
                        range.params);
  if (!n.ok()) return rollback(n.status());
  *affected = static_cast<int64_t>(*n);
  auto warnings = conn.Query("SHOW WARNINGS");
  if (!warnings.ok()) return rollback(warnings.status());
  std::string own_key = "for key '" + plan_.shadow.key_name + "'";
  for (const db::SqlRow& w : warnings->rows) {
    std::string code = w.size() > 1 ? w[1].value_or("") : "";
    std::string message = w.size() > 2 ? w[2].value_or("") : "";
    if (code == "1062" && message.find(own_key) != std::string::npos) continue;
    (void)conn.Execute("ROLLBACK");
    return Diagnose(conn, chunk, "mysql warning " + code + ": " + message);
  }
  return conn.Execute("COMMIT");
}

// Finds the first row of the chunk that the new table cannot hold and names it.
Status TableCopier::Diagnose(db::MysqlConnection& conn, const Chunk& chunk,
                             const std::string& warning) {
  std::string where = db::QuoteTable(plan_.schema(), plan_.table());
  std::string shadow = db::QuoteTable(plan_.schema(), plan_.shadow_name);
  std::string probe = db::QuoteIdentifier("_ordo_probe");
  Predicate range = KeyRange(key_names_, chunk.lower, chunk.upper);
  ORDO_ASSIGN_OR_RETURN(db::SqlRows keys, conn.Query("SELECT " + ColumnList(key_names_) + " FROM " +
                                                         where + " WHERE " + range.sql +
                                                         " ORDER BY " + ColumnList(key_names_),
                                                     range.params));
  ORDO_RETURN_IF_ERROR(conn.Execute("DROP TEMPORARY TABLE IF EXISTS " + probe));
  ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TEMPORARY TABLE " + probe + " LIKE " + shadow));
  std::string cols = " (" + ColumnList(plan_.shadow_names) + ") SELECT " +
                     ColumnList(plan_.source_names) + " FROM " + where + " WHERE " +
                     KeyIn(key_names_, 1);
  Status found = DataLoss(where + ": the new table cannot hold every row: " + warning);
  for (const db::SqlRow& row : keys.rows) {
    Key key = KeyFromRow(row);
    std::string named = "(";
    for (size_t i = 0; i < row.size(); ++i) named += (i ? ", " : "") + row[i].value_or("NULL");
    named += ")";
    auto own = conn.Execute("INSERT INTO " + probe + cols, key);
    (void)conn.Execute("DELETE FROM " + probe);
    if (!own.ok() && !own.status().retryable()) {
      found = DataLoss(where + ": row with key " + named +
                       " cannot be stored in the new table: " + own.status().message());
      break;
    }
    ORDO_RETURN_IF_ERROR(conn.Execute("BEGIN"));
    auto into = conn.Execute("INSERT INTO " + shadow + cols, key);
    (void)conn.Execute("ROLLBACK");
    if (!into.ok() && into.status().code() == StatusCode::kAlreadyExists &&
        into.status().message().find("for key '" + plan_.shadow.key_name + "'") ==
            std::string::npos) {
      found = DataLoss(where + ": row with key " + named +
                       " conflicts with another row on a unique key of the new table: " +
                       into.status().message());
      break;
    }
  }
  (void)conn.Execute("DROP TEMPORARY TABLE IF EXISTS " + probe);
  return found;
}

bool TableCopier::Finished() {
  return !error_.ok() || state_.done || (exhausted_ && in_flight_.empty());
}

Status TableCopier::Worker(int index) {
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  while (true) {
    {
      MutexLock lock(&mu_);
      if (!error_.ok()) return Status::Ok();
      // Fewer threads wanted (SetVolume): the highest-numbered workers leave.
      if (index >= threads_.load()) return Status::Ok();
    }
    if (options_.should_stop && options_.should_stop()) return Cancelled("copy stopped on request");
    if (options_.paused && options_.paused()) {
      std::this_thread::sleep_for(kPausePoll);  // throttled: no new chunk, check again
      continue;
    }
    if (int64_t resting = rest_until_.load() - SteadyNowMs(); resting > 0) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min<int64_t>(resting, kPausePoll.count())));
      continue;
    }
    auto next = NextChunk(*conn);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return Status::Ok();
    const uint64_t id = (*next)->first;
    const Chunk chunk = (*next)->second;
    int64_t start = SteadyNowMs();
    int64_t affected = 0;
    Status s = RetryRetryable(
        kChunkRetryFor,
        [&] {
          uint64_t token = applier_->BeginChunk();
          Status copied = CopyChunk(*conn, chunk, &affected);
          applier_->EndChunk(token);
          return copied;
        },
        [&] { return conn->broken() || (options_.should_stop && options_.should_stop()); });
    if (!s.ok()) return s;
    int64_t elapsed = SteadyNowMs() - start;
    Finish(id, chunk, elapsed, affected);
    // The rest is the whole copy's: no worker starts a chunk before it ends, so with
    // several workers the copy still works for only 1 / (1 + rest ratio) of the time.
    int64_t rest = options_.rest_ms ? options_.rest_ms(elapsed) : 0;
    if (rest > 0) {
      const int64_t until = SteadyNowMs() + rest;
      int64_t prev = rest_until_.load();
      while (prev < until && !rest_until_.compare_exchange_weak(prev, until)) {
      }
    }
  }
}

void TableCopier::Finish(uint64_t id, const Chunk& chunk, int64_t elapsed, int64_t affected) {
  MutexLock lock(&mu_);
  in_flight_[id].done = true;
  if (chunk.rows > 0) sizer_.Observe(chunk.rows, elapsed);
  if (chunk.rows < 0) rows_scanned_ += affected;
  // The rows the chunk covered, not the rows it inserted: rows already in the shadow
  // (put there by the applier, or by a run that crashed after this chunk but before
  // its checkpoint) are copied all the same. Only the last chunk, whose size is not
  // known, counts what it inserted.
  state_.rows_copied += chunk.rows > 0 ? chunk.rows : affected;
  while (!in_flight_.empty() && in_flight_.begin()->second.done) {
    state_.watermark = in_flight_.begin()->second.upper;
    in_flight_.erase(in_flight_.begin());
  }
  if (exhausted_ && in_flight_.empty()) state_.done = true;
}

Status TableCopier::Run() {
  bool started = false;
  {
    MutexLock lock(&mu_);
    if (state_.done) return Status::Ok();
    started = state_.started;
  }
  if (!started) {
    ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    ORDO_RETURN_IF_ERROR(CaptureEnd(*conn));
    MutexLock lock(&mu_);
    if (state_.done) return Status::Ok();
  }
  // Workers are numbered; the supervisor below keeps `threads_` of them running (a
  // worker that left because the number went down is replaced when it goes up again).
  std::vector<std::thread> threads;
  std::vector<bool> active;
  std::condition_variable_any changed;
  auto start = [&](int index) ORDO_REQUIRES(mu_) {
    ++running_;
    active[index] = true;
    threads.emplace_back([this, index, &active, &changed] {
      Status s = Worker(index);
      MutexLock lock(&mu_);
      if (!s.ok() && error_.ok()) error_ = s;
      active[index] = false;
      --running_;
      changed.notify_all();
    });
  };
  {
    MutexLock lock(&mu_);
    while (true) {
      bool stopping = options_.should_stop && options_.should_stop();
      int wanted = threads_.load();
      if (active.size() < static_cast<size_t>(wanted)) active.resize(wanted, false);
      if (!Finished() && !stopping && !exhausted_)
        for (int i = 0; i < wanted; ++i)
          if (!active[i]) start(i);
      if (running_ == 0) break;
      changed.wait_for(lock, kPausePoll);
    }
  }
  for (auto& t : threads) t.join();
  MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  if (!state_.done) return Cancelled("copy stopped on request");
  return Status::Ok();
}

}  // namespace ordo::engine

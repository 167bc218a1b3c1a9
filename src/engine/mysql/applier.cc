#include "engine/mysql/applier.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "engine/mysql/position.h"
#include "engine/mysql/retry.h"
#include "engine/mysql/sql_text.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

// Retryable failures (deadlocks; a copy chunk inserting a row between our DELETE and
// INSERT) are retried with backoff for up to this long: a chunk in progress commits
// within a few of its time targets, after which the DELETE removes (or waits for) it.
constexpr auto kFlushRetryFor = std::chrono::seconds(120);

std::vector<std::string> Pick(const std::vector<std::string>& names, const std::vector<int>& at) {
  std::vector<std::string> out;
  for (int i : at) out.push_back(names[i]);
  return out;
}

// The bind expressions of the given common columns (charset conversions included).
std::vector<std::string> Exprs(const TablePlan& plan, const std::vector<int>& at) {
  std::vector<std::string> out;
  for (int i : at) out.push_back(plan.ValueExpr(i));
  return out;
}

std::vector<std::string> AllExprs(const TablePlan& plan) {
  std::vector<std::string> out;
  for (size_t i = 0; i < plan.shadow_names.size(); ++i) out.push_back(plan.ValueExpr(i));
  return out;
}

// A duplicate on the shadow's own key means a copy chunk inserted the row between our
// DELETE and INSERT: retry. Any other refusal means the new table cannot hold the row.
Status ClassifyDataError(const Status& s, const TablePlan& plan) {
  if (s.ok() || s.retryable()) return s;
  std::string where = QuoteTable(plan.schema(), plan.table());
  if (s.code() == StatusCode::kAlreadyExists) {
    if (s.message().find("for key '" + plan.shadow.key_name + "'") != std::string::npos)
      return Aborted(where + ": concurrent copy of the same row; retrying");
    return DataLoss(
        where +
        ": a change captured from the binlog cannot be stored in the new table: " + s.message());
  }
  if (s.code() == StatusCode::kInvalidArgument ||
      s.message().find("error 1264") != std::string::npos)
    return DataLoss(
        where +
        ": a change captured from the binlog cannot be stored in the new table: " + s.message());
  return s;
}

}  // namespace

std::string EncodeKey(const std::vector<SqlValue>& key) {
  std::string out;
  for (const SqlValue& v : key) {
    out += static_cast<char>(v.kind);
    std::string body;
    switch (v.kind) {
      case SqlValue::Kind::kNull:
        break;
      case SqlValue::Kind::kInt:
        body = std::to_string(v.i);
        break;
      case SqlValue::Kind::kUInt:
        body = std::to_string(v.u);
        break;
      case SqlValue::Kind::kDouble:
        body = std::to_string(v.d);
        break;
      case SqlValue::Kind::kText:
      case SqlValue::Kind::kBytes:
        body = v.s;
        break;
    }
    out += std::to_string(body.size()) + ":" + body;
  }
  return out;
}

Applier::Applier(std::vector<const TablePlan*> plans)
    : plans_(std::move(plans)),
      txn_(plans_.size()),
      batch_(plans_.size()),
      deleted_(plans_.size()) {}

void Applier::Start(const BinlogPosition& from) {
  MutexLock lock(&mu_);
  applied_ = from;
  read_ = from;
  batch_end_ = from;
}

bool Applier::OnShadow(const std::string& statement) const {
  for (const TablePlan* plan : plans_)
    if (statement.rfind("ALTER TABLE " + QuoteTable(plan->schema(), plan->shadow_name) + " ", 0) ==
        0)
      return true;
  return false;
}

int Applier::TableIndex(const RowChange& change) const {
  for (size_t i = 0; i < plans_.size(); ++i)
    if (plans_[i]->schema() == change.schema_name && plans_[i]->table() == change.table_name)
      return static_cast<int>(i);
  return -1;
}

void Applier::Stage(int table, const std::vector<SqlValue>& image, bool upsert,
                    std::vector<TableBatch>* batch) {
  const TablePlan& plan = *plans_[table];
  Op op;
  op.upsert = upsert;
  for (int k : plan.shadow_key) {
    int at = plan.source_index[k];
    op.key.push_back(at < static_cast<int>(image.size()) ? image[at] : SqlValue::Null());
  }
  if (upsert)
    for (int at : plan.source_index)
      op.values.push_back(at < static_cast<int>(image.size()) ? image[at] : SqlValue::Null());
  std::string k = EncodeKey(op.key);
  (*batch)[table].ops[k] = std::move(op);
}

void Applier::Consume(const BinlogEvent& event) {
  switch (event.kind) {
    case BinlogEvent::Kind::kRows:
      in_txn_ = true;
      for (const RowChange& c : event.rows) {
        int t = TableIndex(c);
        if (t < 0) continue;  // another table, ordo's shadow writes included
        if (c.kind == RowChange::Kind::kDelete) {
          Stage(t, c.before, false, &txn_);
        } else if (c.kind == RowChange::Kind::kInsert) {
          Stage(t, c.after, true, &txn_);
        } else {
          const TablePlan& plan = *plans_[t];
          std::vector<SqlValue> kb, ka;
          for (int k : plan.shadow_key) {
            int at = plan.source_index[k];
            if (at < static_cast<int>(c.before.size())) kb.push_back(c.before[at]);
            if (at < static_cast<int>(c.after.size())) ka.push_back(c.after[at]);
          }
          if (kb != ka) Stage(t, c.before, false, &txn_);
          Stage(t, c.after, true, &txn_);
        }
      }
      break;
    case BinlogEvent::Kind::kCommit: {
      for (size_t t = 0; t < txn_.size(); ++t) {
        for (auto& [k, op] : txn_[t].ops) {
          auto [it, inserted] = batch_[t].ops.insert_or_assign(k, std::move(op));
          if (inserted) ++pending_rows_;
        }
        txn_[t].ops.clear();
      }
      batch_end_ = event.position;
      in_txn_ = false;
      break;
    }
    default:
      // A statement could change rows without rows events (a session logging in
      // statement format, TRUNCATE): counted unless it is ordo's own on a shadow (the
      // deferred index build's ALTER).
      if (event.kind == BinlogEvent::Kind::kDdl && !OnShadow(event.query)) ++statements_consumed_;
      // Outside a transaction, the position after a DDL, heartbeat or rotate is as safe
      // a replay point as a commit.
      if (!in_txn_ && !event.position.empty() && ComparePositions(event.position, batch_end_) > 0)
        batch_end_ = event.position;
      break;
  }
  if (!event.position.empty()) {
    MutexLock lock(&mu_);
    if (ComparePositions(event.position, read_) > 0) read_ = event.position;
  }
}

void Applier::DiscardOpenTransaction() {
  for (auto& t : txn_) t.ops.clear();
  in_txn_ = false;
}

bool Applier::HasWork() const {
  if (pending_rows_ > 0) return true;
  MutexLock lock(&mu_);
  if (ComparePositions(batch_end_, applied_) > 0) return true;
  for (const auto& [id, c] : chunks_)
    if (c.ended) return true;
  return false;
}

Status Applier::ApplySlice(MysqlConnection& conn, const Slice& slice) {
  const TablePlan& plan = *plans_[slice.table];
  std::string shadow = QuoteTable(plan.schema(), plan.shadow_name);
  std::string source = QuoteTable(plan.schema(), plan.table());
  std::vector<std::string> skey = Pick(plan.shadow_names, plan.shadow_key);
  std::vector<std::string> okey = Pick(plan.source_names, plan.shadow_key);
  std::vector<std::string> key_exprs = Exprs(plan, plan.shadow_key);
  // Re-apply deletes that a chunk may have overtaken, unless the row is back.
  for (const Op* op : slice.fixups) {
    std::vector<SqlValue> params = op->key;
    params.insert(params.end(), op->key.begin(), op->key.end());
    auto r = conn.Execute("DELETE FROM " + shadow + " WHERE " + KeyIn(skey, key_exprs, 1) +
                              " AND NOT EXISTS (SELECT 1 FROM " + source + " WHERE " +
                              KeyIn(okey, 1) + ")",
                          params);
    if (!r.ok()) return r.status();
  }
  // With the shadow's key as its only unique key, an upsert is one INSERT … ON
  // DUPLICATE KEY UPDATE (an in-place update, half the work). With other unique keys
  // that statement could update the *other* row of a conflict, so it is DELETE by key
  // + plain INSERT, and a conflict fails loudly.
  const bool upsert_in_place = plan.shadow.unique_keys <= 1;
  std::vector<const Op*> deletes, upserts;
  for (const Op* op : slice.ops) {
    if (!op->upsert || !upsert_in_place) deletes.push_back(op);
    if (op->upsert) upserts.push_back(op);
  }
  size_t at = 0;
  for (size_t n : SplitBatch(deletes.size())) {
    std::vector<SqlValue> params;
    for (size_t i = at; i < at + n; ++i)
      params.insert(params.end(), deletes[i]->key.begin(), deletes[i]->key.end());
    at += n;
    auto r = conn.Execute("DELETE FROM " + shadow + " WHERE " + KeyIn(skey, key_exprs, n), params);
    if (!r.ok()) return r.status();
  }
  at = 0;
  std::string cols = ColumnList(plan.shadow_names);
  std::vector<std::string> value_exprs = AllExprs(plan);
  std::string update;
  if (upsert_in_place) {
    for (const std::string& c : plan.shadow_names)
      update += (update.empty() ? " ON DUPLICATE KEY UPDATE " : ", ") + QuoteIdentifier(c) +
                " = VALUES(" + QuoteIdentifier(c) + ")";
  }
  for (size_t n : SplitBatch(upserts.size())) {
    std::vector<SqlValue> params;
    for (size_t i = at; i < at + n; ++i)
      params.insert(params.end(), upserts[i]->values.begin(), upserts[i]->values.end());
    at += n;
    auto r = conn.Execute("INSERT INTO " + shadow + " (" + cols + ") VALUES " +
                              RowPlaceholders(value_exprs, n) + update,
                          params);
    if (!r.ok()) return ClassifyDataError(r.status(), plan);
  }
  return Status::Ok();
}

Status Applier::ApplyOnce(const std::vector<SessionWork>& work, bool check_fence) {
  // Each session's transaction, start to commit. Not BEGIN: under the cutover's LOCK
  // TABLES, BEGIN would release the table locks; autocommit=0 + COMMIT keeps them.
  // Sessions commit on their own rather than all at once: one waiting at such a
  // rendezvous while holding its row locks could close a lock cycle (through a copy
  // chunk) that the server cannot see.
  auto run = [&](const SessionWork& w) -> Status {
    MysqlConnection& conn = *w.conn;
    Status s = conn.Execute("SET autocommit = 0");
    if (s.ok() && check_fence && fence_) s = fence_(conn);
    for (size_t i = 0; s.ok() && i < w.slices.size(); ++i) s = ApplySlice(conn, w.slices[i]);
    if (s.ok()) ORDO_SYNC_POINT("Applier::Flush:BeforeCommit");
    if (s.ok()) s = conn.Execute("COMMIT");
    if (!s.ok()) (void)conn.Execute("ROLLBACK");
    Status reset = conn.Execute("SET autocommit = 1");
    return s.ok() ? reset : s;
  };
  std::vector<Status> done(work.size());
  std::vector<std::thread> others;
  for (size_t i = 1; i < work.size(); ++i) others.emplace_back([&, i] { done[i] = run(work[i]); });
  if (!work.empty()) done[0] = run(work[0]);
  for (std::thread& t : others) t.join();
  for (const Status& s : done)
    if (!s.ok()) return s;
  return Status::Ok();
}

Status Applier::Flush(MysqlConnection& conn) {
  return Flush(std::vector<MysqlConnection*>(plans_.size(), &conn));
}

std::vector<std::vector<Applier::Op>> Applier::TakeFixups(std::vector<uint64_t>* fixed,
                                                          uint64_t* seq) {
  std::vector<std::vector<Op>> fixups(plans_.size());
  MutexLock lock(&mu_);
  *seq = ++flush_seq_;
  for (const auto& [id, c] : chunks_) {
    if (!c.ended) continue;
    fixed->push_back(id);
    for (size_t t = 0; t < deleted_.size(); ++t)
      for (const auto& [k, entry] : deleted_[t])
        if (entry.second >= c.since_seq) fixups[t].push_back(Op{false, entry.first, {}});
  }
  return fixups;
}

Status Applier::Flush(const std::vector<MysqlConnection*>& conns, bool check_fence) {
  std::vector<uint64_t> fixed;
  uint64_t seq;
  std::vector<std::vector<Op>> fixups = TakeFixups(&fixed, &seq);
  // One transaction per distinct session, with the slices of its tables.
  std::vector<SessionWork> work;
  for (size_t t = 0; t < plans_.size(); ++t) {
    auto w = std::find_if(work.begin(), work.end(),
                          [&](const SessionWork& x) { return x.conn == conns[t]; });
    if (w == work.end()) w = work.insert(work.end(), SessionWork{conns[t], {}});
    Slice slice{t, {}, {}};
    for (const auto& [k, op] : batch_[t].ops) slice.ops.push_back(&op);
    for (const Op& op : fixups[t]) slice.fixups.push_back(&op);
    w->slices.push_back(std::move(slice));
  }
  return FlushWork(std::move(work), check_fence, fixed, seq);
}

Status Applier::FlushParallel(const std::vector<MysqlConnection*>& sessions) {
  if (sessions.size() <= 1) return Flush(*sessions.at(0));
  std::vector<uint64_t> fixed;
  uint64_t seq;
  std::vector<std::vector<Op>> fixups = TakeFixups(&fixed, &seq);
  std::vector<SessionWork> work;
  for (MysqlConnection* c : sessions) work.push_back(SessionWork{c, {}});
  for (size_t t = 0; t < plans_.size(); ++t) {
    const size_t n = plans_[t]->shadow.unique_keys <= 1 ? sessions.size() : 1;
    std::vector<Slice> slices(n, Slice{t, {}, {}});
    std::hash<std::string> hash;
    for (const auto& [k, op] : batch_[t].ops) slices[hash(k) % n].ops.push_back(&op);
    for (const Op& op : fixups[t]) slices[hash(EncodeKey(op.key)) % n].fixups.push_back(&op);
    for (size_t i = 0; i < n; ++i)
      if (!slices[i].ops.empty() || !slices[i].fixups.empty())
        work[i].slices.push_back(std::move(slices[i]));
  }
  // A session with nothing to do opens no transaction (the first always runs: an empty
  // batch still settles its chunks there).
  work.erase(std::remove_if(work.begin() + 1, work.end(),
                            [](const SessionWork& w) { return w.slices.empty(); }),
             work.end());
  return FlushWork(std::move(work), /*check_fence=*/true, fixed, seq);
}

Status Applier::FlushWork(std::vector<SessionWork> work, bool check_fence,
                          const std::vector<uint64_t>& fixed, uint64_t seq) {
  bool any = pending_rows_ > 0;
  for (const SessionWork& w : work)
    for (const Slice& slice : w.slices) any = any || !slice.fixups.empty();
  if (any) {
    Status s = RetryRetryable(
        kFlushRetryFor, [&] { return ApplyOnce(work, check_fence); },
        [&] {
          return std::any_of(work.begin(), work.end(),
                             [](const SessionWork& w) { return w.conn->broken(); });
        });
    if (!s.ok()) return s;
  }
  MutexLock lock(&mu_);
  for (size_t t = 0; t < batch_.size(); ++t) {
    for (auto& [k, op] : batch_[t].ops) {
      if (op.upsert)
        deleted_[t].erase(k);
      else
        deleted_[t][k] = {op.key, seq};
    }
    batch_[t].ops.clear();
  }
  rows_applied_ += static_cast<int64_t>(pending_rows_.load());
  pending_rows_ = 0;
  if (ComparePositions(batch_end_, applied_) > 0) applied_ = batch_end_;
  for (uint64_t id : fixed) chunks_.erase(id);
  uint64_t oldest = UINT64_MAX;
  for (const auto& [id, c] : chunks_) oldest = std::min(oldest, c.since_seq);
  for (auto& table : deleted_)
    for (auto it = table.begin(); it != table.end();)
      it = it->second.second < oldest ? table.erase(it) : std::next(it);
  return Status::Ok();
}

BinlogPosition Applier::applied_position() const {
  MutexLock lock(&mu_);
  return applied_;
}

BinlogPosition Applier::read_position() const {
  MutexLock lock(&mu_);
  return read_;
}

BinlogPosition Applier::SafeResumePosition() const {
  MutexLock lock(&mu_);
  BinlogPosition p = applied_;
  for (const auto& [id, c] : chunks_)
    if (ComparePositions(c.since_position, p) < 0) p = c.since_position;
  return p;
}

uint64_t Applier::BeginChunk() {
  MutexLock lock(&mu_);
  uint64_t id = next_chunk_++;
  chunks_[id] = Chunk{flush_seq_, applied_, false};
  return id;
}

void Applier::EndChunk(uint64_t chunk_id) {
  MutexLock lock(&mu_);
  auto it = chunks_.find(chunk_id);
  if (it != chunks_.end()) it->second.ended = true;
}

bool Applier::ChunksSettled() const {
  MutexLock lock(&mu_);
  for (const auto& [id, c] : chunks_)
    if (c.ended) return false;
  return true;
}

}  // namespace ordo

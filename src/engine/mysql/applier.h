// Applier: applies captured row changes of the operation's source tables to their
// shadow tables, by key, idempotently.
//
// Changes are buffered per transaction and applied at commit boundaries, many source
// transactions per target transaction: for every key touched, the last image wins
// (an insert or update becomes DELETE by key + INSERT of the common columns, a delete
// becomes DELETE by key). Replaying any suffix of the stream again is harmless, which
// is what makes resume after a crash safe. Changes of other tables (ordo's own shadow
// writes included) are skipped. Applier sessions run strict: a change the new table
// cannot hold (duplicate on a new unique key, NULL into NOT NULL, truncation) fails
// with DataLoss naming the table and the key.
//
// The copy runs non-locking chunk reads; the only way a chunk can store a stale row is
// a row deleted after the chunk's snapshot whose delete was applied before the chunk
// inserted it. So deletes applied while a chunk is in flight are remembered and, once
// the chunk committed, re-applied where the row is still absent from the source
// (BeginChunk/EndChunk). SafeResumePosition() never passes the position at which an
// unfinished chunk started, so a replay after a crash re-applies those deletes too.
//
// With a fence set (SetFence), every flush transaction first checks the operation's
// target-side fence row (fence.h), so a displaced engine's batches are refused.
//
// Thread-safety: Consume/Flush from one thread at a time (the sync loop, or the cutover
// while the loop is stopped; a flush on several sessions runs them on threads of its
// own and joins them); BeginChunk/EndChunk/positions from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "binlog/event.h"
#include "core/mutex.h"
#include "db/mysql/connection.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {

class Applier {
 public:
  explicit Applier(std::vector<const TablePlan*> plans);

  // Sets where the stream starts (nothing consumed before it counts as applied).
  void Start(const BinlogPosition& from);
  // Runs `check` first in every flush transaction (on the first session); its error
  // aborts the flush. Set before the first Flush.
  void SetFence(std::function<Status(db::MysqlConnection&)> check) { fence_ = std::move(check); }
  // Takes one event of the stream, in order.
  void Consume(const BinlogEvent& event);
  // Forgets the open (uncommitted) transaction, e.g. before reopening a broken stream.
  void DiscardOpenTransaction();
  // Rows in complete transactions waiting to be applied, and chunk fix-ups pending.
  size_t pending_rows() const { return pending_rows_.load(); }
  bool HasWork() const;
  // Applies every complete transaction consumed so far and the fix-ups of finished
  // chunks in one transaction on `conn` (retried on deadlock). DataLoss when a change
  // cannot be stored; the buffered changes are kept on any error.
  Status Flush(db::MysqlConnection& conn);
  // The same with one session per table (`conns[i]` for the i-th plan; the cutover
  // drains each table on the session that holds its locks). One transaction per
  // distinct session, the sessions side by side. `check_fence` false: the caller holds
  // the fence row's table locked and has checked it (the cutover).
  Status Flush(const std::vector<db::MysqlConnection*>& conns, bool check_fence = true);
  // The same on several sessions side by side, for a batch too big for one: each
  // table's keys are split among `sessions` by hash (a table whose shadow has other
  // unique keys stays on the first session, so a value moving from one row to another
  // is never applied out of order), each session its own transaction that checks the
  // fence and commits when done. A failure leaves the whole batch buffered (what a
  // session committed is replayed harmlessly); the applied position moves only once
  // every session committed.
  Status FlushParallel(const std::vector<db::MysqlConnection*>& sessions);

  // The end of the last transaction applied (a safe replay point once no chunk is in
  // flight), and of the last event consumed.
  BinlogPosition applied_position() const;
  BinlogPosition read_position() const;
  // Where a restarted stream must begin so that replay repairs everything: the
  // applied position, or the start of the oldest unfinished chunk if earlier.
  BinlogPosition SafeResumePosition() const;
  int64_t rows_applied() const { return rows_applied_.load(); }
  // Statement events consumed other than ordo's own DDL of its own tables (of this
  // operation or another: CREATE, ALTER or DROP of a shadow, sentry, old, check or
  // ownership table, in the form ordo writes it) and DDL run in and naming only other
  // schemas than the operation's: a session logging in statement format, TRUNCATE,
  // any other DDL. Such a statement may change rows
  // without rows events, so the stream cannot carry it to the shadows; rows events it
  // applies itself. Equal readings mean no such statement was consumed between them.
  int64_t statements_consumed() const { return statements_consumed_.load(); }

  // Copy coordination: call BeginChunk before a chunk's read starts and EndChunk after
  // it committed. ChunksSettled(): every ended chunk's fix-ups have been applied.
  uint64_t BeginChunk();
  void EndChunk(uint64_t chunk_id);
  bool ChunksSettled() const;

 private:
  struct Op {
    bool upsert = false;
    std::vector<db::SqlValue> key;     // shadow key values
    std::vector<db::SqlValue> values;  // common columns (upserts)
  };
  struct TableBatch {
    std::map<std::string, Op> ops;  // by encoded key
  };
  struct Chunk {
    uint64_t since_seq = 0;
    BinlogPosition since_position;
    bool ended = false;
  };

  // Part of one table's batch, applied on one session.
  struct Slice {
    size_t table = 0;
    std::vector<const Op*> ops;
    std::vector<const Op*> fixups;
  };
  // One session's transaction in a flush.
  struct SessionWork {
    db::MysqlConnection* conn = nullptr;
    std::vector<Slice> slices;
  };

  int TableIndex(const RowChange& change) const;
  // `statement` is an ALTER TABLE of one of the shadows (ordo's own).
  void Stage(int table, const std::vector<db::SqlValue>& image, bool upsert,
             std::vector<TableBatch>* batch);
  // Takes the fix-ups due (deletes a finished chunk may have overtaken); `fixed` gets
  // the chunks they settle and `seq` the flush's sequence number.
  std::vector<std::vector<Op>> TakeFixups(std::vector<uint64_t>* fixed, uint64_t* seq);
  // Applies `work` (with retries) and, on success, retires the batch.
  Status FlushWork(std::vector<SessionWork> work, bool check_fence,
                   const std::vector<uint64_t>& fixed, uint64_t seq);
  Status ApplyOnce(const std::vector<SessionWork>& work, bool check_fence);
  Status ApplySlice(db::MysqlConnection& conn, const Slice& slice);

  std::vector<const TablePlan*> plans_;
  std::vector<std::string> schemas_;  // the plans' schemas
  std::function<Status(db::MysqlConnection&)> fence_;
  std::vector<TableBatch> txn_;    // the open transaction
  std::vector<TableBatch> batch_;  // complete transactions not applied yet
  std::atomic<size_t> pending_rows_{0};
  bool in_txn_ = false;       // rows seen since the last commit
  BinlogPosition batch_end_;  // commit position of the last complete transaction

  mutable Mutex mu_;
  BinlogPosition applied_ ORDO_GUARDED_BY(mu_);
  BinlogPosition read_ ORDO_GUARDED_BY(mu_);
  uint64_t flush_seq_ ORDO_GUARDED_BY(mu_) = 0;
  uint64_t next_chunk_ ORDO_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Chunk> chunks_ ORDO_GUARDED_BY(mu_);
  // Per table: keys whose last applied change was a delete, with the flush sequence.
  std::vector<std::map<std::string, std::pair<std::vector<db::SqlValue>, uint64_t>>> deleted_
      ORDO_GUARDED_BY(mu_);
  std::atomic<int64_t> rows_applied_{0};
  std::atomic<int64_t> statements_consumed_{0};
};

// A stable byte encoding of key values, for maps.
std::string EncodeKey(const std::vector<db::SqlValue>& key);

}  // namespace ordo::engine

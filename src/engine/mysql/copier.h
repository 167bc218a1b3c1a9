// TableCopier: copies a source table into its shadow in key-ordered chunks, on several
// threads, each chunk one `INSERT IGNORE … SELECT` whose size adapts to a time target.
//
// Chunk reads are non-locking consistent reads (READ COMMITTED): the copy never holds
// locks on source rows, so application transactions never wait for it or lose a
// deadlock to it. Correctness against concurrent writes comes from the Applier: every
// chunk is registered with it before its read (BeginChunk) and reported after its
// commit (EndChunk). Rows already written by the applier are kept (IGNORE on the
// shadow's key). Any other warning of a chunk (duplicate on a new unique key,
// truncation, NULL into NOT NULL) is diagnosed row by row and fails with DataLoss
// naming the table, the row's key and the server's message.
//
// The state (watermark: every key ≤ it is copied; end: the last key when the copy
// began) is what checkpoints save; a copier built from a saved state continues after
// the watermark.
//
// Each chunk is one transaction that first checks the operation's target-side fence
// (CopyOptions::fence), so a displaced engine copies nothing more. Between chunks a
// worker waits while CopyOptions::paused() says so (throttling) and rests as long as
// CopyOptions::rest_ms() says after each chunk (the duty cycle). SetVolume() changes
// the number of copy threads and the chunk time target while the copy runs: extra
// workers finish their chunk and leave, new ones start at once.
//
// Thread-safety: Run() from one thread (it starts its own workers); state(),
// SetVolume() and the getters from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "core/mutex.h"
#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/chunk_sizer.h"
#include "engine/mysql/sql_text.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {

struct TableCopyState {
  bool started = false;  // `end` was captured
  bool done = false;
  std::optional<Key> watermark;  // every key ≤ watermark is copied; nullopt: none yet
  std::optional<Key> end;        // nullopt once started: the table was empty
  int64_t rows_copied = 0;
};

// The key bounds of a copy's chunks, in key order, for the verification to reuse
// (checksum.h): the chunks cover (from, uppers[0].first], (uppers[0].first,
// uppers[1].first], …; each upper comes with the rows of its chunk. `from` nullopt: the
// table's start. The last chunk (to the end key) is not listed.
struct ChunkBounds {
  std::optional<Key> from;
  std::vector<std::pair<Key, int64_t>> uppers;
  // The index in `uppers` of `key`; nullopt when it is none of them.
  std::optional<size_t> IndexOf(const Key& key) const;
};

struct CopyOptions {
  int threads = 2;
  int64_t chunk_target_ms = 500;
  std::function<bool()> should_stop;  // polled between chunks
  std::function<bool()> paused;       // while true, no new chunk starts (throttling)
  // After each chunk the copy rests this long (ms), given the chunk's duration in ms:
  // no worker starts a chunk until the rest is over. 0 or unset: no rest.
  std::function<int64_t(int64_t chunk_ms)> rest_ms;
  // Checked inside every chunk's transaction, before its read (target-side fencing).
  std::function<Status(db::MysqlConnection&)> fence;
};

class TableCopier {
 public:
  TableCopier(const TablePlan& plan, Applier* applier, db::MysqlPool* pool, CopyOptions options,
              TableCopyState initial);
  // Copies the rest of the table. Ok when done; Cancelled when should_stop() said so
  // (finished chunks are kept in the state); DataLoss for a row the new table cannot
  // hold; the first error of any worker otherwise.
  Status Run();
  TableCopyState state() const;
  // Source rows read by chunks of this run (not counting earlier runs).
  int64_t rows_scanned() const { return rows_scanned_.load(); }
  int64_t chunk_rows() const;
  // Rows of the chunks started and not finished yet (a chunk to the end of the table
  // counts as one chunk of the current size).
  int64_t in_flight_rows() const;
  // Takes effect at the next chunk. Thread-safe.
  void SetVolume(int threads, int64_t chunk_target_ms);
  int threads() const { return threads_.load(); }
  // The bounds of this run's chunks (from the watermark it started at).
  ChunkBounds bounds() const;

 private:
  struct Chunk {
    std::optional<Key> lower;  // exclusive
    Key upper;                 // inclusive
    int64_t rows = -1;         // rows in the range; -1: the last chunk (not counted)
    bool done = false;
  };
  Status Worker(int index);
  // Marks a chunk copied: the sizer, the counters, the watermark.
  void Finish(uint64_t id, const Chunk& chunk, int64_t elapsed_ms, int64_t affected);
  bool Finished() ORDO_REQUIRES(mu_);
  Status CaptureEnd(db::MysqlConnection& conn);
  // Picks the next chunk under mu_; nullopt when the range is exhausted.
  Result<std::optional<std::pair<uint64_t, Chunk>>> NextChunk(db::MysqlConnection& conn);
  Status CopyChunk(db::MysqlConnection& conn, const Chunk& chunk, int64_t* affected);
  Status Diagnose(db::MysqlConnection& conn, const Chunk& chunk, const std::string& warning);
  Key KeyFromRow(const db::SqlRow& row) const;

  const TablePlan& plan_;
  Applier* applier_;
  db::MysqlPool* pool_;
  CopyOptions options_;
  std::vector<std::string> key_names_;  // source key columns

  mutable Mutex mu_;
  TableCopyState state_ ORDO_GUARDED_BY(mu_);
  std::optional<Key> cursor_ ORDO_GUARDED_BY(mu_);  // lower bound of the next chunk
  bool exhausted_ ORDO_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ORDO_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Chunk> in_flight_ ORDO_GUARDED_BY(mu_);  // ordered by id == key order
  ChunkBounds bounds_ ORDO_GUARDED_BY(mu_);  // every chunk handed out, in key order
  ChunkSizer sizer_ ORDO_GUARDED_BY(mu_);
  Status error_ ORDO_GUARDED_BY(mu_);
  int running_ ORDO_GUARDED_BY(mu_) = 0;  // workers started and not returned
  std::atomic<int> threads_;
  std::atomic<int64_t> rows_scanned_{0};
  std::atomic<int64_t> rest_until_{0};  // steady ms: no chunk starts before (rest_ms)
};

}  // namespace ordo::engine

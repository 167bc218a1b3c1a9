// Verification: compares every source table with its shadow, chunk by chunk, over the
// common columns, at one consistent point in time, before the cutover may swap them.
//
// The source is read in a consistent snapshot whose binlog position MariaDB reports
// (START TRANSACTION WITH CONSISTENT SNAPSHOT + binlog_snapshot_file/position), taken
// while the sync loop is paused (so the applier is behind it). The loop then applies
// exactly up to that position and holds there while a second snapshot is opened on the
// shadow, then is released: both snapshots show the same logical moment while the
// application keeps writing and the shadow keeps syncing. Each chunk's row count and
// sum of per-row CRC32 over the common columns (text columns as raw bytes, or as
// utf8mb4 when the change converts their charset; nulls as a bitmap) must match; on a
// mismatch the chunk is compared row by row and its first differing key is named in a
// DataLoss error. With the copy's bounds, chunks are compared from the table's end back
// to its start: the end is what the copy touched last, still in the buffer pool. Any increasing
// sequence of keys bounds the chunks correctly; the copy's own bounds save the queries that would
// find them.
//
// Thread-safety: one call at a time per set of tables.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "db/mysql/pool.h"
#include "engine/mysql/copier.h"
#include "engine/mysql/sync_loop.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {

struct VerifyOptions {
  int64_t chunk_rows = 20000;
  std::function<bool()> should_stop;
  // After each chunk the verification rests this long (ms), given the chunk's duration;
  // 0 or unset: no rest. The snapshots stay open while it rests.
  std::function<int64_t(int64_t chunk_ms)> rest_ms;
  // Per table (as `plans`; missing or null: none): the copy's chunk bounds. Chunks
  // then follow them (merged up to chunk_rows) instead of a bound query per chunk, a
  // scan of the source's key the copy already made; the ranges they do not cover (before
  // a resumed copy's start, after its end) are bounded by queries as usual.
  std::vector<const ChunkBounds*> bounds;
  // Per table, with its bounds: compare only up to this key, one of the bounds'
  // uppers (a round of the verification during the copy, trailing_verifier.h);
  // nothing when it is not one of them. Missing or nullopt: to the table's end.
  std::vector<std::optional<Key>> stop_at;
  // Per table, with its bounds: asked once the consistent point is taken. A key
  // returned, one of the bounds' uppers, says every row up to it is known to match at
  // this point (verified during the copy, with no change of the tables since): the
  // chunks up to it are not compared again. Unset or nullopt: compare from the start.
  std::function<std::optional<Key>(size_t table)> verified_through;
};

struct VerifyReport {
  int64_t rows_compared = 0;
  int64_t chunks = 0;
};

// Ok when every table matches. DataLoss naming the table and a differing key;
// Cancelled when should_stop(); FailedPrecondition when no consistent point could be
// taken (a loop that keeps overtaking the snapshot).
Result<VerifyReport> VerifyTables(const std::vector<const TablePlan*>& plans, db::MysqlPool* pool,
                                  SyncLoop* loop, const VerifyOptions& options);

}  // namespace ordo::engine

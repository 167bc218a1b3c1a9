// Throttle: decides whether the copy must pause, from the binlog backlog (how far
// change application is behind the server's binlog), the primary's Threads_running
// and the replication lag of the configured replicas. Only the copy pauses: change
// application never does, so the backlog stays bounded and the application is never
// slowed by ordo waiting.
//
// The backlog counts because the copy's own chunks are binlogged: the reader must
// stream (and skip) them next to the application's changes, so a fast copy on a busy
// server outruns change application. Pausing the copy lets it catch up; the copy
// resumes as soon as the backlog is back under the limit.
//
// Replica lag is the replica's Seconds_Behind_Master (SHOW SLAVE STATUS), so it has
// one-second granularity; a replica that is not replicating (the field is NULL) or
// cannot be reached also pauses the copy, since its lag is unknown. Replica
// connections are opened on first use and reopened after an error.
//
// Thread-safety: Check() and CheckLoad() from one thread at a time (the engine's
// throttle monitor runs CheckLoad()); CheckBacklog(), Backlog() and BacklogReason()
// from any thread (each copy worker asks before its next chunk).
//
//   Throttle throttle(options, &pool);
//   ORDO_ASSIGN_OR_RETURN(std::string reason, throttle.Check());  // "" → copy
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "binlog/event.h"
#include "db/mysql/pool.h"

namespace ordo::engine {

struct ThrottleOptions {
  // Pause while the binlog between `applied()` and the server's end exceeds this;
  // 0 (or no `applied`): not checked.
  int64_t max_backlog_bytes = 0;
  std::function<BinlogPosition()> applied;  // change application's applied position
  int64_t max_threads_running = 25;         // pause above this; 0: not checked
  std::vector<std::string> replica_dsns;
  int64_t max_replica_lag_ms = 10000;
};

// "9.1 MB" (one decimal) or "8 MB" for whole mebibytes.
std::string Megabytes(int64_t bytes);

class Throttle {
 public:
  Throttle(ThrottleOptions options, db::MysqlPool* primary);
  ~Throttle();

  // Why the copy must pause now ("backlog 9.1 MB > 8 MB", "threads_running 31 > 25",
  // "replica 127.0.0.1:3307 lags 14 s > 10 s", …), or "" when it may go on. An error
  // only when the primary itself cannot be asked.
  Result<std::string> Check();
  // Check() without the backlog: Threads_running and the replicas (the engine's monitor;
  // the copy workers ask for the backlog themselves before every chunk).
  Result<std::string> CheckLoad();
  // The backlog part of Check() alone: one SHOW MASTER STATUS. Thread-safe.
  Result<std::string> CheckBacklog() const;
  // The backlog in bytes now (0 when not checked). Thread-safe.
  Result<int64_t> Backlog() const;
  // "backlog 17.1 MB > 16 MB" when `backlog` is over the limit, else "".
  std::string BacklogReason(int64_t backlog) const;
  int64_t max_backlog_bytes() const { return options_.max_backlog_bytes; }

 private:
  Result<std::string> CheckReplica(size_t i);

  ThrottleOptions options_;
  db::MysqlPool* primary_;
  std::vector<std::unique_ptr<db::MysqlConnection>> replicas_;
};

}  // namespace ordo::engine

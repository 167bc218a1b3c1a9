// Throttle: decides whether the copy must pause, from the primary's Threads_running
// and the replication lag of the configured replicas. Only the copy pauses: change
// application never does, so the backlog stays bounded and the application is never
// slowed by ordo waiting.
//
// Replica lag is the replica's Seconds_Behind_Master (SHOW SLAVE STATUS), so it has
// one-second granularity; a replica that is not replicating (the field is NULL) or
// cannot be reached also pauses the copy, since its lag is unknown. Replica
// connections are opened on first use and reopened after an error.
//
// Thread-safety: Check() from one thread at a time (the engine's throttle monitor).
//
//   Throttle throttle(options, &pool);
//   ORDO_ASSIGN_OR_RETURN(std::string reason, throttle.Check());  // "" → copy
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db/mysql/pool.h"

namespace ordo {

struct ThrottleOptions {
  int64_t max_threads_running = 25;  // pause above this; 0: not checked
  std::vector<std::string> replica_dsns;
  int64_t max_replica_lag_ms = 10000;
};

class Throttle {
 public:
  Throttle(ThrottleOptions options, MysqlPool* primary);
  ~Throttle();

  // Why the copy must pause now ("threads_running 31 > 25", "replica 127.0.0.1:3307
  // lags 14 s > 10 s", …), or "" when it may go on. An error only when the primary
  // itself cannot be asked.
  Result<std::string> Check();

 private:
  Result<std::string> CheckReplica(size_t i);

  ThrottleOptions options_;
  MysqlPool* primary_;
  std::vector<std::unique_ptr<MysqlConnection>> replicas_;
};

}  // namespace ordo

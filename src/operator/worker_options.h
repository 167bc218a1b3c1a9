// WorkerOptions: how a worker process runs its drivers and keepers. The CLI fills
// them from ordo.yaml (`worker:`); tests and the simulator set them directly.
//
// Thread-safety: a plain value.
#pragma once

#include <string>

#include "ordo/model.h"

namespace ordo::worker {

struct WorkerOptions {
  // "host/pid"; driver n owns leases as "<owner_prefix>/driver-<n>" (keepers keep the
  // owner of the driver that claimed the operation).
  std::string owner_prefix = "localhost/0";
  int drivers = 4;
  // Parked deployments kept in sync (and cut over, and baked through their revert
  // window) without occupying a driver. When all are busy, a parked operation is
  // released at the barrier (Store::Park) and the cutover claim picks it up later.
  int parked_keepers = 8;
  // How often an idle driver polls the store when no in-process wake signal came.
  Micros poll_interval_micros = 1'000'000;
  // Must equal the store's StoreOptions::lease_staleness_micros.
  Micros lease_staleness_micros = 60'000'000;
  // 0: lease_staleness / 6.
  Micros heartbeat_interval_micros = 0;
  // A driver presumes its lease lost when no heartbeat (or other fenced write) that it
  // started within this long has succeeded; 0: 3/4 of the staleness window. It must
  // stay below the window so a driver stops before anyone may take its row over.
  Micros presume_lost_after_micros = 0;
  // Delay before driving a redispatched retry: base × 2^(attempt-1), capped.
  Micros retry_backoff_micros = 1'000'000;
  Micros retry_backoff_max_micros = 60'000'000;

  Micros HeartbeatInterval() const {
    return heartbeat_interval_micros > 0 ? heartbeat_interval_micros : lease_staleness_micros / 6;
  }
  Micros PresumeLostAfter() const {
    return presume_lost_after_micros > 0 ? presume_lost_after_micros
                                         : lease_staleness_micros * 3 / 4;
  }
};

}  // namespace ordo::worker

// A small rollout simulator for the concurrency scenarios: worker
// drivers that tick like docs/model.md's worker (expire retries and re-derive unheld
// applies, stop reconciliation, cutover claim, copy claim) and drive each claimed operation through
// a fake engine with injected transient/permanent failures and crashes (a crashed driver simply
// abandons its lease, which goes stale), and an invariant checker that replays the
// apply_events log.
//
// Thread-safety: each Driver runs on its own thread; CheckEventLog on one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ordo/store.h"

namespace ordo::testing {

struct SimOptions {
  int crash_per_mille = 25;      // abandon the lease mid-work
  int transient_per_mille = 60;  // failed_retryable
  int permanent_per_mille = 25;  // failed
  int idle_poll_micros = 3000;
};

struct SimCounters {
  std::atomic<int> claims{0};
  std::atomic<int> crashes{0};
  std::atomic<int> lease_lost{0};
  std::atomic<int> transient{0};
  std::atomic<int> permanent{0};
  std::atomic<int> aborted{0};
};

// Runs the worker loop of one driver until `stop` is set.
void RunDriver(Store* store, const std::string& owner, uint64_t seed, const SimOptions& options,
               const std::atomic<bool>& stop, SimCounters& counters);

// Reads operations and requests, derives the apply state and CASes it with `lease`.
// LeaseLost is returned as is; a lost CAS race is retried a few times.
Status ProjectApplyState(Store* store, int64_t apply_id, const Lease& lease);

// Replays the apply's events in order and checks, after every event: the event log is
// consistent (each transition starts from the replayed state); every fenced write
// carries the token of the latest claim (no write by a displaced lease ever landed);
// at most one operation is in cutting_over/revert_window; starts obey the copy gate
// (halt never starts after a failure); swaps start and complete in deployment order.
// Finally the replayed states must equal the stored ones. Returns "" or the problems.
std::string CheckEventLog(Store* store, int64_t apply_id);

}  // namespace ordo::testing

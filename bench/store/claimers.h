// The claim benchmark's timed runs: N claimer threads each calling one claim function
// as fast as it answers, per-claim latency recorded, and the two baselines (on MariaDB
// or PostgreSQL) the store's claim is compared with.
//
// A claim that fails with Aborted (deadlock, lock wait timeout, busy) is retried at
// once and counted; its latency runs from its first attempt to its success.
//
// Thread-safety: RunClaimers owns its threads; a ClaimFn is used by one thread.
//
//   auto stats = RunClaimers(8, 5.0, 30'000, [&](int) -> Result<ClaimFn> {
//     return ClaimFn([&] { ... });
//   });
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ordo/status.h"

namespace ordo::bench {

// One claim attempt: true when a row was claimed, false when none was claimable.
using ClaimFn = std::function<Result<bool>()>;

struct RunStats {
  int claimers = 0;
  int64_t claims = 0;   // within the measured window
  int64_t empty = 0;    // attempts that found nothing to claim
  int64_t retries = 0;  // Aborted answers retried
  double seconds = 0;   // measured window
  double per_second = 0;
  double median_ms = 0;
  double p99_ms = 0;
  std::vector<int64_t> latencies_us;  // every measured claim
};

// Pools several runs of one configuration: claims over total measured time, and the
// percentiles of every sample together.
RunStats Pool(const std::vector<RunStats>& runs);

// Runs `claimers` threads for `warmup_seconds` (not measured) plus `seconds`, or until
// `max_claims` claims were made in total (the work set is finite). `make(i)` builds
// thread i's claim function (its own connection, lease owner, …). With `time_empty`,
// an attempt that found nothing is timed too (its latency joins the percentiles, it
// still counts as empty, not as a claim): for a claim whose work set holds nothing
// for it, the cost of looking.
Result<RunStats> RunClaimers(int claimers, double warmup_seconds, double seconds,
                             int64_t max_claims,
                             const std::function<Result<ClaimFn>(int thread)>& make,
                             bool time_empty = false);

// The bare claim: SELECT the first pending row in (created_at, id) order FOR UPDATE
// SKIP LOCKED; UPDATE it to running with a lease; COMMIT. No gates, no event. READ
// COMMITTED and started as the store's transactions start (MariaDB: autocommit off,
// no START TRANSACTION round trip; PostgreSQL: BEGIN), with the store's session
// settings, so the comparison isolates what the gates and the event cost. `url`:
// mysql://… or postgres://… (its `schema` honoured) of the store's tables.
Result<ClaimFn> BareClaim(const std::string& url, const std::string& owner);
// The naive claim: the same statements as one SERIALIZABLE transaction, FOR UPDATE
// without SKIP LOCKED (claimers queue on the same first row).
Result<ClaimFn> NaiveClaim(const std::string& url, const std::string& owner);

}  // namespace ordo::bench

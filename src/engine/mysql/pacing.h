// CopyPacing: how fast the copy goes. It holds the copy's volume (threads, chunk
// target; SetVolume changes it while the copy runs), the throttle monitor (a thread,
// while the copy runs, that pauses the copy for the primary's load or the replicas'
// lag), the backlog check each copy worker makes before a chunk, and the duty cycle:
// while the change stream shows the application writing the copied tables, the copy
// and the verification rest between their chunks.
//
// Thread-safety: volume(), SetVolume(), throttled(), Paused(), RestUnderWrites() and
// ThrottleReason() from any thread (the copy workers, the trailing verifier, the
// monitor, the engine's callers). Start(), Stop(), BeginTable() and SampleWrites() from
// the engine's thread only; Start() before the copy workers start, Stop() after they
// finished.
//
//   CopyPacing pacing(spec);
//   pacing.Start(pool, applier);
//   pacing.BeginTable(share);
//   options.paused = [&] { return pacing.Paused(in_flight, row_bytes); };
//   ... pacing.SampleWrites(*applier) every tick ...
//   pacing.Stop();
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/throttle.h"
#include "ordo/engine.h"

namespace ordo::engine {

class CopyPacing {
 public:
  // The spec's volume, throttle limits and rest ratios.
  explicit CopyPacing(const EngineSpec& spec);
  ~CopyPacing();  // Stop()
  CopyPacing(const CopyPacing&) = delete;
  CopyPacing& operator=(const CopyPacing&) = delete;

  EngineVolume volume() const ORDO_EXCLUDES(volume_mu_);
  // Stores `volume` (checked by the caller); the copiers running are told by the caller.
  void SetVolume(const EngineVolume& volume) ORDO_EXCLUDES(volume_mu_);

  // Starts the throttle monitor when the spec sets a limit (the backlog, behind
  // `applier`'s applied position; Threads_running; replica lag): it evaluates once
  // before returning, then every throttle_interval_ms. Nothing when it already runs.
  void Start(db::MysqlPool* pool, Applier* applier) ORDO_EXCLUDES(throttle_mu_, volume_mu_);
  // Joins the monitor and forgets the pause and its reasons. Idempotent.
  void Stop() ORDO_EXCLUDES(throttle_mu_, volume_mu_);

  // The monitor pauses the copy (the load, the replicas).
  bool throttled() const { return throttled_; }
  // The check a copy worker makes before a chunk: the monitor's pause, or the backlog
  // (asked afresh) over the limit, or over it once the chunks in flight and the next
  // land. `chunks` gives the table's in-flight rows and next chunk's rows; `row_bytes`
  // is the table's average row size.
  struct Chunks {
    int64_t in_flight_rows = 0;
    int64_t next_rows = 0;
  };
  bool Paused(const std::function<Chunks()>& chunks, int64_t row_bytes) ORDO_EXCLUDES(volume_mu_);

  // A table's copy begins: its rest ratio (rest_under_writes, raised ahead of a deferred
  // index build by the build's estimated share of the copy's writes, `deferred_share`
  // from DeferredBuildShare, at most doubled) and a fresh writes sample.
  void BeginTable(double deferred_share);
  // Updates writes_seen() once a second from the applier's rows_applied (the copy's
  // loop, the verification's rests).
  void SampleWrites(const Applier& applier);
  // The application writes the copied tables at kWritingRowsPerSecond or more (as of
  // the last sample).
  bool writes_seen() const { return writes_seen_; }
  // After a chunk of `chunk_ms`: ratio × chunk_ms while writes_seen(), else 0.
  int64_t RestUnderWrites(int64_t chunk_ms, double ratio) const;
  // The copy's rest ratio of the table being copied (BeginTable).
  double copy_rest() const { return copy_rest_; }

  // The progress's throttle reason: the monitor's, else the backlog's, else the rest
  // under writes of the phase ("copying", "verifying"), else "".
  std::string ThrottleReason(const std::string& phase) const ORDO_EXCLUDES(volume_mu_);

 private:
  // "application writes 2310 rows/s: resting 1x each chunk's time" while the copy or
  // the verification rests under writes, else "".
  std::string RestReason(const std::string& phase) const;

  const int64_t max_backlog_bytes_;
  const int64_t max_threads_running_;
  const std::vector<std::string> replica_dsns_;
  const int64_t max_replica_lag_ms_;
  const int64_t throttle_interval_ms_;
  const double rest_under_writes_;
  const double verify_rest_under_writes_;

  mutable Mutex volume_mu_;
  EngineVolume volume_ ORDO_GUARDED_BY(volume_mu_);
  std::string throttle_reason_ ORDO_GUARDED_BY(volume_mu_);  // the monitor's (load, replicas)
  std::string backlog_reason_ ORDO_GUARDED_BY(volume_mu_);   // the copy workers' (backlog)
  std::atomic<bool> throttled_{false};
  // The duty cycle: whether the change stream showed the application writing the copied
  // tables at kWritingRowsPerSecond or more over the last second (SampleWrites).
  std::atomic<bool> writes_seen_{false};
  std::atomic<int64_t> writes_rate_{0};  // rows a second, as of the last sample
  std::atomic<double> copy_rest_{0};     // the rest ratio of the table being copied
  int64_t writes_sample_ms_ = 0;         // the engine's thread only
  int64_t writes_sample_rows_ = 0;       // the engine's thread only
  // Set before the copy workers start and reset after they finished (Stop), so the
  // workers read it without a lock.
  std::shared_ptr<Throttle> throttle_;
  std::thread throttle_thread_;
  Mutex throttle_mu_;
  std::condition_variable_any throttle_cv_;
  bool throttle_stop_ ORDO_GUARDED_BY(throttle_mu_) = false;
};

}  // namespace ordo::engine

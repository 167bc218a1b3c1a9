// The simulator's engine double and the fake deployments it writes to.
//
// FakeTarget stands for the target databases: it records every write, swap and swap
// back per operation and checks fencing the way the real target-side checkpoint row
// will — a write by an engine whose lease token is not the operation's current token
// in the store is a violation (two live leases), and so is a swap outside
// cutting_over, a second swap, or a swap back outside revert_window or after the old
// table was dropped. A crashed process cannot write at all.
//
// EngineDouble takes the engine's phases in steps on the virtual clock, calling the
// host like the real engine (progress, checkpoints, ShouldStop at every step) and
// failing at random (retryable: target unreachable, cutover timeout; permanent:
// bad DDL, duplicate key, checksum mismatch). It resumes from its checkpoint and,
// like a careful real engine, asks the target whether the swap already happened. In
// a revert window it keeps the old table in sync in steps and can swap back, asking
// the target whether the window already ended (swapped back, or old table dropped).
//
// Only for the simulator: end-to-end tests use the real engine.
//
// Thread-safety: the scheduler runs one task at a time.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "operator/engine_factory.h"
#include "ordo/store.h"
#include "sim_scheduler.h"

namespace ordo::sim {

class FakeTarget {
 public:
  explicit FakeTarget(Store& truth) : truth_(truth) {}

  Status Write(int64_t op, const std::string& token, bool alive, const char* what);
  Status Swap(int64_t op, const std::string& token, bool alive);
  // The swap back of a revert window.
  Status Revert(int64_t op, const std::string& token, bool alive);
  // The end of a window without a revert: the old table is dropped.
  Status DropOld(int64_t op, const std::string& token, bool alive);
  void DropShadow(int64_t op) { shadow_[op] = false; }
  bool swapped(int64_t op) { return swaps_[op] > 0; }
  bool reverted(int64_t op) { return reverts_[op] > 0; }
  bool old_dropped(int64_t op) { return old_dropped_[op]; }
  int reverts(int64_t op) { return reverts_[op]; }
  bool has_shadow(int64_t op) { return shadow_[op]; }
  int swaps(int64_t op) { return swaps_[op]; }
  int64_t writes() const { return writes_; }
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  bool CheckToken(int64_t op, const std::string& token, const char* what);
  // A violation when the store's row of `op` is in another state than `state`.
  void ExpectState(int64_t op, OperationState state, const char* what);

  Store& truth_;
  std::map<int64_t, int> swaps_;
  std::map<int64_t, int> reverts_;
  std::map<int64_t, bool> shadow_;
  std::map<int64_t, bool> old_dropped_;
  int64_t writes_ = 0;
  std::vector<std::string> violations_;
};

struct DoubleOdds {
  double preflight_permanent = 0.01;
  double step_retryable = 0.01;
  double step_permanent = 0.002;
  double cutover_timeout = 0.05;
  double cutover_permanent = 0.01;
};

// One simulated process's engine factory: its engines can write only while the
// process is alive.
class DoubleFactory final : public worker::EngineFactory {
 public:
  // `revert_windows`: apply id → its environment's revert window (shared, owned by
  // the simulation).
  DoubleFactory(FakeTarget& target, SimScheduler& scheduler, DoubleOdds odds,
                const std::map<int64_t, Micros>& revert_windows)
      : target_(target), scheduler_(scheduler), odds_(odds), revert_windows_(revert_windows) {}
  bool alive = true;

  Result<std::unique_ptr<OperationEngine>> NewEngine(const worker::OperationJob& job,
                                                     EngineHost* host) override;
  Micros RevertWindow(const ApplyRecord& apply) override;

 private:
  FakeTarget& target_;
  SimScheduler& scheduler_;
  DoubleOdds odds_;
  const std::map<int64_t, Micros>& revert_windows_;
};

}  // namespace ordo::sim

// Worker: one process's drivers and parked keepers against one store.
//
// Start() spawns `drivers` driver tasks. Notify() is the in-process wake signal (an
// apply was created, a control request recorded) so the drivers tick at once instead
// of at the next poll. Shutdown() is graceful: no new claims; a copy stops at its
// next safe point (checkpoint saved) and is left leased, a parked operation is
// released at the barrier, a cutover in flight finishes; heartbeats stop and other
// workers recover what was left once its lease is stale. Join() waits for all of it.
//
// When the store offers a watch on other processes' turns (Store::WatchTurns) and a
// keeper of this worker is busy, a watcher task waits on it and wakes the bus when
// another process's swap ended, so a parked deployment here asks for its turn at once
// instead of at its next poll.
//
// Thread-safety: all members are safe from any task.
//
//   Worker worker(*store, factory, runtime, logger, options);
//   worker.Start();
//   ...
//   worker.Shutdown();
//   worker.Join();
#pragma once

#include <memory>
#include <vector>

#include "operator/driver.h"
#include "operator/worker_context.h"
#include "ordo/store.h"

namespace ordo::worker {

class Worker {
 public:
  Worker(Store& store, EngineFactory& engines, Runtime& runtime, Logger& logger,
         WorkerOptions options);
  ~Worker();

  void Start();
  void Notify();
  void Shutdown();
  void Join();

  WorkerContext& context() { return *ctx_; }
  // "<owner_prefix>/driver-<n>" for n in 1..drivers.
  std::vector<std::string> Owners() const;

 private:
  std::unique_ptr<WorkerContext> ctx_;
  std::vector<std::unique_ptr<Driver>> drivers_;
  // The watcher's loop: Wait on `turns` while a keeper is busy, wake the bus on a sign.
  void WatchTurns(TurnSignal& turns);

  std::vector<std::unique_ptr<Task>> tasks_;
  std::shared_ptr<TurnSignal> turns_;
  bool started_ = false;
  bool joined_ = false;
};

}  // namespace ordo::worker

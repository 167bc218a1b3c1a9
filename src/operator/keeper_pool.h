// KeeperPool: a bounded set of keeper tasks. A keeper holds a parked operation's
// live engine (keeping its shadow in sync), cuts it over when its turn comes and
// bakes it through the revert window, so the driver that copied it is free to claim
// the next piece of work.
//
// Thread-safety: safe from any task. JoinAll() must not race TryStart().
//
//   KeeperPool pool(runtime, 8);
//   if (!pool.TryStart("keeper eu-1", [run] { run->KeepParked(); })) release_at_barrier();
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "operator/runtime.h"

namespace ordo::worker {

class KeeperPool {
 public:
  KeeperPool(Runtime& runtime, int capacity) : runtime_(runtime), capacity_(capacity) {}
  ~KeeperPool() { JoinAll(); }

  // Starts `body` on a new keeper task when fewer than `capacity` are busy; false
  // (and `body` is not run) when the pool is full.
  bool TryStart(std::string name, std::function<void()> body);
  int busy();
  // Waits for every keeper task to end.
  void JoinAll();

 private:
  struct Slot {
    std::unique_ptr<Task> task;
    std::shared_ptr<bool> done;  // written under mu_
  };
  Runtime& runtime_;
  const int capacity_;
  Mutex mu_;
  int busy_ ORDO_GUARDED_BY(mu_) = 0;
  std::vector<Slot> slots_ ORDO_GUARDED_BY(mu_);
};

}  // namespace ordo::worker

// Driver: one worker task running the tick (docs/model.md, "The worker tick"), in the
// order of kTickOrder (decisions.h): expire exhausted retries, re-derive the applies
// nobody holds, stop reconciliation, the cleanup claim, the cutover claim, the copy
// claim — at most one claim per tick. A claimed operation is driven at once
// (OperationRun) and the next tick follows immediately; an idle driver waits for the
// in-process wake signal or the poll interval.
//
// Thread-safety: Run() on one task; Tick() is for that task (or a test) only.
//
//   Driver d(ctx, 1);       // owner "<host>/<pid>/driver-1"
//   d.Run();                // until ctx.shutdown
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "operator/decisions.h"
#include "operator/worker_context.h"

namespace ordo::worker {

class Driver {
 public:
  Driver(WorkerContext& ctx, int index);

  const std::string& owner() const { return owner_; }
  // Ticks until the worker shuts down.
  void Run();
  // One tick. True when a claim returned something (so the next tick should follow
  // at once); false when there was nothing to do or the store failed.
  bool Tick();

 private:
  void LogStoreError(const char* step, const Status& s);
  // One step of the tick: nullopt to go on with the next step; true when it claimed
  // something (driven already); false to end the tick (nothing more, or an error).
  std::optional<bool> Step(TickStep step);
  // Runs `claim`; drives what it returned (as `source`). Same answers as Step().
  std::optional<bool> ClaimAndDrive(
      const char* what, ClaimSource source,
      const std::function<Result<std::optional<ClaimedOperation>>()>& claim);

  WorkerContext& ctx_;
  std::string owner_;
  Micros last_error_log_ = 0;
};

}  // namespace ordo::worker

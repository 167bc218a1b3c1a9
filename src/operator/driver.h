// Driver: one worker task running the tick (model.md, "The worker tick"):
//   1. expire exhausted retries and re-derive the applies nobody holds; 2. stop
//   reconciliation claim; 3. cleanup claim; 4. cutover claim; 5. copy claim — at most
//   one claim per tick. A claimed operation is driven at once
// (OperationRun) and the next tick follows immediately; an idle driver waits for the
// in-process wake signal or the poll interval.
//
// Thread-safety: Run() on one task; Tick() is for that task (or a test) only.
//
//   Driver d(ctx, 1);       // owner "<host>/<pid>/driver-1"
//   d.Run();                // until ctx.shutdown
#pragma once

#include <string>

#include "operator/worker_context.h"

namespace ordo {

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

  WorkerContext& ctx_;
  std::string owner_;
  Micros last_error_log_ = 0;
};

}  // namespace ordo

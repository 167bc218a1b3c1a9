// WorkerContext: what the drivers, keepers and operation runs of one worker share —
// the store, the engine factory, the runtime, the options, the wake bus and the
// shutdown flag. Owned by Worker; everything else borrows it.
//
// Thread-safety: the pointers are fixed after construction; `shutdown` is atomic;
// the bus and the keeper pool are thread-safe.
#pragma once

#include <atomic>
#include <memory>

#include "core/logger.h"
#include "operator/engine_factory.h"
#include "operator/keeper_pool.h"
#include "operator/runtime.h"
#include "operator/worker_options.h"
#include "ordo/store.h"

namespace ordo::worker {

struct WorkerContext {
  WorkerContext(Store& store, EngineFactory& engines, Runtime& runtime, Logger& logger,
                WorkerOptions options)
      : store(store),
        engines(engines),
        runtime(runtime),
        logger(logger),
        options(std::move(options)),
        bus(runtime.NewSignal()),
        keepers(runtime, this->options.parked_keepers) {}

  Store& store;
  EngineFactory& engines;
  Runtime& runtime;
  Logger& logger;
  const WorkerOptions options;
  // The in-process wake signal: notified when an apply is created, a control request
  // is recorded, an operation ends or parks, and on shutdown. Drivers, keepers and
  // lease monitors wait on it (with their own timeouts), so in-process events are
  // seen at once; other processes' events are seen at the next poll.
  std::unique_ptr<Signal> bus;
  std::atomic<bool> shutdown{false};
  KeeperPool keepers;

  Micros Now() { return runtime.clock().NowMicros(); }
};

}  // namespace ordo::worker

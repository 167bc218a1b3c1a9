#include "operator/worker.h"

#include <algorithm>

namespace ordo::worker {

Worker::Worker(Store& store, EngineFactory& engines, Runtime& runtime, Logger& logger,
               WorkerOptions options)
    : ctx_(std::make_unique<WorkerContext>(store, engines, runtime, logger, std::move(options))) {
  int n = std::max(1, ctx_->options.drivers);
  for (int i = 1; i <= n; ++i) drivers_.push_back(std::make_unique<Driver>(*ctx_, i));
}

Worker::~Worker() {
  Shutdown();
  Join();
}

void Worker::Start() {
  if (started_) return;
  started_ = true;
  ctx_->logger.Log(LogLevel::kInfo, {"", "", ctx_->options.owner_prefix},
                   "worker started: " + std::to_string(drivers_.size()) + " driver(s), " +
                       std::to_string(ctx_->options.parked_keepers) + " parked keeper(s)");
  for (auto& d : drivers_) {
    Driver* driver = d.get();
    tasks_.push_back(ctx_->runtime.Spawn(driver->owner(), [driver] { driver->Run(); }));
  }
  turns_ = ctx_->store.WatchTurns();
  if (turns_) {
    std::shared_ptr<TurnSignal> turns = turns_;
    tasks_.push_back(ctx_->runtime.Spawn("turn watcher", [this, turns] { WatchTurns(*turns); }));
  }
}

void Worker::WatchTurns(TurnSignal& turns) {
  // Short slices, so a shutdown or a keeper that just started is noticed quickly.
  const Micros slice = std::min<Micros>(ctx_->options.poll_interval_micros, 250'000);
  bool failing = false;
  while (!ctx_->shutdown) {
    if (ctx_->keepers.busy() == 0) {  // nothing parked here to wake
      ctx_->bus->WaitFor(ctx_->bus->Generation(), slice);
      continue;
    }
    Result<bool> woke = turns.Wait(slice);
    if (woke.ok()) {
      failing = false;
      if (*woke) ctx_->bus->Notify();
      continue;
    }
    if (!failing)
      ctx_->logger.Log(LogLevel::kWarn, {"", "", ctx_->options.owner_prefix},
                       "turn watch failed (keepers ask at their poll until it recovers): " +
                           woke.status().ToString());
    failing = true;
    ctx_->runtime.SleepFor(ctx_->options.poll_interval_micros);
  }
}

void Worker::Notify() { ctx_->bus->Notify(); }

void Worker::Shutdown() {
  if (ctx_->shutdown.exchange(true)) return;
  ctx_->logger.Log(LogLevel::kInfo, {"", "", ctx_->options.owner_prefix},
                   "shutting down: finishing the current steps");
  ctx_->bus->Notify();
}

void Worker::Join() {
  if (joined_) return;
  joined_ = true;
  for (auto& t : tasks_) t->Join();
  tasks_.clear();
  ctx_->keepers.JoinAll();
}

std::vector<std::string> Worker::Owners() const {
  std::vector<std::string> out;
  for (const auto& d : drivers_) out.push_back(d->owner());
  return out;
}

}  // namespace ordo::worker

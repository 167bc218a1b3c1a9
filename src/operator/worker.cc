#include "operator/worker.h"

#include <algorithm>

namespace ordo {

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

}  // namespace ordo

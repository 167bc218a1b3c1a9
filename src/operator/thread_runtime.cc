// ThreadRuntime: std::thread tasks, SystemClock time, condition-variable signals.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/mutex.h"
#include "operator/runtime.h"

namespace ordo::worker {
namespace {

class ThreadTask final : public Task {
 public:
  explicit ThreadTask(std::function<void()> body) : thread_(std::move(body)) {}
  ~ThreadTask() override { Join(); }
  void Join() override {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

class CondSignal final : public Signal {
 public:
  void Notify() override {
    {
      MutexLock lock(&mu_);
      ++generation_;
    }
    cv_.notify_all();
  }
  uint64_t Generation() override {
    MutexLock lock(&mu_);
    return generation_;
  }
  uint64_t WaitFor(uint64_t seen, Micros timeout_micros) override {
    MutexLock lock(&mu_);
    if (timeout_micros > 0) {
      cv_.wait_for(lock, std::chrono::microseconds(timeout_micros),
                   [&]() ORDO_REQUIRES(mu_) { return generation_ != seen; });
    }
    return generation_;
  }

 private:
  Mutex mu_;
  std::condition_variable_any cv_;
  uint64_t generation_ ORDO_GUARDED_BY(mu_) = 0;
};

}  // namespace

void Runtime::SleepFor(Micros micros) {
  auto signal = NewSignal();
  signal->WaitFor(signal->Generation(), micros);
}

Clock& ThreadRuntime::clock() { return *SystemClock::Default(); }

std::unique_ptr<Task> ThreadRuntime::Spawn(std::string /*name*/, std::function<void()> body) {
  return std::make_unique<ThreadTask>(std::move(body));
}

std::unique_ptr<Signal> ThreadRuntime::NewSignal() { return std::make_unique<CondSignal>(); }

}  // namespace ordo::worker

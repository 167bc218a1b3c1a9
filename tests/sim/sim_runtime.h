// SimRuntime: the operator's Runtime on the simulator's scheduler — virtual clock,
// tasks that run one at a time, signals whose waits are scheduling points.
//
// Thread-safety: as SimScheduler.
#pragma once

#include "operator/runtime.h"
#include "sim_scheduler.h"

namespace ordo::sim {

class SimClock final : public Clock {
 public:
  explicit SimClock(SimScheduler& s) : s_(s) {}
  int64_t NowMicros() override { return s_.Now(); }
  int64_t MonotonicMicros() override { return s_.Now(); }
  void SleepForMicros(int64_t micros) override { s_.Sleep(micros); }

 private:
  SimScheduler& s_;
};

class SimRuntime final : public worker::Runtime {
 public:
  explicit SimRuntime(SimScheduler& s) : s_(s), clock_(s) {}
  Clock& clock() override { return clock_; }
  std::unique_ptr<worker::Task> Spawn(std::string name, std::function<void()> body) override;
  std::unique_ptr<worker::Signal> NewSignal() override;
  void Yield() override { s_.Yield(); }

 private:
  SimScheduler& s_;
  SimClock clock_;
};

}  // namespace ordo::sim

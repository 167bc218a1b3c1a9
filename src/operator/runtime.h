// Runtime: the operator's outside world for time and threads — a clock, tasks
// (threads) and wake signals.
//
// Production uses ThreadRuntime (std::thread, the system clock, condition
// variables). The scheduler simulator (tests/sim) supplies a runtime whose tasks run
// one at a time under a seeded scheduler and whose clock is virtual, so any
// interleaving it finds replays from its seed. Operator code therefore never sleeps,
// spawns or waits except through a Runtime, and never calls the store or waits
// while holding one of its own mutexes.
//
// Thread-safety: every member is safe to call from any task.
//
//   ThreadRuntime rt;
//   auto signal = rt.NewSignal();
//   auto task = rt.Spawn("driver-1", [&] { signal->WaitFor(signal->Generation(), 1'000'000); });
//   signal->Notify();
//   task->Join();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ordo/clock.h"
#include "ordo/model.h"

namespace ordo::worker {

// A wake signal with a generation counter: Notify() bumps the generation and wakes
// every waiter. Waiters pass the generation they last saw, so a notification between
// their check and their wait is never lost.
class Signal {
 public:
  virtual ~Signal() = default;
  virtual void Notify() = 0;
  virtual uint64_t Generation() = 0;
  // Returns once Generation() != seen or `timeout_micros` of runtime-clock time have
  // passed (or at once when timeout_micros <= 0). Returns the current generation.
  virtual uint64_t WaitFor(uint64_t seen, Micros timeout_micros) = 0;
};

// A running task. Join() waits for its body to return.
class Task {
 public:
  virtual ~Task() = default;
  virtual void Join() = 0;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual Clock& clock() = 0;
  // Runs `body` on a new task. `name` is for diagnostics.
  virtual std::unique_ptr<Task> Spawn(std::string name, std::function<void()> body) = 0;
  virtual std::unique_ptr<Signal> NewSignal() = 0;
  // A scheduling point: lets other tasks run. A no-op for real threads.
  virtual void Yield() {}
  // Sleeps on the runtime's clock (a wait on a signal nobody notifies).
  void SleepFor(Micros micros);
};

// Real threads and the system clock.
class ThreadRuntime final : public Runtime {
 public:
  ThreadRuntime() = default;
  Clock& clock() override;
  std::unique_ptr<Task> Spawn(std::string name, std::function<void()> body) override;
  std::unique_ptr<Signal> NewSignal() override;
};

}  // namespace ordo::worker

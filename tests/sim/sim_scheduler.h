// SimScheduler: runs the simulator's tasks one at a time, in an order chosen by a
// seeded RNG, on a virtual clock — so a run is a pure function of its seed.
//
// Every task is a real thread, but only the one holding the baton runs; the others
// wait. A task gives the baton up at its scheduling points: Yield() (the simulated
// store calls it before every call), Block() (waits on a key and/or a virtual
// deadline: sleeps, signals, joins). When no task is runnable, virtual time jumps to
// the earliest deadline. When no task is runnable and none has a deadline, the run
// is deadlocked: the scheduler prints every task and aborts.
//
// Thread-safety: every member may be called from any task (the baton serialises them).
//
//   SimScheduler s(/*seed=*/7);
//   s.AdoptMainThread();
//   int t = s.Spawn("a", [&] { s.Sleep(1000); });
//   s.Join(t);
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ordo/model.h"

namespace ordo::sim {

class SimScheduler {
 public:
  static constexpr Micros kNoDeadline = INT64_MAX;

  explicit SimScheduler(uint64_t seed, Micros start_micros = 1'700'000'000'000'000);
  ~SimScheduler();

  // The calling thread becomes task 0 and holds the baton.
  void AdoptMainThread();
  // A new task; it first runs when the scheduler picks it.
  int Spawn(std::string name, std::function<void()> body);
  void Yield();
  // Gives up the baton until Wake(key) (key may be null: deadline only) or until
  // virtual time reaches `deadline`.
  void Block(const void* key, Micros deadline);
  void Wake(const void* key);
  void Join(int task);
  void Sleep(Micros micros);
  Micros Now();
  uint64_t steps();
  // The scenario's RNG (deterministic: only the baton holder draws from it).
  std::mt19937_64& rng() { return rng_; }
  // Stops the run when steps exceed this (a livelock guard); 0: no limit.
  void set_step_limit(uint64_t limit) { step_limit_ = limit; }

 private:
  enum class State { kRunnable, kBlocked, kDone };
  struct TaskInfo {
    std::string name;
    State state = State::kRunnable;
    const void* key = nullptr;
    Micros deadline = kNoDeadline;
    std::thread thread;
  };

  int Self();
  void PassBaton(std::unique_lock<std::mutex>& lock);
  void WaitTurn(std::unique_lock<std::mutex>& lock, int id);
  [[noreturn]] void Die(const std::string& why);

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<TaskInfo>> tasks_;
  int current_ = -1;
  Micros now_;
  uint64_t steps_ = 0;
  uint64_t step_limit_ = 0;
  std::mt19937_64 pick_rng_;
  std::mt19937_64 rng_;
};

}  // namespace ordo::sim

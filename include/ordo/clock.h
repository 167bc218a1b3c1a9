// Clock: the injectable source of time for code that waits, paces or measures.
//
// Lease arithmetic never uses this clock: staleness is always judged by the store's
// database clock. This clock drives poll intervals, backoff, chunk pacing and
// durations reported to the user. Tests inject FakeClock to run time-dependent code
// without sleeping.
//
// Thread-safety: implementations are safe to call from several threads.
//
//   SystemClock clock;
//   auto start = clock.NowMicros();
//   clock.SleepForMicros(1000);
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace ordo {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (wall clock).
  virtual int64_t NowMicros() = 0;
  // Monotonic microseconds for measuring durations.
  virtual int64_t MonotonicMicros() = 0;
  virtual void SleepForMicros(int64_t micros) = 0;
};

// The real clock. SystemClock::Default() is a process-wide instance.
class SystemClock final : public Clock {
 public:
  static SystemClock* Default();
  int64_t NowMicros() override;
  int64_t MonotonicMicros() override;
  void SleepForMicros(int64_t micros) override;
};

// A clock that only moves when told to. SleepForMicros advances it instead of
// blocking, so code under test that sleeps returns at once.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 1'700'000'000'000'000) : now_(start_micros) {}
  int64_t NowMicros() override;
  int64_t MonotonicMicros() override;
  void SleepForMicros(int64_t micros) override;
  void Advance(int64_t micros);

 private:
  std::mutex mu_;
  int64_t now_;
};

}  // namespace ordo

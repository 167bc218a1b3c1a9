#include "ordo/clock.h"

#include <thread>

namespace ordo {

SystemClock* SystemClock::Default() {
  static SystemClock clock;
  return &clock;
}

int64_t SystemClock::NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SystemClock::SleepForMicros(int64_t micros) {
  if (micros > 0) std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

int64_t FakeClock::NowMicros() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

int64_t FakeClock::MonotonicMicros() { return NowMicros(); }

void FakeClock::SleepForMicros(int64_t micros) { Advance(micros); }

void FakeClock::Advance(int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  if (micros > 0) now_ += micros;
}

}  // namespace ordo

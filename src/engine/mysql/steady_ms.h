// SteadyNowMs: the steady clock in milliseconds, for the engine's deadlines, rests and
// rates (differences only; the epoch means nothing).
#pragma once

#include <chrono>
#include <cstdint>

namespace ordo::engine {

inline int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace ordo::engine

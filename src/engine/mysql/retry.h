// RetryRetryable: runs a statement (or a transaction) again while it fails with a
// retryable error — a deadlock, a lock wait timeout — pausing 5 ms, doubling, capped at
// 500 ms, for up to `retry_for`. Stops at once on success, on an error that is not
// retryable, on LeaseLost (a moved fence is final for the engine, however retryable for
// the operation) and when `give_up()` says so (a broken session, a stop). Returns the
// last attempt's status.
//
// Used by the copy's chunks and the applier's flushes, which meet each other's locks.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "ordo/status.h"

namespace ordo::engine {

inline Status RetryRetryable(std::chrono::milliseconds retry_for,
                             const std::function<Status()>& attempt,
                             const std::function<bool()>& give_up) {
  const auto give_up_at = std::chrono::steady_clock::now() + retry_for;
  for (int n = 0;; ++n) {
    Status s = attempt();
    if (s.ok() || !s.retryable() || s.Is(StatusCode::kLeaseLost) || give_up() ||
        std::chrono::steady_clock::now() >= give_up_at)
      return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(500, 5 << std::min(n, 7))));
  }
}

}  // namespace ordo::engine

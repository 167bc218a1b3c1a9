#include "store/sql/turn_signal.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace ordo::sqlstore {

Result<bool> PollingTurnSignal::Wait(Micros timeout_micros) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout_micros);
  while (true) {
    ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> ids, swapping_());
    std::set<int64_t> now(ids.begin(), ids.end());
    bool ended = seen_ && std::any_of(seen_->begin(), seen_->end(),
                                      [&](int64_t id) { return !now.count(id); });
    seen_ = std::move(now);
    if (ended) return true;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::microseconds(every_micros_)));
  }
}

}  // namespace ordo::sqlstore

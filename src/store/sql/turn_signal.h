// PollingTurnSignal: a watch on other processes' turns (ordo::TurnSignal) for a store
// whose database cannot notify: it lists the operations that are swapping (state
// cutting_over, a short range of the claim index) every `every_micros` and signals
// when one it saw swapping no longer is — a swap ended somewhere, so a parked
// deployment's turn may have come. A swap that starts and ends between two looks, or
// a failure that lets the next deployment go, is not seen: keepers then learn of it at
// their next poll, as without a watch.
//
// Thread-safety: one thread at a time (TurnSignal's contract).
//
//   PollingTurnSignal watch([&] { return store.SwappingIds(); }, 30'000);
//   ORDO_ASSIGN_OR_RETURN(bool woke, watch.Wait(250'000));
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "ordo/store.h"

namespace ordo::sqlstore {

class PollingTurnSignal final : public TurnSignal {
 public:
  using Swapping = std::function<Result<std::vector<int64_t>>()>;
  PollingTurnSignal(Swapping swapping, Micros every_micros)
      : swapping_(std::move(swapping)), every_micros_(every_micros) {}

  Result<bool> Wait(Micros timeout_micros) override;

 private:
  Swapping swapping_;
  const Micros every_micros_;
  std::optional<std::set<int64_t>> seen_;  // swapping at the last look
};

}  // namespace ordo::sqlstore

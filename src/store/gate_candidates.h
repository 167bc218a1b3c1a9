// GateCandidates: a read-only view of what each claim may return, for tests.
//
// A backend that implements it answers with the very candidate queries its claims run
// (without the LIMIT 1), so the differential test can compare the whole "may return"
// set with the reference model (tests/model/reference_model.h) without changing state.
// The claims stay the only writers; these queries never lock or write.
//
// Thread-safety: as the Store that implements it.
//
//   if (auto* g = dynamic_cast<GateCandidates*>(store.get())) {
//     ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> ids, g->CopyCandidates());
//   }
#pragma once

#include <cstdint>
#include <vector>

#include "ordo/status.h"

namespace ordo {

class GateCandidates {
 public:
  virtual ~GateCandidates() = default;
  // Operation ids in (created_at, id) order.
  virtual Result<std::vector<int64_t>> CopyCandidates() = 0;
  virtual Result<std::vector<int64_t>> CutoverCandidates() = 0;
  virtual Result<std::vector<int64_t>> CleanupCandidates() = 0;
  // Apply ids, ascending.
  virtual Result<std::vector<int64_t>> StopCandidates() = 0;
  virtual Result<std::vector<int64_t>> ExpiryCandidates() = 0;
  // Apply ids RederiveUnheldApplies would move, ascending.
  virtual Result<std::vector<int64_t>> RederiveCandidates() = 0;
};

}  // namespace ordo

// The apply-state derivation as SQL: DeriveApplyState(...).state (src/core/derive.h)
// as one expression over the operations `o` of the apply `a` in a `GROUP BY a.id`, for
// the candidate query of Store::RederiveUnheldApplies. Every backend's dialect runs it
// (a comparison counts as 0 or 1 in SUM); the differential test holds it to the C++.
//
// Thread-safety: pure function.
//
//   std::string sql = "SELECT a.id, " + DerivedApplyStateSql(latch) +
//                     " FROM applies a JOIN apply_operations o ON o.apply_id = a.id "
//                     "GROUP BY a.id";
#pragma once

#include <string>

namespace ordo {

// `release_latched`: the backend's predicate "apply `a` has a release request pending
// or completed" (the pause policy's latch).
std::string DerivedApplyStateSql(const std::string& release_latched);

}  // namespace ordo

// Leftovers: ordo's tables on a target judged against a store — still in use by an
// apply of this store, abandoned, or another store's — and what a cleanup does with
// each (`ordo cleanup`, docs/guide.md "Leftover or foreign ordo tables").
//
// The rules: an object whose owning apply is in this store and has not settled is in
// flight and never dropped (cancel the apply first); one whose apply of this store
// settled (or is gone from it), or that has no owner at all, is abandoned and dropped
// by a cleanup; one of another store is dropped only when the user names its apply.
//
// Thread-safety: as the store.
//
//   ORDO_ASSIGN_OR_RETURN(auto objects, ListTargetObjects(dsn));
//   ORDO_ASSIGN_OR_RETURN(auto judged, JudgeLeftovers(&store, store_id, objects));
//   for (const Leftover& l : judged) if (DecideCleanup(l, owner).action == CleanupAction::kDrop) …
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ordo/store.h"
#include "ordo/target.h"

namespace ordo::worker {

enum class LeftoverStatus {
  kInFlight,    // its apply is in this store and has not settled
  kAbandoned,   // its apply of this store settled or is gone; or it has no owner
  kOtherStore,  // another store's: this store cannot tell
};
const char* ToString(LeftoverStatus status);

struct Leftover {
  TargetObject object;
  LeftoverStatus status = LeftoverStatus::kAbandoned;
  bool this_store = false;  // owned by an apply of this store
  std::string why;          // e.g. "its apply ap_… is failed", "no ownership record"
};

// Judges `objects` against `store` (whose Store::StoreId() is `store_id`); a null
// store (none exists yet) owns nothing, so every owned object is another store's.
// The store's errors (an unreachable store) are returned.
Result<std::vector<Leftover>> JudgeLeftovers(Store* store, const std::string& store_id,
                                             std::vector<TargetObject> objects);

enum class CleanupAction {
  kDrop,    // dropped by this cleanup
  kKeep,    // left alone, nothing asked of it (in flight, another store's, another owner)
  kRefuse,  // named by the user (its apply) but in flight: refused
};

struct CleanupDecision {
  CleanupAction action = CleanupAction::kKeep;
  std::string why;  // for kKeep and kRefuse: what the user can do
};

// What a cleanup does with `leftover`. Without `owner` it drops what is abandoned;
// with `owner` (an apply id) only objects of that apply, of any store, unless in
// flight (refused: cancel the apply first).
CleanupDecision DecideCleanup(const Leftover& leftover, const std::optional<std::string>& owner);

}  // namespace ordo::worker

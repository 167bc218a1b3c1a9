#include "operator/leftovers.h"

namespace ordo::worker {

const char* ToString(LeftoverStatus status) {
  switch (status) {
    case LeftoverStatus::kInFlight:
      return "in_flight";
    case LeftoverStatus::kAbandoned:
      return "abandoned";
    case LeftoverStatus::kOtherStore:
      return "other_store";
  }
  return "?";
}

Result<std::vector<Leftover>> JudgeLeftovers(Store* store, const std::string& store_id,
                                             std::vector<TargetObject> objects) {
  std::vector<Leftover> out;
  for (TargetObject& o : objects) {
    Leftover l;
    if (!o.owner) {
      l.status = LeftoverStatus::kAbandoned;
      l.why = o.kind == TargetObjectKind::kLegacyFence ? "left by an older ordo"
                                                       : "no ownership record names it";
    } else if (store == nullptr || o.owner->store_id != store_id) {
      l.status = LeftoverStatus::kOtherStore;
      l.why = "this store cannot tell whether its apply is in flight";
    } else {
      l.this_store = true;
      auto apply = store->FindApply(o.owner->apply_id);
      if (!apply.ok() && !apply.status().Is(StatusCode::kNotFound)) return apply.status();
      if (!apply.ok()) {
        l.status = LeftoverStatus::kAbandoned;
        l.why = "its apply " + o.owner->apply_id + " is no longer in this store";
      } else {
        l.status = IsSettled(apply->state) ? LeftoverStatus::kAbandoned : LeftoverStatus::kInFlight;
        l.why = "its apply " + apply->external_id + " is " + std::string(ToString(apply->state));
      }
    }
    l.object = std::move(o);
    out.push_back(std::move(l));
  }
  return out;
}

CleanupDecision DecideCleanup(const Leftover& leftover, const std::optional<std::string>& owner) {
  const auto& o = leftover.object;
  if (owner) {
    if (!o.owner || o.owner->apply_id != *owner)
      return {CleanupAction::kKeep, "not owned by " + *owner};
    if (leftover.status == LeftoverStatus::kInFlight)
      return {CleanupAction::kRefuse,
              *owner + " has not settled: cancel it first (ordo cancel " + *owner + ")"};
    return {CleanupAction::kDrop, ""};
  }
  switch (leftover.status) {
    case LeftoverStatus::kAbandoned:
      return {CleanupAction::kDrop, ""};
    case LeftoverStatus::kInFlight:
      return {CleanupAction::kKeep, "let " + o.owner->apply_id +
                                        " finish, or cancel it (ordo cancel " + o.owner->apply_id +
                                        ")"};
    case LeftoverStatus::kOtherStore:
      return {CleanupAction::kKeep,
              "if that apply is abandoned, name it: --owner " + o.owner->apply_id};
  }
  return {CleanupAction::kKeep, ""};
}

}  // namespace ordo::worker

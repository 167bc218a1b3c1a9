#include "store/deployment_holder.h"

#include <map>

#include "core/derive.h"

namespace ordo {
namespace {

using S = OperationState;
using A = ApplyState;

constexpr S kOperationStates[] = {S::kPending,     S::kRunning,         S::kWaitingForCutover,
                                  S::kCuttingOver, S::kRevertWindow,    S::kCompleted,
                                  S::kFailed,      S::kFailedRetryable, S::kStopped,
                                  S::kResuming,    S::kCancelled,       S::kReverted};
constexpr A kApplyStates[] = {A::kPending,     A::kRunning,         A::kWaitingForCutover,
                              A::kCuttingOver, A::kRevertWindow,    A::kCompleted,
                              A::kFailed,      A::kFailedRetryable, A::kStopped,
                              A::kCancelled,   A::kReverted,        A::kRunningDegraded,
                              A::kPaused};

// Whether a row in `state` holds its deployment under some derived state of its apply.
bool MayHold(S state, bool start_pending) {
  for (A derived : kApplyStates)
    if (HoldsDeployment(state, derived, start_pending)) return true;
  return false;
}

// The states that may hold at all (`only_with_start` false), or only while a start is
// pending (true), as a SQL list.
std::string StateList(bool only_with_start) {
  std::string out;
  for (S s : kOperationStates) {
    if (!MayHold(s, true) || (only_with_start && MayHold(s, false))) continue;
    out += (out.empty() ? "'" : ",'") + std::string(ToString(s)) + "'";
  }
  return out;
}

// What HoldsDeployment reads of one apply.
struct ApplyHold {
  ApplyState derived = ApplyState::kPending;
  bool start_pending = false;
};

ApplyHold HoldOf(const HolderApplyRows& rows) {
  ApplyHold hold;
  bool latched = false;
  for (const auto& r : rows.requests) {
    if (r.kind == RequestKind::kRelease) latched = r.status != RequestStatus::kFailed;
    if (r.kind == RequestKind::kStart) hold.start_pending = r.status == RequestStatus::kPending;
  }
  hold.derived = DeriveApplyState(rows.operations, latched).state;
  return hold;
}

}  // namespace

Result<std::optional<std::string>> FindDeploymentHolder(const std::vector<std::string>& deployments,
                                                        const DeploymentHolderReads& reads) {
  std::map<int64_t, ApplyHold> holds;
  for (const auto& deployment : deployments) {
    ORDO_ASSIGN_OR_RETURN(std::vector<HolderCandidate> candidates, reads.candidates_on(deployment));
    for (const auto& c : candidates) {
      auto it = holds.find(c.apply_id);
      if (it == holds.end()) {
        ORDO_ASSIGN_OR_RETURN(HolderApplyRows rows, reads.apply_rows(c.apply_id));
        it = holds.emplace(c.apply_id, HoldOf(rows)).first;
      }
      if (!HoldsDeployment(c.state, it->second.derived, it->second.start_pending)) continue;
      return std::optional<std::string>("deployment " + deployment + " is held by apply " +
                                        c.apply_external_id + " (operation " +
                                        std::string(ToString(c.state)) + ")");
    }
  }
  return std::optional<std::string>();
}

std::string DeploymentHolderPrefilterSql(const std::string& start_pending) {
  // One IN list of states, so that a (deployment, state) index serves it.
  std::string out = "(o.state IN (" + StateList(false) + ")";
  std::string with_start = StateList(true);
  if (!with_start.empty())
    out += " AND (o.state NOT IN (" + with_start + ") OR " + start_pending + ")";
  return out + ")";
}

}  // namespace ordo

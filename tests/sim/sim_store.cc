#include "sim_store.h"

namespace ordo::sim {

bool SimStore::Draw(double p) {
  if (p <= 0) return false;
  return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

Status SimStore::Before() {
  runtime_.Yield();
  if (faults.down) return Unavailable("simulated: store unreachable");
  if (Draw(faults.fail_before)) return Aborted("simulated: busy");
  return Status::Ok();
}

Status SimStore::After(Status s) {
  if (s.ok() && Draw(faults.fail_after)) return Unavailable("simulated: acknowledgement lost");
  return s;
}

#define SIM_BEFORE()                           \
  do {                                         \
    Status sim_before_ = Before();             \
    if (!sim_before_.ok()) return sim_before_; \
  } while (0)

Result<Micros> SimStore::Now() {
  SIM_BEFORE();
  return inner_.Now();
}
Result<ApplyRecord> SimStore::CreateApply(const NewApply& a) {
  SIM_BEFORE();
  return After(inner_.CreateApply(a));
}
Result<ApplyRecord> SimStore::GetApply(int64_t id) {
  SIM_BEFORE();
  return inner_.GetApply(id);
}
Result<ApplyRecord> SimStore::FindApply(std::string_view id) {
  SIM_BEFORE();
  return inner_.FindApply(id);
}
Result<std::vector<ApplyRecord>> SimStore::ListApplies(int limit) {
  SIM_BEFORE();
  return inner_.ListApplies(limit);
}
Result<std::vector<OperationRecord>> SimStore::ListOperations(int64_t id) {
  SIM_BEFORE();
  return inner_.ListOperations(id);
}
Result<OperationRecord> SimStore::GetOperation(int64_t id) {
  SIM_BEFORE();
  return inner_.GetOperation(id);
}
Result<std::vector<ChangeRecord>> SimStore::ListChanges(int64_t id) {
  SIM_BEFORE();
  return inner_.ListChanges(id);
}
Result<std::optional<std::string>> SimStore::HolderOfDeployments(int64_t id) {
  SIM_BEFORE();
  return inner_.HolderOfDeployments(id);
}

Result<std::optional<ClaimedOperation>> SimStore::ClaimNextCopy(std::string_view owner) {
  SIM_BEFORE();
  return After(inner_.ClaimNextCopy(owner));
}
Result<std::optional<ClaimedOperation>> SimStore::ClaimNextCutover(std::string_view owner) {
  SIM_BEFORE();
  return After(inner_.ClaimNextCutover(owner));
}
Result<std::optional<StopReconciliation>> SimStore::ClaimNextStop(std::string_view owner) {
  SIM_BEFORE();
  return After(inner_.ClaimNextStop(owner));
}
Result<std::optional<ClaimedOperation>> SimStore::ClaimNextCleanup(std::string_view owner) {
  SIM_BEFORE();
  return After(inner_.ClaimNextCleanup(owner));
}
Result<bool> SimStore::BeginCutover(const Lease& lease) {
  SIM_BEFORE();
  return After(inner_.BeginCutover(lease));
}

Status SimStore::Heartbeat(const Lease& lease) {
  SIM_BEFORE();
  return After(inner_.Heartbeat(lease));
}
Status SimStore::TransitionOperation(const Lease& lease, OperationState to,
                                     std::optional<std::string> error) {
  SIM_BEFORE();
  Status s = inner_.TransitionOperation(lease, to, std::move(error));
  if (s.ok() && Draw(faults.crash_after_transition)) {
    faults.down = faults.crashed = true;
    return Unavailable("simulated: the process died after the transition");
  }
  return After(s);
}
Status SimStore::CompleteOwingCleanup(const Lease& lease) {
  SIM_BEFORE();
  Status s = inner_.CompleteOwingCleanup(lease);
  if (s.ok() && Draw(faults.crash_after_transition)) {
    faults.down = faults.crashed = true;
    return Unavailable("simulated: the process died after the transition");
  }
  return After(s);
}
Status SimStore::Park(const Lease& lease) {
  SIM_BEFORE();
  return After(inner_.Park(lease));
}
Status SimStore::SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& p) {
  SIM_BEFORE();
  return After(inner_.SaveProgress(lease, p));
}
Status SimStore::SaveResumeState(const Lease& lease, std::string_view json) {
  SIM_BEFORE();
  return After(inner_.SaveResumeState(lease, json));
}
Result<bool> SimStore::CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                                     std::optional<std::string> error) {
  SIM_BEFORE();
  return After(inner_.CasApplyState(lease, expected, next, std::move(error)));
}

Result<RequestAnswer> SimStore::RequestControl(int64_t id, RequestKind kind, std::string_view by) {
  SIM_BEFORE();
  return inner_.RequestControl(id, kind, by);
}
Status SimStore::CompleteRequest(int64_t id, RequestKind kind) {
  SIM_BEFORE();
  return After(inner_.CompleteRequest(id, kind));
}
Status SimStore::FailRequest(int64_t id, RequestKind kind, std::string_view error) {
  SIM_BEFORE();
  return After(inner_.FailRequest(id, kind, error));
}
Result<std::vector<ControlRequestRecord>> SimStore::ListRequests(int64_t id) {
  SIM_BEFORE();
  return inner_.ListRequests(id);
}

Result<int> SimStore::ExpireRetries() {
  SIM_BEFORE();
  return After(inner_.ExpireRetries());
}
Result<int> SimStore::RederiveUnheldApplies() {
  SIM_BEFORE();
  return After(inner_.RederiveUnheldApplies());
}
Status SimStore::AppendEvent(const EventRecord& e) {
  SIM_BEFORE();
  return After(inner_.AppendEvent(e));
}
Result<std::vector<EventRecord>> SimStore::ListEvents(int64_t id) {
  SIM_BEFORE();
  return inner_.ListEvents(id);
}

#undef SIM_BEFORE

}  // namespace ordo::sim

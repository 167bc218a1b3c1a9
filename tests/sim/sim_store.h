// SimStore: one simulated process's view of the shared control store. Every call is
// a scheduling point (the simulator may switch tasks before it), and faults are
// injected here: the process being cut off from the store (`down`: crashed or
// partitioned), transient failures before a call ran (busy, deadlock), and
// acknowledgements lost after a write committed (the caller sees an error for a
// write that happened), and the process dying right after an operation's transition
// committed — before the apply's compare-and-swap that follows it.
//
// Thread-safety: as the wrapped store; fault settings are plain fields written by the
// simulator's main task (the scheduler serialises tasks).
#pragma once

#include <random>

#include "operator/runtime.h"
#include "ordo/store.h"

namespace ordo::sim {

struct StoreFaults {
  bool down = false;
  double fail_before = 0;  // probability a call fails without running
  double fail_after = 0;   // probability a write's success is reported as a failure
  // Probability the process dies right after a transition committed; `crashed` then
  // says so (and `down` is set) until the simulator reaps the process.
  double crash_after_transition = 0;
  bool crashed = false;
};

class SimStore final : public Store {
 public:
  SimStore(Store& inner, worker::Runtime& runtime, std::mt19937_64& rng)
      : inner_(inner), runtime_(runtime), rng_(rng) {}
  StoreFaults faults;

  Status Migrate() override { return inner_.Migrate(); }
  Result<int> SchemaVersion() override { return inner_.SchemaVersion(); }
  Result<std::string> StoreId() override { return inner_.StoreId(); }
  Result<Micros> Now() override;

  Result<ApplyRecord> CreateApply(const NewApply& apply) override;
  Result<ApplyRecord> GetApply(int64_t apply_id) override;
  Result<ApplyRecord> FindApply(std::string_view external_id) override;
  Result<std::vector<ApplyRecord>> ListApplies(int limit) override;
  Result<std::vector<OperationRecord>> ListOperations(int64_t apply_id) override;
  Result<OperationRecord> GetOperation(int64_t operation_id) override;
  Result<std::vector<ChangeRecord>> ListChanges(int64_t operation_id) override;
  Result<std::optional<std::string>> HolderOfDeployments(int64_t apply_id) override;

  Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCutover(std::string_view owner) override;
  Result<std::optional<StopReconciliation>> ClaimNextStop(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCleanup(std::string_view owner) override;
  Result<bool> BeginCutover(const Lease& lease) override;

  Status Heartbeat(const Lease& lease) override;
  Status TransitionOperation(const Lease& lease, OperationState to,
                             std::optional<std::string> error) override;
  Status CompleteOwingCleanup(const Lease& lease) override;
  Status Park(const Lease& lease) override;
  Status SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) override;
  Status SaveResumeState(const Lease& lease, std::string_view resume_state_json) override;
  Result<bool> CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                             std::optional<std::string> error) override;

  Result<RequestAnswer> RequestControl(int64_t apply_id, RequestKind kind,
                                       std::string_view requested_by) override;
  Status CompleteRequest(int64_t apply_id, RequestKind kind) override;
  Status FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) override;
  Result<std::vector<ControlRequestRecord>> ListRequests(int64_t apply_id) override;

  Result<int> ExpireRetries() override;
  Result<int> RederiveUnheldApplies() override;
  Status AppendEvent(const EventRecord& event) override;
  Result<std::vector<EventRecord>> ListEvents(int64_t apply_id) override;

 private:
  // Scheduling point + fault before the call: non-ok means "do not run it".
  Status Before();
  // Fault after a write ran: replaces success by a lost acknowledgement.
  Status After(Status s);
  template <typename T>
  Result<T> After(Result<T> r) {
    if (r.ok() && Draw(faults.fail_after)) return Unavailable("simulated: acknowledgement lost");
    return r;
  }
  bool Draw(double p);

  Store& inner_;
  worker::Runtime& runtime_;
  std::mt19937_64& rng_;
};

}  // namespace ordo::sim

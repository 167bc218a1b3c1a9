#include "invariants.h"

#include <map>

#include "core/derive.h"

namespace ordo::sim {
namespace {

struct Checker {
  const ApplyRecord& apply;
  const std::vector<OperationRecord>& ops;
  bool release_latched;
  std::vector<std::string>& out;
  std::map<int64_t, size_t> index;
  std::vector<OperationState> state;

  void Fail(const std::string& what) { out.push_back(apply.external_id + ": " + what); }

  bool Exempt(size_t earlier, size_t r) const {
    if (state[earlier] != OperationState::kFailed) return false;
    OnFailure f = ParseOnFailure(ops[r].on_failure);
    return f == OnFailure::kContinue || (f == OnFailure::kPause && release_latched);
  }

  void CheckStart(size_t r, const EventRecord& e) {
    CutoverPolicy policy = ParseCutoverPolicy(ops[r].cutover_policy);
    if (policy == CutoverPolicy::kParallel) return;
    for (size_t i = 0; i < r; ++i) {
      bool ok = policy == CutoverPolicy::kRolling ? state[i] == OperationState::kCompleted
                                                  : IsPastBarrier(state[i]);
      if (!ok && !Exempt(i, r))
        Fail("event " + std::to_string(e.id) + ": " + ops[r].deployment +
             " started copying while " + ops[i].deployment + " was " +
             std::string(ToString(state[i])) + " (" + ops[r].cutover_policy + ", " +
             ops[r].on_failure + ")");
    }
  }

  void CheckCutover(size_t r, const EventRecord& e) {
    for (size_t i = 0; i < ops.size(); ++i) {
      if (i == r) continue;
      if (i < r && state[i] != OperationState::kCompleted && !Exempt(i, r))
        Fail("event " + std::to_string(e.id) + ": " + ops[r].deployment +
             " began its cutover while " + ops[i].deployment + " was " +
             std::string(ToString(state[i])));
      if (state[i] == OperationState::kCuttingOver || state[i] == OperationState::kRevertWindow)
        Fail("event " + std::to_string(e.id) + ": cutovers of " + ops[r].deployment + " and " +
             ops[i].deployment + " overlap");
    }
  }

  void Replay(const std::vector<EventRecord>& events) {
    for (size_t i = 0; i < ops.size(); ++i) index[ops[i].id] = i;
    state.assign(ops.size(), OperationState::kPending);
    for (const EventRecord& e : events) {
      if (!e.operation_id || !e.to_state) continue;
      auto to = ParseOperationState(*e.to_state);
      if (!to) continue;
      auto it = index.find(*e.operation_id);
      if (it == index.end()) continue;
      size_t r = it->second;
      OperationState from = state[r];
      if (from == *to) continue;
      if (from == OperationState::kPending && *to == OperationState::kRunning) CheckStart(r, e);
      if (*to == OperationState::kCuttingOver) CheckCutover(r, e);
      state[r] = *to;
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      if (state[i] != ops[i].state)
        Fail(ops[i].deployment + ": events replay to " + std::string(ToString(state[i])) +
             " but the row is " + std::string(ToString(ops[i].state)));
    }
  }
};

}  // namespace

std::vector<std::string> CheckInvariants(Store& store, FakeTarget& target,
                                         const std::vector<int64_t>& apply_ids) {
  std::vector<std::string> out = target.violations();
  for (int64_t id : apply_ids) {
    auto apply = store.GetApply(id);
    auto ops = store.ListOperations(id);
    auto events = store.ListEvents(id);
    auto requests = store.ListRequests(id);
    if (!apply.ok() || !ops.ok() || !events.ok() || !requests.ok()) {
      out.push_back("apply " + std::to_string(id) + ": cannot read it back");
      continue;
    }
    bool latched = false;
    for (const auto& r : *requests)
      if (r.kind == RequestKind::kRelease && r.status != RequestStatus::kFailed) latched = true;
    Checker c{*apply, *ops, latched, out, {}, {}};
    c.Replay(*events);

    if (!IsSettled(apply->state))
      c.Fail("ended " + std::string(ToString(apply->state)) + ", not settled");
    DerivedApplyState derived = DeriveApplyState(*ops, latched);
    if (derived.state != apply->state)
      c.Fail("stored state " + std::string(ToString(apply->state)) +
             " but its operations derive to " + std::string(ToString(derived.state)));
    for (const OperationRecord& op : *ops) {
      if (!IsSettled(op.state)) c.Fail(op.deployment + " ended " + std::string(ToString(op.state)));
      if (op.state == OperationState::kCancelled && target.has_shadow(op.id))
        c.Fail(op.deployment + " is cancelled but its shadow table is still on the target");
      int swaps = target.swaps(op.id);
      bool reverted = op.state == OperationState::kReverted;
      int expected = op.state == OperationState::kCompleted || reverted ? 1 : 0;
      if (swaps != expected)
        c.Fail(op.deployment + " is " + std::string(ToString(op.state)) +
               " but the target was swapped " + std::to_string(swaps) + " time(s)");
      int reverts = target.reverts(op.id);
      if (reverts != (reverted ? 1 : 0))
        c.Fail(op.deployment + " is " + std::string(ToString(op.state)) +
               " but the target was swapped back " + std::to_string(reverts) + " time(s)");
    }
  }
  return out;
}

}  // namespace ordo::sim

#include "rollout_sim.h"

#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "core/derive.h"

namespace ordo::testing {
namespace {

using S = OperationState;

Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// Repeats a store call while it answers Aborted (busy); other answers pass through.
template <typename F>
auto Retry(SimCounters& counters, F call) {
  auto r = call();
  for (int i = 0; i < 20 && StatusOf(r).Is(StatusCode::kAborted); ++i) {
    counters.aborted++;
    r = call();
  }
  return r;
}

// One driver's handling of one claimed operation, in the shape of an engine.
class Drive {
 public:
  Drive(Store* store, ClaimedOperation claimed, std::mt19937_64& rng, const SimOptions& options,
        SimCounters& counters)
      : store_(store), c_(std::move(claimed)), rng_(rng), options_(options), counters_(counters) {}

  void Run(S now_state) {
    auto ops = store_->ListOperations(c_.operation.apply_id);
    auto apply = store_->GetApply(c_.operation.apply_id);
    if (!ops.ok() || !apply.ok()) return;
    multi_ = ops->size() > 1;
    deferred_ = apply->options.defer_cutover;
    policy_ = ParseCutoverPolicy(c_.operation.cutover_policy);
    switch (now_state) {
      case S::kRunning:
      case S::kResuming:
      case S::kFailedRetryable:
        if (!Copy()) return;
        [[fallthrough]];
      case S::kWaitingForCutover:
        if (!AwaitTurn()) return;
        [[fallthrough]];
      case S::kCuttingOver:
        if (!Cutover()) return;
        [[fallthrough]];
      case S::kRevertWindow:
        (void)Finish();
        return;
      default:
        return;
    }
  }

 private:
  bool Roll(int per_mille) { return static_cast<int>(rng_() % 1000) < per_mille; }

  // False (stop driving) on any error: lease lost, not found, or persistent busy.
  template <typename F>
  bool Ok(F call) {
    Status s = StatusOf(Retry(counters_, call));
    if (s.Is(StatusCode::kLeaseLost)) counters_.lease_lost++;
    return s.ok();
  }

  bool Move(S to, std::optional<std::string> error = std::nullopt) {
    if (!Ok([&] { return store_->TransitionOperation(c_.lease, to, error); })) return false;
    return Ok([&] { return ProjectApplyState(store_, c_.operation.apply_id, c_.lease); });
  }

  bool Crash() {
    if (!Roll(options_.crash_per_mille)) return false;
    counters_.crashes++;
    return true;
  }

  bool Copy() {
    if (!Move(S::kRunning)) return false;
    for (int chunk = 0; chunk < 2; ++chunk) {
      if (Crash()) return false;
      std::string resume = "{\"chunk\":" + std::to_string(chunk) + "}";
      if (!Ok([&] { return store_->SaveResumeState(c_.lease, resume); })) return false;
    }
    if (Roll(options_.transient_per_mille)) {
      counters_.transient++;
      (void)Move(S::kFailedRetryable, "lock wait timeout");
      return false;
    }
    if (Roll(options_.permanent_per_mille)) {
      counters_.permanent++;
      (void)Move(S::kFailed, "duplicate key");
      return false;
    }
    return true;
  }

  // Copy done: rolling and single-operation rollouts swap at once; barrier/parallel
  // (and every deferred rollout) park, either released or holding the lease.
  bool AwaitTurn() {
    bool automatic = multi_ && policy_ != CutoverPolicy::kRolling;
    if (!automatic && !deferred_) return Move(S::kCuttingOver);
    if (deferred_ || rng_() % 2 == 0) {
      (void)Ok([&] { return store_->Park(c_.lease); });
      (void)ProjectApplyState(store_, c_.operation.apply_id, Lease{});
      return false;
    }
    if (!Move(S::kWaitingForCutover)) return false;
    for (int i = 0; i < 20; ++i) {
      auto turn = Retry(counters_, [&] { return store_->BeginCutover(c_.lease); });
      if (!turn.ok()) return false;
      if (*turn)
        return Ok([&] { return ProjectApplyState(store_, c_.operation.apply_id, c_.lease); });
      if (Crash()) return false;
      if (!Ok([&] { return store_->Heartbeat(c_.lease); })) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    (void)Ok([&] { return store_->Park(c_.lease); });
    return false;
  }

  bool Cutover() {
    if (Crash()) return false;
    if (Roll(options_.permanent_per_mille / 2)) {
      counters_.permanent++;
      (void)Move(S::kFailed, "cutover lock timeout exhausted");
      return false;
    }
    if (rng_() % 3 != 0 && !Move(S::kRevertWindow)) return false;
    return !Crash();
  }

  bool Finish() { return Move(S::kCompleted); }

  Store* store_;
  ClaimedOperation c_;
  std::mt19937_64& rng_;
  const SimOptions& options_;
  SimCounters& counters_;
  bool multi_ = false;
  bool deferred_ = false;
  CutoverPolicy policy_ = CutoverPolicy::kRolling;
};

// The state a claim left the row in, from the state it returned.
S AfterCopyClaim(S before) {
  if (before == S::kPending) return S::kRunning;
  if (before == S::kStopped) return S::kResuming;
  return before;
}

}  // namespace

Status ProjectApplyState(Store* store, int64_t apply_id, const Lease& lease) {
  if (lease.token.empty()) return Status::Ok();  // released: the next holder projects
  for (int attempt = 0; attempt < 5; ++attempt) {
    ORDO_ASSIGN_OR_RETURN(auto ops, store->ListOperations(apply_id));
    ORDO_ASSIGN_OR_RETURN(auto requests, store->ListRequests(apply_id));
    ORDO_ASSIGN_OR_RETURN(auto apply, store->GetApply(apply_id));
    bool latched = false;
    for (const auto& r : requests)
      latched |= r.kind == RequestKind::kRelease && r.status != RequestStatus::kFailed;
    DerivedApplyState d = DeriveApplyState(ops, latched);
    ORDO_ASSIGN_OR_RETURN(bool swapped, store->CasApplyState(lease, apply.state, d.state, d.error));
    if (swapped) return Status::Ok();
  }
  return Status::Ok();  // someone else keeps moving it; their projection wins
}

void RunDriver(Store* store, const std::string& owner, uint64_t seed, const SimOptions& options,
               const std::atomic<bool>& stop, SimCounters& counters) {
  std::mt19937_64 rng(seed);
  int idle = 0;
  while (!stop.load()) {
    (void)store->ExpireRetries();
    (void)store->RederiveUnheldApplies();
    (void)store->ClaimNextStop(owner);
    auto cut = store->ClaimNextCutover(owner);
    if (cut.ok() && cut->has_value()) {
      counters.claims++;
      S before = (*cut)->operation.state;
      S now = before == S::kWaitingForCutover ? S::kCuttingOver : before;
      Drive(store, std::move(**cut), rng, options, counters).Run(now);
      idle = 0;
      continue;
    }
    auto copy = store->ClaimNextCopy(owner);
    if (copy.ok() && copy->has_value()) {
      counters.claims++;
      S now = AfterCopyClaim((*copy)->operation.state);
      Drive(store, std::move(**copy), rng, options, counters).Run(now);
      idle = 0;
      continue;
    }
    idle = std::min(idle + 1, 8);
    std::this_thread::sleep_for(std::chrono::microseconds(options.idle_poll_micros * idle));
  }
}

namespace {

std::string TokenIn(const std::string& message) {
  size_t at = message.find("token=");
  if (at == std::string::npos) return "";
  size_t start = at + 6;
  size_t end = message.find_first_of(" :", start);
  return message.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool ParseState(const std::optional<std::string>& text, S& out) {
  if (!text) return false;
  auto parsed = ParseOperationState(*text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}

}  // namespace

std::string CheckEventLog(Store* store, int64_t apply_id) {
  auto ops = store->ListOperations(apply_id);
  auto events = store->ListEvents(apply_id);
  if (!ops.ok() || !events.ok()) return "cannot read apply " + std::to_string(apply_id);
  std::ostringstream problems;
  std::map<int64_t, size_t> index;  // operation id → deployment position
  for (size_t i = 0; i < ops->size(); ++i) index[(*ops)[i].id] = i;
  std::vector<S> state(ops->size(), S::kPending);
  std::vector<std::string> token(ops->size());
  bool latched = false;
  auto exempt = [&](size_t earlier, size_t r) {
    if (state[earlier] != S::kFailed) return false;
    OnFailure f = ParseOnFailure((*ops)[r].on_failure);
    return f == OnFailure::kContinue || (f == OnFailure::kPause && latched);
  };
  auto swap_order_ok = [&](size_t r) {
    for (size_t e = 0; e < r; ++e)
      if (state[e] != S::kCompleted && !exempt(e, r)) return false;
    return true;
  };
  auto copy_gate_ok = [&](size_t r) {
    CutoverPolicy p = ParseCutoverPolicy((*ops)[r].cutover_policy);
    for (size_t e = 0; e < r; ++e) {
      if (p == CutoverPolicy::kParallel || exempt(e, r)) continue;
      if (p == CutoverPolicy::kBarrier ? !IsPastBarrier(state[e]) : state[e] != S::kCompleted)
        return false;
    }
    return true;
  };
  for (const auto& e : *events) {
    std::string where = "event " + std::to_string(e.id) + " (" + e.kind + " " +
                        e.from_state.value_or("-") + "→" + e.to_state.value_or("-") + " " +
                        e.message + "): ";
    if (e.kind == "control_request" && e.message.rfind("release requested", 0) == 0) latched = true;
    if (!e.operation_id) continue;
    auto it = index.find(*e.operation_id);
    if (it == index.end()) continue;
    size_t r = it->second;
    if (e.kind == "lease_lost") continue;
    S from_value = S::kPending;
    S to_value = S::kPending;
    if (!ParseState(e.from_state, from_value) || !ParseState(e.to_state, to_value)) {
      problems << where << "missing states\n";
      continue;
    }
    const S* from = &from_value;
    const S* to = &to_value;
    if (*from != state[r]) problems << where << "starts from " << ToString(state[r]) << "\n";
    std::string t = TokenIn(e.message);
    if (e.kind == "claimed") {
      if (*from == S::kPending && !copy_gate_ok(r)) problems << where << "started out of order\n";
      token[r] = t;
    } else if (!t.empty() && t != token[r]) {
      problems << where << "written by a displaced lease (current " << token[r] << ")\n";
    } else if (t.empty()) {
      token[r].clear();  // store-internal transition (stop reconciliation, expiry, start)
    }
    if (e.kind == "parked") token[r].clear();
    if (*to == S::kCuttingOver && *from != S::kCuttingOver && !swap_order_ok(r))
      problems << where << "swap started before an earlier deployment completed\n";
    if (*to == S::kCompleted && *from != S::kCompleted && !swap_order_ok(r))
      problems << where << "completed before an earlier deployment\n";
    state[r] = *to;
    int swapping = 0;
    for (S s : state) swapping += s == S::kCuttingOver || s == S::kRevertWindow;
    if (swapping > 1) problems << where << swapping << " operations swapping at once\n";
  }
  for (size_t i = 0; i < ops->size(); ++i) {
    if (state[i] != (*ops)[i].state)
      problems << "operation " << (*ops)[i].id << ": events end at " << ToString(state[i])
               << " but the row is " << ToString((*ops)[i].state) << "\n";
  }
  return problems.str();
}

}  // namespace ordo::testing

// Conformance: the differential test. For thousands of random store
// states, every claim's "may return" set equals the reference model's
// (src/core/reference_model.h), and each claim returns the first of that set in
// (created_at, id) order with the row's pre-claim state (the cleanup claim included);
// and re-deriving the applies
// nobody holds moves exactly the applies the model names, to their derived states.
//
// The "may return" sets come from the backend's read-only candidate queries
// (GateCandidates: the very queries its claims run, without LIMIT 1); a backend that
// does not offer them is still checked claim by claim. SQLite runs 2000 rounds,
// server backends 200 (ORDO_DIFFERENTIAL_ROUNDS overrides). Each round is seeded from
// ORDO_DIFFERENTIAL_SEED (default: random, printed) + round number, so a failure
// prints the seed that replays it:
//   ORDO_DIFFERENTIAL_SEED=<seed> ORDO_DIFFERENTIAL_ROUNDS=1 store_differential_test
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "model/reference_model.h"
#include "store/gate_candidates.h"
#include "store_suite.h"

namespace ordo::testing {
namespace {

using S = OperationState;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

enum class FailedAt { kNull, kFresh, kOld };

class Differential : public StoreSuite {
 protected:
  // Builds one random state and remembers what the store cannot report back
  // (failed_at) for the snapshot.
  void Generate(std::mt19937_64& rng) {
    failed_at_.clear();
    auto pick = [&](auto const& options) { return options[rng() % options.size()]; };
    static const std::vector<std::string> kPolicies = {"rolling", "barrier", "parallel", "bogus"};
    static const std::vector<std::string> kOnFailure = {"halt", "continue", "pause", "bogus"};
    static const std::vector<S> kStates = {
        S::kPending,   S::kRunning, S::kWaitingForCutover, S::kCuttingOver, S::kRevertWindow,
        S::kCompleted, S::kFailed,  S::kFailedRetryable,   S::kStopped,     S::kResuming,
        S::kCancelled, S::kReverted};
    static const std::vector<ApplyState> kApplyStates = {
        ApplyState::kPending,     ApplyState::kRunning,         ApplyState::kFailedRetryable,
        ApplyState::kStopped,     ApplyState::kFailed,          ApplyState::kCompleted,
        ApplyState::kPaused,      ApplyState::kRunningDegraded, ApplyState::kWaitingForCutover,
        ApplyState::kCuttingOver, ApplyState::kRevertWindow,    ApplyState::kCancelled};
    static const std::vector<RequestKind> kKinds = {RequestKind::kStop, RequestKind::kStart,
                                                    RequestKind::kCutover, RequestKind::kRelease,
                                                    RequestKind::kCancel};
    static const std::vector<RequestStatus> kStatuses = {
        RequestStatus::kPending, RequestStatus::kCompleted, RequestStatus::kFailed};

    int applies = 1 + static_cast<int>(rng() % 4);
    std::vector<int> order(applies);
    for (int i = 0; i < applies; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (int i = 0; i < applies; ++i) {
      int n = 1 + static_cast<int>(rng() % 4);
      // Mostly "real" rows: the leading ops further along than the later ones.
      std::string policy = pick(kPolicies);
      std::string on_failure = pick(kOnFailure);
      auto a = Create("rolling", "halt", n, rng() % 5 == 0);
      auto ids = OpIds(a.id);
      // Unknown values cannot be created; written as raw SQL they must fail closed.
      Exec("UPDATE apply_operations SET cutover_policy = '" + policy + "', on_failure = '" +
           on_failure + "' WHERE apply_id = " + std::to_string(a.id));
      for (int64_t id : ids) {
        S state = pick(kStates);
        bool stale = rng() % 2 == 0;
        bool token = rng() % 4 != 0;
        // Owed cleanups mostly on failed and completed rows (retry expiry and the end of
        // a turn mark only those), and now and then on another state, where no gate
        // may read the flag.
        bool owed = rng() % (state == S::kFailed || state == S::kCompleted ? 2 : 8) == 0;
        std::string sid = std::to_string(id);
        SetOpSql(id,
                 "state = '" + std::string(ToString(state)) +
                     "', lease_token = " + (token ? "'tok-" + sid + "'" : std::string("NULL")) +
                     ", lease_owner = " + (token ? "'someone/" + sid + "'" : std::string("NULL")) +
                     ", cleanup_pending = " + (owed ? "1" : "0") +
                     ", updated_at = " + (stale ? StaleSql() : NowSql()));
      }
      // Distinct creation times per apply, in shuffled order, a second apart.
      Exec("UPDATE apply_operations SET created_at = " +
           backend_->MicrosAgoSql(int64_t{1'000'000} * (order[i] + 1)) +
           " WHERE apply_id = " + std::to_string(a.id));
      ApplyState as = pick(kApplyStates);
      int attempt = static_cast<int>(rng() % 3 == 0 ? rng() % 12 : 8 + rng() % 4);
      FailedAt fa = static_cast<FailedAt>(rng() % 3);
      std::string failed_sql =
          fa == FailedAt::kNull ? "NULL"
          : fa == FailedAt::kFresh
              ? NowSql()
              : backend_->MicrosAgoSql(Options().retry_freshness_micros + 3'600'000'000);
      SetApplySql(a.id, "state = '" + std::string(ToString(as)) + "', attempt = " +
                            std::to_string(attempt) + ", failed_at = " + failed_sql +
                            ", updated_at = " + (rng() % 2 ? StaleSql() : NowSql()));
      failed_at_[a.id] = fa;
      for (RequestKind k : kKinds)
        if (rng() % 10 < 3) AddRequest(a.id, k, pick(kStatuses));
    }
  }

  reference::Snapshot Snapshot() {
    reference::Snapshot s;
    s.options = Options();
    s.now = *store_->Now();
    auto applies = store_->ListApplies(100);
    EXPECT_TRUE(applies.ok());
    for (const auto& a : *applies) {
      std::optional<Micros> failed_at;
      if (failed_at_[a.id] == FailedAt::kFresh) failed_at = s.now;
      if (failed_at_[a.id] == FailedAt::kOld)
        failed_at = s.now - s.options.retry_freshness_micros - 3'600'000'000;
      s.applies.push_back(reference::ApplyRow{a.id, a.state, a.options.defer_cutover, a.attempt,
                                              failed_at, a.updated_at});
      auto ops = store_->ListOperations(a.id);
      auto requests = store_->ListRequests(a.id);
      EXPECT_TRUE(ops.ok() && requests.ok());
      if (!ops.ok() || !requests.ok()) continue;
      for (const auto& op : *ops) s.operations.push_back(op);
      for (const auto& r : *requests)
        s.requests.push_back(reference::RequestRow{r.apply_id, r.kind, r.status});
    }
    return s;
  }

  static std::string Describe(const reference::Snapshot& s) {
    std::ostringstream out;
    for (const auto& a : s.applies) {
      out << "  apply " << a.id << " " << ToString(a.state) << " attempt=" << a.attempt
          << " defer=" << a.defer_cutover << " failed_at=" << (a.failed_at ? "set" : "null")
          << " stale=" << reference::IsStale(s, a.updated_at) << "\n";
      for (const auto& r : s.requests)
        if (r.apply_id == a.id)
          out << "    request " << ToString(r.kind) << " " << ToString(r.status) << "\n";
      for (const auto& op : s.operations)
        if (op.apply_id == a.id)
          out << "    op " << op.id << " " << ToString(op.state) << " " << op.cutover_policy << "/"
              << op.on_failure << " token=" << (op.lease_token ? "yes" : "no")
              << " cleanup_pending=" << op.cleanup_pending
              << " stale=" << reference::IsStale(s, op.updated_at) << " created=" << op.created_at
              << "\n";
    }
    return out.str();
  }

  void Wipe() {
    for (const char* t :
         {"apply_events", "control_requests", "apply_changes", "apply_operations", "applies"})
      Exec(std::string("DELETE FROM ") + t);
  }

  std::map<int64_t, FailedAt> failed_at_;
};

// Thousands of states on SQLite (a round costs a few milliseconds); a server backend
// pays network round trips for each of a round's ~60 statements, so it runs fewer
// by default. Sanitizer builds halve both to stay within a couple of minutes.
uint64_t DefaultRounds(const std::string& backend) {
  uint64_t rounds = backend == "sqlite" ? 2000 : 200;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  rounds /= 2;
#endif
  return rounds;
}

std::optional<int64_t> IdOf(const Result<std::optional<ClaimedOperation>>& r) {
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return (*r)->operation.id;
}

TEST_P(Differential, EveryClaimMatchesTheReferenceModel) {
  uint64_t seed = EnvOr("ORDO_DIFFERENTIAL_SEED", std::random_device{}());
  uint64_t rounds = EnvOr("ORDO_DIFFERENTIAL_ROUNDS", DefaultRounds(GetParam().name));
  auto* candidates = dynamic_cast<GateCandidates*>(store_.get());
  if (candidates == nullptr)
    std::cout << "[ note ] " << GetParam().name
              << " has no GateCandidates: checking claims one by one only\n";
  std::cout << "[ seed ] ORDO_DIFFERENTIAL_SEED=" << seed << " rounds=" << rounds << "\n";
  for (uint64_t round = 0; round < rounds; ++round) {
    std::mt19937_64 rng(seed + round);
    Wipe();
    Generate(rng);
    if (HasFailure()) return;
    std::string replay = "replay: ORDO_DIFFERENTIAL_SEED=" + std::to_string(seed + round) +
                         " ORDO_DIFFERENTIAL_ROUNDS=1";
    reference::Snapshot s = Snapshot();
    if (candidates != nullptr) {
      EXPECT_EQ(*candidates->CopyCandidates(), reference::CopyClaimable(s))
          << "copy candidates\n"
          << Describe(s) << replay;
      EXPECT_EQ(*candidates->CutoverCandidates(), reference::CutoverClaimable(s))
          << "cutover candidates\n"
          << Describe(s) << replay;
      EXPECT_EQ(*candidates->CleanupCandidates(), reference::CleanupClaimable(s))
          << "cleanup candidates\n"
          << Describe(s) << replay;
      EXPECT_EQ(*candidates->StopCandidates(), reference::StopReconcilable(s))
          << "stop candidates\n"
          << Describe(s) << replay;
      EXPECT_EQ(*candidates->ExpiryCandidates(), reference::ExpirableApplies(s))
          << "expiry candidates\n"
          << Describe(s) << replay;
      EXPECT_EQ(*candidates->RederiveCandidates(), reference::RederivableApplies(s))
          << "re-derive candidates\n"
          << Describe(s) << replay;
    }
    // Re-deriving the applies nobody holds moves exactly the model's, each to what its
    // operations derive to, and nothing else.
    s = Snapshot();
    auto rederived = store_->RederiveUnheldApplies();
    ASSERT_TRUE(rederived.ok()) << rederived.status().ToString();
    std::vector<int64_t> want_moved = reference::RederivableApplies(s);
    EXPECT_EQ(*rederived, static_cast<int>(want_moved.size())) << Describe(s) << replay;
    for (const auto& a : s.applies) {
      bool moves = std::find(want_moved.begin(), want_moved.end(), a.id) != want_moved.end();
      ApplyState want = moves ? reference::DerivedState(s, a.id).state : a.state;
      EXPECT_EQ(store_->GetApply(a.id)->state, want) << "re-derived apply " << a.id << "\n"
                                                     << Describe(s) << replay;
      // Becoming failed_retryable sets failed_at, which the store does not report.
      if (moves && want == ApplyState::kFailedRetryable) failed_at_[a.id] = FailedAt::kFresh;
    }
    // The claims themselves, each against a fresh snapshot, a few times over.
    for (int step = 0; step < 3; ++step) {
      s = Snapshot();
      auto copy = store_->ClaimNextCopy("diff/copy");
      ASSERT_TRUE(copy.ok()) << copy.status().ToString();
      EXPECT_EQ(IdOf(copy), reference::FirstCopyClaim(s)) << "copy claim\n"
                                                          << Describe(s) << replay;
      for (const auto& op : s.operations) {
        if (IdOf(copy) == op.id) {
          EXPECT_EQ((*copy)->operation.state, op.state) << replay;
        }
      }
      s = Snapshot();
      auto cut = store_->ClaimNextCutover("diff/cutover");
      ASSERT_TRUE(cut.ok()) << cut.status().ToString();
      EXPECT_EQ(IdOf(cut), reference::FirstCutoverClaim(s)) << "cutover claim\n"
                                                            << Describe(s) << replay;
      s = Snapshot();
      auto cleanup = store_->ClaimNextCleanup("diff/cleanup");
      ASSERT_TRUE(cleanup.ok()) << cleanup.status().ToString();
      EXPECT_EQ(IdOf(cleanup), reference::FirstCleanupClaim(s)) << "cleanup claim\n"
                                                                << Describe(s) << replay;
      for (const auto& op : s.operations) {
        if (IdOf(cleanup) == op.id) {
          EXPECT_EQ((*cleanup)->operation.state, op.state) << replay;
          EXPECT_EQ(store_->GetOperation(op.id)->state, op.state) << "cleanup changes no state";
        }
      }
      s = Snapshot();
      auto stop = store_->ClaimNextStop("diff/stop");
      ASSERT_TRUE(stop.ok()) << stop.status().ToString();
      auto want_stop = reference::StopReconcilable(s);
      if (want_stop.empty()) {
        EXPECT_FALSE(stop->has_value()) << "stop claim\n" << Describe(s) << replay;
      } else if (!stop->has_value()) {
        ADD_FAILURE() << "stop claim returned nothing\n" << Describe(s) << replay;
      } else {
        EXPECT_EQ((*stop)->apply_id, want_stop.front()) << Describe(s) << replay;
        EXPECT_EQ((*stop)->stopped_operation_ids,
                  reference::StopReconciledOperations(s, want_stop.front()))
            << Describe(s) << replay;
      }
    }
    // begin_cutover for every parked row whose holder's token the state carries.
    s = Snapshot();
    for (const auto& op : s.operations) {
      if (op.state != S::kWaitingForCutover || !op.lease_token) continue;
      reference::Snapshot now = Snapshot();
      bool want = false;
      for (const auto& o : now.operations) {
        if (o.id == op.id) {
          want = o.state == S::kWaitingForCutover && reference::BeginCutoverAllowed(now, o);
        }
      }
      auto got = store_->BeginCutover(LeaseOf(op.id));
      if (!got.ok()) {
        EXPECT_TRUE(got.status().Is(StatusCode::kLeaseLost)) << got.status().ToString();
        continue;
      }
      EXPECT_EQ(*got, want) << "begin_cutover " << op.id << "\n" << Describe(now) << replay;
    }
    if (HasFailure()) {
      ADD_FAILURE() << "first failing round: " << replay;
      return;
    }
  }
}

ORDO_INSTANTIATE_STORE_SUITE(Differential);

}  // namespace
}  // namespace ordo::testing

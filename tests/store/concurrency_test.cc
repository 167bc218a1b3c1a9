// Conformance: concurrency with real threads.
//
// Scenario 43 runs 8 and then 32 drivers over 200 applies of 3–5 operations with
// random policies, failures and crashes, spread over four store handles (four
// "processes"), and checks the invariants from the apply_events log (rollout_sim.h).
// Under ThreadSanitizer the same runs use 40 applies: TSan slows SQLite-bound threads
// by an order of magnitude, and 40 applies still gives hundreds of racing claims.
#include <atomic>
#include <iostream>
#include <latch>
#include <random>
#include <thread>

#include "core/derive.h"
#include "rollout_sim.h"
#include "store_suite.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

using S = OperationState;

#if defined(__SANITIZE_THREAD__)
constexpr int kApplies = 40;
constexpr Micros kSimWindow = 3'000'000;
#elif defined(__SANITIZE_ADDRESS__)
constexpr int kApplies = 100;
constexpr Micros kSimWindow = 2'000'000;
#else
constexpr int kApplies = 200;
constexpr Micros kSimWindow = 1'000'000;
#endif

class Concurrency : public StoreSuite {
 protected:
  StoreOptions Options() const override {
    StoreOptions o = StoreSuite::Options();
    o.lease_staleness_micros = kSimWindow;
    return o;
  }
  void RunRollouts(int drivers);
};

TEST_P(Concurrency, SixteenDriversRacingForOneStoppedRowExactlyOneWins) {
  auto a = Create("rolling", "halt", 1);
  int64_t id = OpIds(a.id)[0];
  SetOp(id, S::kStopped);
  AddRequest(a.id, RequestKind::kStart);
  // The default staleness: with the rollouts' 1 s window, a driver that reaches its
  // claim more than a second after the winner (a loaded machine) may rightly recover
  // the winner's row as stale, a second win this race is not about.
  StoreOptions options = Options();
  options.lease_staleness_micros = StoreOptions().lease_staleness_micros;
  std::vector<std::unique_ptr<Store>> handles;
  for (int i = 0; i < 4; ++i) {
    auto h = backend_->OpenAgain(options);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    handles.push_back(std::move(h).value());
  }
  std::latch start(16);
  std::atomic<int> wins{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto r = handles[i % 4]->ClaimNextCopy("host/" + std::to_string(i) + "/driver-1");
      if (!r.ok()) errors++;
      if (r.ok() && r->has_value()) wins++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Op(id).state, S::kResuming);
}

void Concurrency::RunRollouts(int drivers) {
  std::mt19937_64 rng(std::random_device{}());
  uint64_t seed = rng();
  std::cout << "[ seed ] " << seed << " drivers=" << drivers << " applies=" << kApplies << "\n";
  rng.seed(seed);
  static const char* kPolicies[] = {"rolling", "barrier", "parallel"};
  static const char* kOnFailure[] = {"halt", "continue", "pause"};
  std::vector<ApplyRecord> applies;
  for (int i = 0; i < kApplies; ++i) {
    int n = 3 + static_cast<int>(rng() % 3);
    applies.push_back(Create(kPolicies[rng() % 3], kOnFailure[rng() % 3], n, rng() % 8 == 0));
  }
  ASSERT_FALSE(HasFailure());

  std::vector<std::unique_ptr<Store>> handles;
  for (int i = 0; i < 4; ++i) {
    auto h = backend_->OpenAgain(Options());
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    handles.push_back(std::move(h).value());
  }
  std::atomic<bool> stop{false};
  SimCounters counters;
  SimOptions sim;
  std::vector<std::thread> threads;
  for (int i = 0; i < drivers; ++i) {
    threads.emplace_back([&, i] {
      RunDriver(handles[i % 4].get(),
                "host" + std::to_string(i % 4) + "/1/driver-" + std::to_string(i), seed + 1 + i,
                sim, stop, counters);
    });
  }

  // The user: releases paused rollouts, approves deferred cutovers; and the checks
  // that can be made on a live store (never two swaps in one apply at once).
  std::string live_problem;
  auto settled = [&] {
    int open = 0;
    for (const auto& a : applies) {
      auto ops = store_->ListOperations(a.id);
      auto requests = store_->ListRequests(a.id);
      if (!ops.ok() || !requests.ok()) return false;
      bool latched = false, cutover_requested = false;
      for (const auto& r : *requests) {
        latched |= r.kind == RequestKind::kRelease && r.status != RequestStatus::kFailed;
        cutover_requested |= r.kind == RequestKind::kCutover;
      }
      int swapping = 0;
      bool parked = false;
      for (const auto& op : *ops) {
        swapping += op.state == S::kCuttingOver || op.state == S::kRevertWindow;
        parked |= op.state == S::kWaitingForCutover;
      }
      if (swapping > 1) live_problem = "apply " + a.external_id + ": two swaps at once";
      ApplyState d = DeriveApplyState(*ops, latched).state;
      if (d == ApplyState::kPaused)
        (void)store_->RequestControl(a.id, RequestKind::kRelease, "user");
      if (a.options.defer_cutover && parked && !cutover_requested)
        (void)store_->RequestControl(a.id, RequestKind::kCutover, "user");
      // Settled, and stored as settled: a driver that crashed before its last swap is
      // made good by the re-derivation once its lease is stale.
      auto stored = store_->GetApply(a.id);
      if (!stored.ok()) return false;
      if (!IsSettled(d) || stored->state != d) ++open;
    }
    return open == 0;
  };
  bool done = PollUntil(settled, std::chrono::seconds(150), std::chrono::milliseconds(200));
  stop = true;
  for (auto& t : threads) t.join();
  std::cout << "[ sim  ] claims=" << counters.claims << " crashes=" << counters.crashes
            << " lease_lost=" << counters.lease_lost << " transient=" << counters.transient
            << " permanent=" << counters.permanent << " busy_retries=" << counters.aborted << "\n";
  EXPECT_TRUE(done) << "rollouts did not all settle; seed " << seed;
  EXPECT_EQ(live_problem, "");

  for (const auto& a : applies) {
    std::string problems = CheckEventLog(store_.get(), a.id);
    EXPECT_EQ(problems, "") << "apply " << a.external_id << " seed " << seed;
    auto ops = *store_->ListOperations(a.id);
    auto derived = DeriveApplyState(ops, true).state;
    for (const auto& op : ops) {
      // Leftovers are only work a failure fenced off for good (halt, or a parked swap
      // whose predecessor failed); nothing is still in flight.
      bool leftover = op.state == S::kPending || op.state == S::kWaitingForCutover ||
                      op.state == S::kFailedRetryable;
      if (IsSettled(op.state)) continue;
      EXPECT_TRUE(leftover && derived == ApplyState::kFailed)
          << "apply " << a.external_id << " op " << op.deployment << " ended " << ToString(op.state)
          << " (apply " << ToString(derived) << ") seed " << seed;
    }
  }
}

TEST_P(Concurrency, EightDriversKeepEveryInvariant) { RunRollouts(8); }

TEST_P(Concurrency, ThirtyTwoDriversKeepEveryInvariant) { RunRollouts(32); }

ORDO_INSTANTIATE_STORE_SUITE(Concurrency);

}  // namespace
}  // namespace ordo::testing

// The operator's worker on the simulator's runtime (virtual time, one task at a time,
// the engine double): behaviours pinned by name, each a short scripted scenario.
#include "operator/worker.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "app/control.h"
#include "engine_double.h"
#include "ordo/store.h"
#include "sim_runtime.h"
#include "sim_store.h"
#include "test_servers.h"

namespace ordo::sim {
namespace {

constexpr Micros kSecond = 1'000'000;

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scheduler_.AdoptMainThread();
    StoreOptions so;
    so.lease_staleness_micros = 10 * kSecond;
    so.clock = &runtime_.clock();
    auto store = OpenStore("sqlite:" + dir_.path() + "/ordo.db", so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->Migrate().ok());
    target_ = std::make_unique<FakeTarget>(*store_);
    process_store_ = std::make_unique<SimStore>(*store_, runtime_, scheduler_.rng());
    engines_ =
        std::make_unique<DoubleFactory>(*target_, scheduler_, DoubleOdds{0, 0, 0, 0, 0}, windows_);
  }

  std::unique_ptr<worker::Worker> StartWorker(Micros poll, int keepers) {
    worker::WorkerOptions o;
    o.owner_prefix = "test/" + std::to_string(++pid_);
    o.drivers = 2;
    o.parked_keepers = keepers;
    o.poll_interval_micros = poll;
    o.lease_staleness_micros = 10 * kSecond;
    auto w =
        std::make_unique<worker::Worker>(*process_store_, *engines_, runtime_, NullLogger(), o);
    w->Start();
    return w;
  }

  ApplyRecord Create(const std::string& policy, int deployments, bool defer_cutover) {
    NewApply a;
    a.database = "shop";
    a.environment = "prod";
    a.cutover_policy = policy;
    a.options.defer_cutover = defer_cutover;
    for (int i = 0; i < deployments; ++i)
      a.operations.push_back(
          {"d" + std::to_string(i + 1), {{"shop", "t", "ALTER TABLE t ADD COLUMN c INT"}}});
    auto created = store_->CreateApply(a);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  }

  // Polls (on virtual time) until `done` or `limit` passes.
  bool WaitFor(const std::function<bool()>& done, Micros limit = 600 * kSecond) {
    Micros deadline = scheduler_.Now() + limit;
    while (!done()) {
      if (scheduler_.Now() > deadline) return false;
      scheduler_.Sleep(100'000);
    }
    return true;
  }

  ApplyState StateOf(int64_t id) { return store_->GetApply(id)->state; }
  std::vector<OperationRecord> Ops(int64_t apply_id) {
    auto ops = store_->ListOperations(apply_id);
    EXPECT_TRUE(ops.ok()) << ops.status().ToString();
    return ops.ok() ? *ops : std::vector<OperationRecord>{};
  }

  // The virtual time of the first event of `kind` into `to` for deployment `d`.
  Micros EventAt(int64_t apply_id, const std::string& d, const std::string& to) {
    auto events = store_->ListEvents(apply_id);
    if (!events.ok()) return -1;
    for (const auto& e : *events)
      if (e.deployment == d && e.to_state == to) return e.at;
    return -1;
  }

  SimScheduler scheduler_{42};
  SimRuntime runtime_{scheduler_};
  ordo::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<FakeTarget> target_;
  std::unique_ptr<SimStore> process_store_;
  std::map<int64_t, Micros> windows_;
  std::unique_ptr<DoubleFactory> engines_;
  int pid_ = 0;
};

// Forwards to the engine double; FinishSwap fails (retryably) the first `failures`
// times over all engines. Records the resume state each engine was built with.
class FlakyFinishFactory final : public worker::EngineFactory {
 public:
  FlakyFinishFactory(worker::EngineFactory& inner, int failures)
      : inner_(inner), failures_(failures) {}
  std::vector<std::optional<std::string>> built_from;  // resume_state of each job

  Result<std::unique_ptr<OperationEngine>> NewEngine(const worker::OperationJob& job,
                                                     EngineHost* host) override {
    built_from.push_back(job.operation.resume_state);
    ORDO_ASSIGN_OR_RETURN(auto engine, inner_.NewEngine(job, host));
    return std::unique_ptr<OperationEngine>(new Flaky(std::move(engine), &failures_));
  }
  Micros RevertWindow(const ApplyRecord& apply) override { return inner_.RevertWindow(apply); }

 private:
  class Flaky final : public OperationEngine {
   public:
    Flaky(std::unique_ptr<OperationEngine> inner, int* failures)
        : inner_(std::move(inner)), failures_(failures) {}
    Status Preflight() override { return inner_->Preflight(); }
    Status Copy() override { return inner_->Copy(); }
    Status MakeReady() override { return inner_->MakeReady(); }
    Status KeepInSync(const std::function<bool()>& ready) override {
      return inner_->KeepInSync(ready);
    }
    Result<CutoverReport> Cutover() override { return inner_->Cutover(); }
    Result<CutoverReport> Swap() override { return inner_->Swap(); }
    Status Cancel() override { return inner_->Cancel(); }
    Status FinishSwap() override {
      if (*failures_ > 0) {
        --*failures_;
        return Unavailable("simulated: the server went away while the old table was dropped");
      }
      return inner_->FinishSwap();
    }

   private:
    std::unique_ptr<OperationEngine> inner_;
    int* failures_;
  };
  worker::EngineFactory& inner_;
  int failures_;
};

// Without a revert window the turn ends at the swap and the old table goes after it.
// When that step fails and is tried again, the new engine starts from the checkpoint
// the swap saved, not from the claim's (a fresh operation's: none), which would make
// a real engine plan the change again on the table it already swapped.
TEST_F(WorkerTest, AFailedEndOfASwapIsTriedAgainFromTheSwapsCheckpoint) {
  FlakyFinishFactory flaky(*engines_, /*failures=*/1);
  worker::WorkerOptions o;
  o.owner_prefix = "test/flaky";
  o.drivers = 1;
  o.poll_interval_micros = kSecond;
  o.lease_staleness_micros = 10 * kSecond;
  auto worker = std::make_unique<worker::Worker>(*process_store_, flaky, runtime_, NullLogger(), o);
  worker->Start();
  ApplyRecord a = Create("rolling", 1, false);
  worker->Notify();
  // Completed at the swap; the old table's drop (owed) finishes after the retry.
  ASSERT_TRUE(WaitFor([&] {
    auto ops = Ops(a.id);
    return StateOf(a.id) == ApplyState::kCompleted && ops.size() == 1 && !ops[0].cleanup_pending;
  }));
  auto ops = Ops(a.id);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].state, OperationState::kCompleted);
  EXPECT_EQ(target_->swaps(ops[0].id), 1);
  ASSERT_EQ(flaky.built_from.size(), 2u) << "one engine for the run, one after the failure";
  EXPECT_FALSE(flaky.built_from[0].has_value()) << "claimed fresh";
  ASSERT_TRUE(flaky.built_from[1].has_value())
      << "the retry's engine was built from the claim's (empty) state";
  EXPECT_NE(flaky.built_from[1]->find("\"swapped\":true"), std::string::npos)
      << *flaky.built_from[1];
  worker->Shutdown();
  worker->Join();
}

TEST_F(WorkerTest, NextCutoverStartsRightAfterThePreviousCompletesInProcess) {
  // A poll interval far longer than the test: only the in-process wake signal can
  // make the second deployment's cutover follow the first one's completion.
  auto worker = StartWorker(/*poll=*/3600 * kSecond, /*keepers=*/2);
  ApplyRecord a = Create("barrier", 2, false);
  worker->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kCompleted; }));
  Micros first_done = EventAt(a.id, "d1", "completed");
  Micros second_cutover = EventAt(a.id, "d2", "cutting_over");
  ASSERT_GT(first_done, 0);
  ASSERT_GT(second_cutover, 0);
  EXPECT_GE(second_cutover, first_done);
  EXPECT_LT(second_cutover - first_done, kSecond);
  worker->Shutdown();
  worker->Join();
}

TEST_F(WorkerTest, ShutdownReleasesKeptRowsAtTheBarrierForTheNextWorker) {
  auto worker = StartWorker(kSecond, /*keepers=*/2);
  ApplyRecord a = Create("barrier", 2, /*defer_cutover=*/true);
  worker->Notify();
  auto parked = [&] {
    auto ops = store_->ListOperations(a.id);
    for (const auto& op : *ops)
      if (op.state != OperationState::kWaitingForCutover) return false;
    return true;
  };
  ASSERT_TRUE(WaitFor(parked));
  worker->Shutdown();
  worker->Join();
  auto parked_ops = store_->ListOperations(a.id);
  ASSERT_TRUE(parked_ops.ok());
  for (const auto& op : *parked_ops) {
    EXPECT_EQ(op.state, OperationState::kWaitingForCutover);
    EXPECT_FALSE(op.lease_token.has_value()) << op.deployment << " still leased after shutdown";
  }
  // Another worker takes the released rows through the cutover claim once asked.
  auto next = StartWorker(kSecond, /*keepers=*/0);
  ASSERT_EQ(app::RecordControl(*store_, a, RequestKind::kCutover, "test")->outcome,
            RequestOutcome::kAccepted);
  next->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kCompleted; }));
  EXPECT_EQ(target_->swaps(store_->ListOperations(a.id)->at(0).id), 1);
  next->Shutdown();
  next->Join();
}

TEST_F(WorkerTest, WithoutKeepersParkedRowsAreReleasedAndCutOverByTheCutoverClaim) {
  auto worker = StartWorker(kSecond, /*keepers=*/0);
  ApplyRecord a = Create("parallel", 3, false);
  worker->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kCompleted; }));
  bool released = false;
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) released = released || e.kind == "parked";
  EXPECT_TRUE(released);
  EXPECT_TRUE(target_->violations().empty());
  worker->Shutdown();
  worker->Join();
}

TEST_F(WorkerTest, StopHaltsCopiesAndStartResumesFromTheCheckpoint) {
  auto worker = StartWorker(kSecond, 2);
  ApplyRecord a = Create("rolling", 2, false);
  worker->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kRunning; }));
  ASSERT_EQ(app::RecordControl(*store_, a, RequestKind::kStop, "test")->outcome,
            RequestOutcome::kAccepted);
  worker->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kStopped; }));
  auto ops = *store_->ListOperations(a.id);
  EXPECT_EQ(ops[0].state, OperationState::kStopped);
  EXPECT_EQ(ops[1].state, OperationState::kStopped);
  EXPECT_TRUE(ops[0].resume_state.has_value());
  ASSERT_EQ(app::RecordControl(*store_, a, RequestKind::kStart, "test")->outcome,
            RequestOutcome::kAccepted);
  worker->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kCompleted; }));
  EXPECT_TRUE(target_->violations().empty());
  worker->Shutdown();
  worker->Join();
}

TEST_F(WorkerTest, ApplyOfADriverThatDiedBeforeItsSwapIsSettledOnceTheLeaseIsStale) {
  ApplyRecord a = Create("rolling", 1, false);
  auto claimed = store_->ClaimNextCopy("gone/1/driver-1");
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  ASSERT_TRUE(store_->TransitionOperation((*claimed)->lease, OperationState::kCompleted).ok());
  // The driver died here, before its compare-and-swap: the apply still says pending.
  Micros finished = scheduler_.Now();
  auto worker = StartWorker(kSecond, /*keepers=*/0);
  worker->Notify();
  ASSERT_TRUE(WaitFor([&] { return StateOf(a.id) == ApplyState::kCompleted; }));
  Micros settled = -1;
  auto events = store_->ListEvents(a.id);
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events)
    if (!e.operation_id && e.to_state == "completed") settled = e.at;
  // Not while the dead driver's lease could still have been live.
  EXPECT_GE(settled - finished, 10 * kSecond);
  worker->Shutdown();
  worker->Join();
}

TEST_F(WorkerTest, CancelCleansUpRowsReleasedAtTheBarrier) {
  auto worker = StartWorker(kSecond, /*keepers=*/0);
  ApplyRecord a = Create("barrier", 2, /*defer_cutover=*/true);
  worker->Notify();
  auto parked = [&] {
    for (const auto& op : Ops(a.id))
      if (op.state != OperationState::kWaitingForCutover || op.lease_token) return false;
    return true;
  };
  ASSERT_TRUE(WaitFor(parked));  // both released at the barrier, shadows in sync
  for (const auto& op : Ops(a.id)) ASSERT_TRUE(target_->has_shadow(op.id));
  ASSERT_EQ(app::RecordControl(*store_, a, RequestKind::kCancel, "test")->outcome,
            RequestOutcome::kAccepted);
  worker->Notify();
  auto cancelled = [&] {
    for (const auto& op : Ops(a.id))
      if (op.state != OperationState::kCancelled) return false;
    return StateOf(a.id) == ApplyState::kCancelled;
  };
  ASSERT_TRUE(WaitFor(cancelled));
  for (const auto& op : Ops(a.id)) {
    EXPECT_FALSE(target_->has_shadow(op.id)) << op.deployment << ": shadow left on the target";
    EXPECT_EQ(target_->swaps(op.id), 0);
  }
  EXPECT_TRUE(target_->violations().empty());
  worker->Shutdown();
  worker->Join();
}

TEST_F(WorkerTest, HaltedRolloutsPendingRowIsCancelledWithoutTouchingTheTarget) {
  ApplyRecord a = Create("rolling", 2, false);
  auto ops = Ops(a.id);
  auto claimed = store_->ClaimNextCopy("gone/1/driver-1");
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  ASSERT_TRUE(store_->TransitionOperation((*claimed)->lease, OperationState::kFailed, "boom").ok());
  // Its driver died before its swap; halt keeps d2 pending for good.
  auto worker = StartWorker(kSecond, /*keepers=*/0);
  worker->Notify();
  ASSERT_TRUE(WaitFor(
      [&] { return store_->GetOperation(ops[1].id)->state == OperationState::kCancelled; }));
  EXPECT_EQ(StateOf(a.id), ApplyState::kFailed);
  EXPECT_EQ(target_->writes(), 0);  // d2 never started: nothing on the target was touched
  worker->Shutdown();
  worker->Join();
}

}  // namespace
}  // namespace ordo::sim

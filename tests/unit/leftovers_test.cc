// What `ordo cleanup` makes of ordo's tables on a target: judged against a store (a
// real SQLite store) — in flight, abandoned, another store's — and what a cleanup
// drops, keeps or refuses.
#include "operator/leftovers.h"

#include <gtest/gtest.h>

#include "test_servers.h"

namespace ordo {
namespace {

TargetObject Shadow(std::optional<TargetOwner> owner) {
  return TargetObject{"shop", "orders_ordo_new", "orders", TargetObjectKind::kShadow,
                      std::move(owner)};
}

TargetOwner Owner(const std::string& store_id, const std::string& apply) {
  return TargetOwner{store_id, "sqlite:/srv/" + store_id + "/ordo.db", apply, "1", "eu-1"};
}

worker::Leftover Judged(worker::LeftoverStatus status, std::optional<TargetOwner> owner) {
  worker::Leftover l;
  l.object = Shadow(std::move(owner));
  l.status = status;
  l.this_store = status != worker::LeftoverStatus::kOtherStore && l.object.owner;
  return l;
}

TEST(CleanupDecision, DropsWhatIsAbandonedAndKeepsWhatIsInFlightOrAnotherStores) {
  EXPECT_EQ(
      worker::DecideCleanup(Judged(worker::LeftoverStatus::kAbandoned, std::nullopt), std::nullopt)
          .action,
      worker::CleanupAction::kDrop);
  EXPECT_EQ(worker::DecideCleanup(
                Judged(worker::LeftoverStatus::kAbandoned, Owner("st_me", "ap_done")), std::nullopt)
                .action,
            worker::CleanupAction::kDrop);
  worker::CleanupDecision running = worker::DecideCleanup(
      Judged(worker::LeftoverStatus::kInFlight, Owner("st_me", "ap_run")), std::nullopt);
  EXPECT_EQ(running.action, worker::CleanupAction::kKeep);
  EXPECT_NE(running.why.find("ordo cancel ap_run"), std::string::npos) << running.why;
  worker::CleanupDecision foreign = worker::DecideCleanup(
      Judged(worker::LeftoverStatus::kOtherStore, Owner("st_them", "ap_x")), std::nullopt);
  EXPECT_EQ(foreign.action, worker::CleanupAction::kKeep);
  EXPECT_NE(foreign.why.find("--owner ap_x"), std::string::npos) << foreign.why;
}

TEST(CleanupDecision, ANamedApplysTablesOfAnyStoreAreDroppedButOneInFlightIsRefused) {
  const std::optional<std::string> named = "ap_x";
  EXPECT_EQ(worker::DecideCleanup(
                Judged(worker::LeftoverStatus::kOtherStore, Owner("st_them", "ap_x")), named)
                .action,
            worker::CleanupAction::kDrop);
  EXPECT_EQ(worker::DecideCleanup(
                Judged(worker::LeftoverStatus::kAbandoned, Owner("st_me", "ap_x")), named)
                .action,
            worker::CleanupAction::kDrop);
  worker::CleanupDecision refused = worker::DecideCleanup(
      Judged(worker::LeftoverStatus::kInFlight, Owner("st_me", "ap_x")), named);
  EXPECT_EQ(refused.action, worker::CleanupAction::kRefuse);
  EXPECT_NE(refused.why.find("cancel it first"), std::string::npos) << refused.why;
  // Only that apply's: nothing else, not even what is abandoned.
  EXPECT_EQ(
      worker::DecideCleanup(Judged(worker::LeftoverStatus::kAbandoned, std::nullopt), named).action,
      worker::CleanupAction::kKeep);
  EXPECT_EQ(worker::DecideCleanup(
                Judged(worker::LeftoverStatus::kOtherStore, Owner("st_them", "ap_y")), named)
                .action,
            worker::CleanupAction::kKeep);
}

TEST(Leftovers, AreJudgedByTheOwningApplysStateInThisStore) {
  testing::TempDir dir;
  auto store = OpenStore("sqlite:" + dir.path() + "/ordo.db", {});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Migrate().ok());
  auto me = (*store)->StoreId();
  ASSERT_TRUE(me.ok());
  auto create = [&](const std::string& id) {
    NewApply a;
    a.external_id = id;
    a.database = "shop";
    a.environment = id;  // one environment each: no deployment is held twice
    a.operations.push_back(
        NewOperation{"eu-1", {{"shop", "orders", "ALTER TABLE orders ADD COLUMN x INT"}}});
    auto created = (*store)->CreateApply(a);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  };
  create("ap_running");
  ApplyRecord failed = create("ap_failed");
  // ap_failed's only operation fails for good, and the apply with it.
  auto claimed = (*store)->ClaimNextCopy("host/1/driver-1");
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  if ((*claimed)->apply_external_id != "ap_failed") {
    claimed = (*store)->ClaimNextCopy("host/1/driver-1");
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
  }
  ASSERT_EQ((*claimed)->apply_external_id, "ap_failed");
  const Lease& lease = (*claimed)->lease;
  ASSERT_TRUE((*store)->TransitionOperation(lease, OperationState::kFailed, "lossy").ok());
  auto now = (*store)->GetApply(failed.id);
  ASSERT_TRUE(now.ok());
  ASSERT_TRUE((*store)->CasApplyState(lease, now->state, ApplyState::kFailed, "lossy").ok());

  auto judged =
      worker::JudgeLeftovers(store->get(), *me,
                             {Shadow(Owner(*me, "ap_running")), Shadow(Owner(*me, "ap_failed")),
                              Shadow(Owner(*me, "ap_gone")), Shadow(Owner("st_them", "ap_running")),
                              Shadow(std::nullopt)});
  ASSERT_TRUE(judged.ok()) << judged.status().ToString();
  ASSERT_EQ(judged->size(), 5u);
  EXPECT_EQ((*judged)[0].status, worker::LeftoverStatus::kInFlight) << (*judged)[0].why;
  EXPECT_EQ((*judged)[1].status, worker::LeftoverStatus::kAbandoned) << (*judged)[1].why;
  EXPECT_NE((*judged)[1].why.find("failed"), std::string::npos) << (*judged)[1].why;
  EXPECT_EQ((*judged)[2].status, worker::LeftoverStatus::kAbandoned) << (*judged)[2].why;
  // The same apply id in another store says nothing about this store's apply.
  EXPECT_EQ((*judged)[3].status, worker::LeftoverStatus::kOtherStore) << (*judged)[3].why;
  EXPECT_FALSE((*judged)[3].this_store);
  EXPECT_EQ((*judged)[4].status, worker::LeftoverStatus::kAbandoned) << (*judged)[4].why;
  EXPECT_TRUE((*judged)[0].this_store);
}

}  // namespace
}  // namespace ordo

// Conformance: the store's identity (Store::StoreId), which targets record as the owner
// of ordo's tables: made once by Migrate(), the same for every handle on the store,
// different for every other store.
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "store_suite.h"

namespace ordo::testing {
namespace {

class StoreIdentity : public StoreSuite {};

TEST_P(StoreIdentity, IsMadeOnceAndReadsTheSameThroughEveryHandle) {
  auto id = store_->StoreId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->rfind("st_", 0), 0u) << *id;
  EXPECT_GT(id->size(), 12u) << *id;
  // Migrating again (another process starting) keeps it.
  ASSERT_TRUE(store_->Migrate().ok());
  EXPECT_EQ(*store_->StoreId(), *id);
  auto other = backend_->OpenAgain(Options());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->Migrate().ok());
  EXPECT_EQ(*(*other)->StoreId(), *id);
}

TEST_P(StoreIdentity, TwoStoresHaveDifferentIdentities) {
  auto first = store_->StoreId();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second_store = backend_->OpenFresh(Options());
  ASSERT_TRUE(second_store.ok()) << second_store.status().ToString();
  auto second = (*second_store)->StoreId();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(*first, *second);
}

// Workers started together on a store nobody has used yet all migrate it: one makes the
// schema and its tables, the others wait for it and find them made, and all read the
// same identity.
TEST_P(StoreIdentity, ProcessesStartingTogetherOnANewStoreAllMigrateIt) {
  auto url = backend_->NewStoreUrl();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  constexpr int kProcesses = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kProcesses; ++i) {
    auto store = OpenStore(*url, Options());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    stores.push_back(std::move(*store));
  }
  std::vector<Status> migrated(kProcesses, Status::Ok());
  std::vector<std::string> ids(kProcesses);
  {
    std::latch start(kProcesses);
    std::vector<std::jthread> starting;
    for (int i = 0; i < kProcesses; ++i)
      starting.emplace_back([&, i] {
        start.arrive_and_wait();
        migrated[i] = stores[i]->Migrate();
        auto id = stores[i]->StoreId();
        if (id.ok()) ids[i] = *id;
      });
  }
  for (int i = 0; i < kProcesses; ++i) {
    EXPECT_TRUE(migrated[i].ok()) << "process " << i << ": " << migrated[i].ToString();
    EXPECT_EQ(ids[i], ids[0]) << "process " << i;
  }
  EXPECT_FALSE(ids[0].empty());
}

// MariaDB commits each DDL statement at once, so a process can stop after a
// migration's statements and before its version is recorded; the next Migrate runs the
// migration again, which must change nothing: the identity stays, and no column or
// index is added twice. SQLite and PostgreSQL migrate in one transaction, so there is
// no such state to come back to.
TEST_P(StoreIdentity, MigrationsStoppedBeforeTheirRecordRunAgainCleanly) {
  if (backend_->name() != "mysql")
    GTEST_SKIP() << "migrations are transactional on " << backend_->name();
  auto id = store_->StoreId();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  ASSERT_TRUE(backend_->Exec("DELETE FROM schema_migrations WHERE version >= 2").ok());
  Status migrated = store_->Migrate();
  ASSERT_TRUE(migrated.ok()) << migrated.ToString();
  EXPECT_EQ(*store_->SchemaVersion(), *version);
  EXPECT_EQ(*store_->StoreId(), *id);
}

ORDO_INSTANTIATE_STORE_SUITE(StoreIdentity);

}  // namespace
}  // namespace ordo::testing

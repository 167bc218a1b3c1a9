// Conformance: the store's identity (Store::StoreId), which targets record as the owner
// of ordo's tables: made once by Migrate(), the same for every handle on the store,
// different for every other store.
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

// MariaDB commits each DDL statement at once, so a process can stop after a
// migration's statements and before its version is recorded; the next Migrate runs the
// migration again, which must change nothing: the identity stays, and no column or
// index is added twice. SQLite and PostgreSQL migrate in one transaction, so there is
// no such state to come back to.
TEST_P(StoreIdentity, MigrationsStoppedBeforeTheirRecordRunAgainCleanly) {
  if (backend_->name() != "mysql") GTEST_SKIP() << "migrations are transactional on " << backend_->name();
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

// Ownership on the target: nothing of ordo stays in a target's schema once an
// operation settles (completed, cancelled, failed for good, reverted), and an engine
// never creates, writes or drops a table another operation owns — or one nobody owns.
// A recovering engine of the same operation (a new lease token) owns what its
// predecessor made.
#include <gtest/gtest.h>

#include <thread>

#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

using testing::RecordingHost;

class Ownership : public testing::EngineTest {
 protected:
  // An operation of store `store`, apply `apply` on t.
  EngineSpec OwnedSpec(const std::string& ddl, const std::string& store, const std::string& apply,
                       const std::string& operation = "1") {
    EngineSpec spec = Spec(ddl);
    spec.owner =
        TargetOwner{"st_" + store, "sqlite:/srv/" + store + "/ordo.db", apply, operation, "eu-1"};
    spec.fence_token = apply + "-lease-1";
    return spec;
  }

  // InnoDB's id of `table`: the same table as long as nobody dropped and created it.
  Result<std::string> TableId(const std::string& table) {
    return testing::Cell(
        *conn_, "SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = '" + db_ +
                    "/" + table + "'");
  }
};

constexpr const char* kAddX = "ALTER TABLE t ADD COLUMN x INT";

#define EXPECT_NO_ORDO_TABLES() \
  EXPECT_TRUE(OrdoTablesLeft().empty()) << ::testing::PrintToString(OrdoTablesLeft())

TEST_F(Ownership, NothingOfOrdoRemainsOnceAnOperationCompletesWithOrWithoutAWindow) {
  for (bool window : {false, true}) {
    ORDO_ASSERT_OK(UseNewDatabase());
    ORDO_ASSERT_OK(SeedTable(3000));
    RecordingHost host;
    EngineSpec spec = OwnedSpec(kAddX, "a", "ap_done");
    spec.revert_window = window;
    ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec, &host));
    EXPECT_EQ(OrdoTablesLeft(), (std::vector<std::string>{"t_ordo_new", "t_ordo_own"}));
    EXPECT_EQ(
        CellOf(
            "SELECT CONCAT(apply_id, ' ', store_id, ' ', operation, ' ', token) FROM t_ordo_own"),
        "ap_done st_a 1 ap_done-lease-1");
    ORDO_ASSERT_OK(engine->Cutover().status());
    if (window) {
      EXPECT_EQ(OrdoTablesLeft(), (std::vector<std::string>{"t_ordo_old", "t_ordo_own"}));
      ORDO_ASSERT_OK(engine->KeepOldInSync([] { return true; }));
      ORDO_ASSERT_OK(engine->FinishSwap());
    }
    EXPECT_NO_ORDO_TABLES();
  }
}

TEST_F(Ownership, NothingOfOrdoRemainsOnceAnInstantChangeCompletes) {
  ORDO_ASSERT_OK(SeedTable(100));
  EngineSpec spec = OwnedSpec(kAddX, "a", "ap_instant");
  spec.allow_instant = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport cut, engine->Cutover());
  EXPECT_TRUE(cut.instant);
  EXPECT_NO_ORDO_TABLES();
}

TEST_F(Ownership, NothingOfOrdoRemainsOnceAnOperationIsCancelledOrFailsForGood) {
  ORDO_ASSERT_OK(SeedTable(3000));
  {
    // Cancelled while in sync.
    RecordingHost host;
    ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(OwnedSpec(kAddX, "a", "ap_cancel"), &host));
    ORDO_ASSERT_OK(engine->Cancel());
    EXPECT_NO_ORDO_TABLES();
  }
  {
    // A lossy change fails its copy (DataLoss); the operator cancels what nobody will
    // resume.
    RecordingHost host;
    ORDO_ASSERT_OK_AND_ASSIGN(
        auto engine,
        NewEngine(OwnedSpec("ALTER TABLE t ADD UNIQUE KEY uk_s (s)", "a", "ap_lossy"), &host));
    Status copied = engine->Copy();
    EXPECT_EQ(copied.code(), StatusCode::kDataLoss) << copied.ToString();
    ORDO_ASSERT_OK(engine->Cancel());
    EXPECT_NO_ORDO_TABLES();
  }
  {
    // Refused at preflight (the change does not apply): nothing is left even before
    // anyone cancels.
    RecordingHost host;
    ORDO_ASSERT_OK_AND_ASSIGN(
        auto engine, NewEngine(OwnedSpec("ALTER TABLE t ADD COLUMN v INT", "a", "ap_bad"), &host));
    EXPECT_EQ(engine->Preflight().code(), StatusCode::kInvalidArgument);
    EXPECT_NO_ORDO_TABLES();
  }
}

TEST_F(Ownership, NothingOfOrdoRemainsOnceAnOperationReverts) {
  ORDO_ASSERT_OK(SeedTable(3000));
  EngineSpec spec = OwnedSpec(kAddX, "a", "ap_revert");
  spec.revert_window = true;
  ORDO_ASSERT_OK(RunToSwap(spec).status());
  ORDO_ASSERT_OK(engine_->KeepOldInSync([] { return true; }));
  ORDO_ASSERT_OK(engine_->Revert().status());
  EXPECT_NO_ORDO_TABLES();
}

TEST_F(Ownership, AnotherOwnersEngineIsRefusedAtPreflightNamingTheOwnerAndLeavesTheShadowAlone) {
  ORDO_ASSERT_OK(SeedTable(5000));
  ORDO_ASSERT_OK_AND_ASSIGN(auto a, Copied(OwnedSpec(kAddX, "a", "ap_first")));
  ORDO_ASSERT_OK_AND_ASSIGN(const std::string shadow, TableId("t_ordo_new"));

  // Another store applies to the same table (its apply id may even be the same one:
  // callers choose them), and so does another operation of the first store.
  for (const auto& [store, apply, operation] :
       {std::tuple<std::string, std::string, std::string>{"b", "ap_second", "1"},
        {"b", "ap_first", "1"},
        {"a", "ap_other", "2"}}) {
    RecordingHost host_b;
    ORDO_ASSERT_OK_AND_ASSIGN(
        auto b,
        NewEngine(OwnedSpec("ALTER TABLE t ADD COLUMN y INT", store, apply, operation), &host_b));
    Status refused = b->Preflight();
    EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
    EXPECT_FALSE(refused.retryable());
    for (const char* named : {"ap_first", "sqlite:/srv/a/ordo.db", "`t`", "ordo cleanup"})
      EXPECT_NE(refused.message().find(named), std::string::npos) << refused.message();
    // What the operator does after a permanent failure: cancel. It touches nothing.
    ORDO_ASSERT_OK(b->Cancel());
    EXPECT_EQ(*TableId("t_ordo_new"), shadow) << store << " " << apply;
    EXPECT_EQ(OrdoTablesLeft(), (std::vector<std::string>{"t_ordo_new", "t_ordo_own"}));
    EXPECT_EQ(CellOf("SELECT apply_id FROM t_ordo_own"), "ap_first");
  }
  // The first goes on undisturbed: in sync, every row, swapped.
  ORDO_ASSERT_OK(Exec("UPDATE t SET v = -1 WHERE id = 10"));
  ORDO_ASSERT_OK(a->Cutover().status());
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE x IS NULL"), "5000");
  EXPECT_EQ(CellOf("SELECT v FROM t WHERE id = 10"), "-1");
  EXPECT_NO_ORDO_TABLES();
}

TEST_F(Ownership, ATableUnderAnOrdoNameThatNobodyOwnsIsRefusedBeforeAnythingIsCreated) {
  ORDO_ASSERT_OK(SeedTable(100));
  for (const char* name : {"t_ordo_new", "t_ordo_old", "t_ordo_chk", "t_ordo_own"}) {
    ORDO_ASSERT_OK(Exec(std::string("CREATE TABLE ") + name + " (keep INT)"));
    RecordingHost host;
    ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(OwnedSpec(kAddX, "a", "ap_x"), &host));
    Status refused = engine->Copy();
    EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
    EXPECT_NE(refused.message().find(name), std::string::npos) << refused.message();
    // A table where the record belongs, but no record in it, names no owner either.
    const bool record = std::string(name) == "t_ordo_own";
    EXPECT_NE(refused.message().find(record ? "names no owner" : "no ordo operation owns it"),
              std::string::npos)
        << refused.message();
    ORDO_ASSERT_OK(engine->Cancel());
    // Left as it was: the stranger's table, and nothing of ordo's beside it.
    EXPECT_EQ(OrdoTablesLeft(), std::vector<std::string>{name});
    ORDO_ASSERT_OK(Exec(std::string("DROP TABLE ") + name));
  }
}

TEST_F(Ownership, ARecoveringEngineOfTheSameOperationOwnsWhatItsPredecessorMade) {
  ORDO_ASSERT_OK(SeedTable(20000));
  EngineSpec spec = OwnedSpec(kAddX, "a", "ap_resumed");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;
  testing::StopCopyAtChunk(host_, 8);
  ORDO_ASSERT_OK_AND_ASSIGN(auto first, NewEngine(spec));
  Status stopped = first->Copy();
  SyncPoints::Get().DisableAndClear();
  ASSERT_EQ(stopped.code(), StatusCode::kCancelled) << stopped.ToString();
  ORDO_ASSERT_OK_AND_ASSIGN(const std::string shadow, TableId("t_ordo_new"));
  first.reset();  // the crash

  // Another driver's engine: the same store and operation, a new lease token.
  RecordingHost host2;
  spec.resume_state = host_.last_resume_state();
  spec.fence_token = "ap_resumed-lease-2";
  ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &host2));
  EXPECT_TRUE(host2.last_progress().resumed);
  EXPECT_EQ(*TableId("t_ordo_new"), shadow);
  EXPECT_EQ(CellOf("SELECT token FROM t_ordo_own"), "ap_resumed-lease-2");
  ORDO_ASSERT_OK(second->Cutover().status());
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t"), "20000");
  EXPECT_NO_ORDO_TABLES();
}

TEST_F(Ownership, OfTwoOperationsClaimingATableAtOnceExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    ORDO_ASSERT_OK(UseNewDatabase());
    ORDO_ASSERT_OK(SeedTable(100));
    RecordingHost host_a, host_b;
    ORDO_ASSERT_OK_AND_ASSIGN(auto a, NewEngine(OwnedSpec(kAddX, "a", "ap_a"), &host_a));
    ORDO_ASSERT_OK_AND_ASSIGN(
        auto b, NewEngine(OwnedSpec("ALTER TABLE t ADD COLUMN y INT", "b", "ap_b"), &host_b));
    Status sa, sb;
    std::thread ta([&] { sa = a->Preflight(); });
    std::thread tb([&] { sb = b->Preflight(); });
    ta.join();
    tb.join();
    ASSERT_NE(sa.ok(), sb.ok()) << sa.ToString() << " / " << sb.ToString();
    const Status& lost = sa.ok() ? sb : sa;
    EXPECT_EQ(lost.code(), StatusCode::kFailedPrecondition) << lost.ToString();
    EXPECT_NE(lost.message().find(sa.ok() ? "ap_a" : "ap_b"), std::string::npos) << lost.message();
    EXPECT_EQ(CellOf("SELECT apply_id FROM t_ordo_own"), sa.ok() ? "ap_a" : "ap_b");
    ORDO_ASSERT_OK(a->Cancel());
    ORDO_ASSERT_OK(b->Cancel());
    EXPECT_NO_ORDO_TABLES();
  }
}

}  // namespace
}  // namespace ordo::engine

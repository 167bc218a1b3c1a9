// The instant fast path: decided in preflight without touching the table, shown in
// progress, applied at cutover within the lock budget, not revertible; forced off by
// allow_instant; never taken for several tables or for changes that need a copy; and a
// recovered engine that finds the ALTER already ran.
#include <gtest/gtest.h>

#include "engine_test_support.h"

namespace ordo::engine {
namespace {

using testing::RecordingHost;

// Each test's tables: t (3,000 rows) and u (100 rows); its changes may take the
// instant path.
class Instant : public testing::EngineTest {
 protected:
  Status Seed() {
    return Exec(
        "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
        "INSERT INTO t SELECT seq, seq, 'x' FROM seq_1_to_3000;"
        "CREATE TABLE u (id INT PRIMARY KEY, v INT);"
        "INSERT INTO u SELECT seq, seq FROM seq_1_to_100");
  }

  EngineSpec InstantSpec(const std::string& ddl) {
    EngineSpec spec = Spec(ddl);
    spec.allow_instant = true;
    return spec;
  }
};

TEST_F(Instant, DecidedUpFrontShownInProgressAppliedAtCutoverAndNotRevertible) {
  ORDO_ASSERT_OK(Seed());
  auto checksum = conn_->Query("CHECKSUM TABLE t");
  EngineSpec spec = InstantSpec("ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'n'");
  spec.revert_window = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  ORDO_ASSERT_OK(engine->Preflight());
  ORDO_ASSERT_OK(engine->Copy());
  EngineProgress p = host_.last_progress();
  EXPECT_TRUE(p.instant);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_TRUE(p.changes[0].instant);
  EXPECT_EQ(p.phase, "in_sync");
  // Nothing touched the table or made a shadow.
  EXPECT_FALSE(HasColumn("t", "note"));
  EXPECT_FALSE(HasTable("t_ordo_new"));
  EXPECT_EQ(conn_->Query("CHECKSUM TABLE t")->rows, checksum->rows);
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, engine->Cutover());
  EXPECT_TRUE(report.instant);
  EXPECT_EQ(report.attempts, 1);
  EXPECT_LT(report.write_block_ms, 1000);
  EXPECT_TRUE(HasColumn("t", "note"));
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE note = 'n'"), "3000");
  Status can = engine->CanRevert();
  EXPECT_EQ(can.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(can.message().find("INSTANT"), std::string::npos) << can.message();
  ORDO_ASSERT_OK(engine->KeepOldInSync([] { return true; }));
  EXPECT_NE(host_.last_progress().revert_unavailable.find("INSTANT"), std::string::npos);
  EXPECT_EQ(engine->Revert().status().code(), StatusCode::kFailedPrecondition);
  ORDO_ASSERT_OK(engine->FinishSwap());
  EXPECT_TRUE(HasColumn("t", "note"));
}

TEST_F(Instant, CopyPathWhenForcedForSeveralTablesOrWhenTheServerCannot) {
  struct Case {
    const char* name;
    std::string ddl;
    bool allow;
    bool second_table;
  };
  std::vector<Case> cases = {
      {"forced", "ALTER TABLE t ADD COLUMN a INT", false, false},
      {"index", "ALTER TABLE t ADD INDEX (v)", true, false},
      {"type", "ALTER TABLE t MODIFY v BIGINT", true, false},
      {"two tables", "ALTER TABLE t ADD COLUMN a INT", true, true},
  };
  for (const Case& c : cases) {
    ORDO_ASSERT_OK(UseNewDatabase());
    ORDO_ASSERT_OK(Seed());
    RecordingHost host;
    EngineSpec spec = InstantSpec(c.ddl);
    spec.allow_instant = c.allow;
    if (c.second_table) spec.changes.push_back({2, db_, "u", "ALTER TABLE u ADD COLUMN b INT"});
    ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec, &host));
    ASSERT_TRUE(engine->Copy().ok()) << c.name;
    EXPECT_FALSE(host.last_progress().instant) << c.name;
    EXPECT_TRUE(HasTable("t_ordo_new")) << c.name;
    auto report = engine->Cutover();
    ASSERT_TRUE(report.ok()) << c.name << ": " << report.status().ToString();
    EXPECT_FALSE(report->instant) << c.name;
    EXPECT_GT(report->rows_verified, 0) << c.name;
  }
}

TEST_F(Instant, TheAlterIsBoundedByTheLockBudgetWhileALongTransactionHoldsTheTable) {
  ORDO_ASSERT_OK(Seed());
  ORDO_ASSERT_OK_AND_ASSIGN(auto blocker, NewConnection());
  ORDO_ASSERT_OK(testing::Run(*blocker, "BEGIN; SELECT * FROM t WHERE id = 1 FOR UPDATE"));
  ORDO_ASSERT_OK_AND_ASSIGN(
      auto engine, Copied(GivingUp(InstantSpec("ALTER TABLE t ADD COLUMN a INT"), 300, 2)));
  Status failed = CutoverError(*engine);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), StatusCode::kTimeout) << failed.ToString();
  EXPECT_FALSE(HasColumn("t", "a"));
  ORDO_ASSERT_OK(blocker->Execute("COMMIT"));
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, engine->Cutover());
  EXPECT_TRUE(report.instant);
  EXPECT_TRUE(HasColumn("t", "a"));
}

TEST_F(Instant, ARecoveredEngineFindsTheAlterAlreadyApplied) {
  ORDO_ASSERT_OK(Seed());
  EngineSpec spec = InstantSpec("ALTER TABLE t ADD COLUMN a INT");
  ORDO_ASSERT_OK_AND_ASSIGN(auto first, Copied(spec));
  std::string before_cutover = host_.last_resume_state();
  ORDO_ASSERT_OK(first->Cutover().status());
  first.reset();
  // As if the crash came right after the ALTER, before its checkpoint.
  RecordingHost host2;
  spec.resume_state = before_cutover;
  ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &host2));
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, second->Cutover());
  EXPECT_EQ(report.attempts, 0);
  EXPECT_TRUE(report.instant);
  EXPECT_TRUE(HasColumn("t", "a"));
}

}  // namespace
}  // namespace ordo::engine

// The revert window: the old tables kept in sync in reverse after the swap, revert
// (one table, several tables with a create and a drop), finishing (drop or keep),
// recovery of a crashed engine (from its checkpoint, and from the target when the crash
// came between the swap and its checkpoint), and a reverse sync that cannot go on.
#include <gtest/gtest.h>

#include <map>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"

namespace ordo::engine {
namespace {

using testing::RandomWriter;
using testing::RecordingHost;

// Each test's table: t, with a writer's oracle that starts equal to it.
class RevertWindow : public testing::EngineTest {
 protected:
  // Creates `table` (id, v, s VARCHAR(64), pad; a key on v) with `rows` rows.
  Status Seed(const std::string& table, int rows) {
    return Exec("CREATE TABLE " + db::QuoteIdentifier(table) +
                " (id INT PRIMARY KEY, v INT, s VARCHAR(64), pad CHAR(20), KEY (v));"
                "INSERT INTO " +
                db::QuoteIdentifier(table) +
                " SELECT seq, seq * 7 % 1000, CONCAT('s', seq), 'p' FROM seq_1_to_" +
                std::to_string(rows));
  }

  // t with `rows` rows and its oracle (every change a writer makes is mirrored there).
  Status Prepare(int rows) {
    ORDO_RETURN_IF_ERROR(Seed("t", rows));
    return Exec("CREATE TABLE oracle LIKE t; INSERT INTO oracle SELECT * FROM t");
  }

  // The engine of `spec` with a revert window, copied and swapped, into engine_.
  void Swapped(EngineSpec spec) {
    spec.revert_window = true;
    ORDO_ASSERT_OK_AND_ASSIGN(engine_, Copied(spec));
    ORDO_ASSERT_OK(engine_->Cutover().status());
  }

  // The table's rows (id, v, s) equal the oracle's, with the first differences named.
  void ExpectEqualsOracle(const std::string& table, const std::string& oracle) {
    ORDO_ASSERT_OK_AND_ASSIGN(auto mine, DumpOf(table, "id, v, s", "id"));
    ORDO_ASSERT_OK_AND_ASSIGN(auto expected, DumpOf(oracle, "id, v, s", "id"));
    EXPECT_EQ(mine.size(), expected.size());
    std::map<std::string, db::SqlRow> a, b;
    for (const auto& r : mine) a[*r[0]] = r;
    for (const auto& r : expected) b[*r[0]] = r;
    int reported = 0;
    for (const auto& [id, r] : b) {
      if (reported > 5) break;
      if (!a.count(id)) {
        ADD_FAILURE() << "row " << id << " is in the oracle only";
        ++reported;
      } else if (a[id] != r) {
        ADD_FAILURE() << "row " << id << " differs";
        ++reported;
      }
    }
    for (const auto& [id, r] : a)
      if (!b.count(id) && reported++ <= 5) ADD_FAILURE() << "row " << id << " is in the table only";
  }
};

TEST_F(RevertWindow, TheOldTableFollowsEveryWriteAndRevertSwapsItBackUnderLoad) {
  ORDO_ASSERT_OK(Prepare(20000));
  RandomWriter writer(server_, db_, "t", 1, 25000, "oracle", 3);
  ORDO_ASSERT_OK(writer.Start());
  ASSERT_NO_FATAL_FAILURE(
      Swapped(Spec("ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'n', MODIFY s VARCHAR(80)")));
  EXPECT_TRUE(HasColumn("t", "note"));
  EXPECT_EQ(host_.last_progress().phase, "revert_window");
  EXPECT_TRUE(engine_->CanRevert().ok());
  // The window: the writer keeps writing to the new table.
  int64_t at_swap = writer.transactions();
  ORDO_ASSERT_OK(engine_->KeepOldInSync([&] { return writer.transactions() > at_swap + 300; }));
  EXPECT_TRUE(host_.last_progress().revert_unavailable.empty())
      << host_.last_progress().revert_unavailable;
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport reverted, engine_->Revert());
  std::printf("revert under writes: %d attempt(s), writes blocked %lld ms, %lld rows verified\n",
              reverted.attempts, static_cast<long long>(reverted.write_block_ms),
              static_cast<long long>(reverted.rows_verified));
  EXPECT_LT(reverted.write_block_ms, 1000);
  // The writer goes on against the reverted table, then stops: no client error.
  int64_t at_revert = writer.transactions();
  EXPECT_TRUE(testing::PollUntil([&] { return writer.transactions() > at_revert + 100; },
                                 std::chrono::seconds(60)));
  ORDO_ASSERT_OK(writer.Stop());
  EXPECT_FALSE(HasColumn("t", "note"));
  ExpectEqualsOracle("t", "oracle");
  EXPECT_EQ(AllTables(), (std::vector<std::string>{"oracle", "t"}));
  EXPECT_EQ(host_.last_progress().phase, "reverted");
  // Reverting again is a no-op.
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport again, engine_->Revert());
  EXPECT_EQ(again.attempts, 0);
}

TEST_F(RevertWindow, SeveralTablesWithACreateAndADropSwapAndRevertTogether) {
  ORDO_ASSERT_OK(Prepare(3000));
  ORDO_ASSERT_OK(Seed("u", 2000));
  ORDO_ASSERT_OK(Seed("gone", 500));
  ORDO_ASSERT_OK(Exec("CREATE TABLE oracle_u LIKE u; INSERT INTO oracle_u SELECT * FROM u"));
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT DEFAULT 1");
  spec.changes.push_back({2, db_, "u", "ALTER TABLE u DROP COLUMN pad, ADD INDEX (s)"});
  spec.changes.push_back({3, db_, "fresh", "CREATE TABLE fresh (id INT PRIMARY KEY, note TEXT)"});
  spec.changes.push_back({4, db_, "gone", "DROP TABLE gone"});
  spec.revert_window = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  EXPECT_EQ(host_.last_progress().changes.size(), 4u);
  // Nothing appears or disappears before the cutover.
  EXPECT_EQ(AllTables(),
            (std::vector<std::string>{"fresh_ordo_new", "fresh_ordo_own", "gone", "gone_ordo_own",
                                      "oracle", "oracle_u", "t", "t_ordo_new", "t_ordo_own", "u",
                                      "u_ordo_new", "u_ordo_own"}));
  ORDO_ASSERT_OK(engine->Cutover().status());
  EXPECT_EQ(AllTables(),
            (std::vector<std::string>{"fresh", "fresh_ordo_own", "gone_ordo_old", "gone_ordo_own",
                                      "oracle", "oracle_u", "t", "t_ordo_old", "t_ordo_own", "u",
                                      "u_ordo_old", "u_ordo_own"}));
  // Writes in the window, to both altered tables and to the created one.
  RandomWriter wt(server_, db_, "t", 1, 4000, "oracle", 5);
  RandomWriter wu(server_, db_, "u", 1, 3000, "oracle_u", 6);
  ASSERT_TRUE(wt.Start().ok() && wu.Start().ok());
  ORDO_ASSERT_OK(Exec("INSERT INTO fresh VALUES (1, 'made in the window')"));
  ORDO_ASSERT_OK(
      engine->KeepOldInSync([&] { return wt.transactions() > 200 && wu.transactions() > 200; }));
  ORDO_ASSERT_OK(engine->Revert().status());
  ORDO_ASSERT_OK(wt.Stop());
  ORDO_ASSERT_OK(wu.Stop());
  EXPECT_EQ(AllTables(), (std::vector<std::string>{"gone", "oracle", "oracle_u", "t", "u"}));
  ExpectEqualsOracle("t", "oracle");
  ExpectEqualsOracle("u", "oracle_u");
  EXPECT_FALSE(HasColumn("t", "x"));
  EXPECT_TRUE(HasColumn("u", "pad"));
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM gone"), "500");
}

TEST_F(RevertWindow, FinishingDropsTheOldTablesOrKeepsThemUnderTheBackupName) {
  for (bool keep : {false, true}) {
    ORDO_ASSERT_OK(UseNewDatabase());
    ORDO_ASSERT_OK(Prepare(1000));
    ORDO_ASSERT_OK(Seed("gone", 10));
    EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
    spec.changes.push_back({2, db_, "gone", "DROP TABLE gone"});
    spec.keep_old_table = keep;
    ASSERT_NO_FATAL_FAILURE(Swapped(spec));
    ORDO_ASSERT_OK(engine_->KeepOldInSync([] { return true; }));
    ORDO_ASSERT_OK(engine_->FinishSwap());
    ORDO_ASSERT_OK(engine_->FinishSwap());  // idempotent
    std::vector<std::string> tables = AllTables();
    if (keep) {
      // The backups are the user's: kept on purpose; nothing else of ordo's is left.
      ASSERT_EQ(tables.size(), 4u) << ::testing::PrintToString(tables);
      EXPECT_EQ(tables[0].rfind("gone_ordo_bak_", 0), 0u) << tables[0];
      EXPECT_EQ(tables[3].rfind("t_ordo_bak_", 0), 0u) << tables[3];
    } else {
      EXPECT_EQ(tables, (std::vector<std::string>{"oracle", "t"}));
    }
    EXPECT_FALSE(engine_->CanRevert().ok());
    EXPECT_EQ(engine_->Revert().status().code(), StatusCode::kFailedPrecondition);
  }
}

// Two swaps of one table within the same second: the second backup takes a free name
// (`…_2`) instead of failing on the first's — and the backups there are never touched.
TEST_F(RevertWindow, ABackupNameTakenThisSecondIsNeverReusedOrTouched) {
  ORDO_ASSERT_OK(Prepare(100));
  // Backups of "this second" for the next 20 seconds already exist.
  std::vector<std::string> taken;
  for (int s = 0; s < 20; ++s) {
    taken.push_back("t_ordo_bak_" + CellOf("SELECT DATE_FORMAT(UTC_TIMESTAMP() + INTERVAL " +
                                           std::to_string(s) + " SECOND, '%Y%m%d%H%i%s')"));
    ORDO_ASSERT_OK(
        Exec("CREATE TABLE IF NOT EXISTS `" + db_ + "`.`" + taken.back() + "` (mine INT)"));
  }
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
  spec.keep_old_table = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  ORDO_ASSERT_OK(engine->Cutover().status());  // no window: the old table is disposed of now
  std::vector<std::string> tables = AllTables();
  int second_backups = 0;
  for (const std::string& t : tables)
    if (t.rfind("t_ordo_bak_", 0) == 0 && t.size() > 2 && t.substr(t.size() - 2) == "_2")
      ++second_backups;
  EXPECT_EQ(second_backups, 1) << ::testing::PrintToString(tables);
  for (const std::string& t : taken)
    EXPECT_EQ(CellOf("SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS WHERE "
                     "TABLE_SCHEMA = '" +
                     db_ + "' AND TABLE_NAME = '" + t + "'"),
              "mine")
        << t << " was touched";
  EXPECT_TRUE(HasColumn("t", "x"));
}

// A crashed engine's successor continues the reverse sync from the checkpoint; and
// when the crash came between the swap and its checkpoint, from the position the swap
// recorded on the target.
TEST_F(RevertWindow, ASuccessorEngineContinuesTheWindowAndReverts) {
  for (bool checkpoint_after_swap : {true, false}) {
    ORDO_ASSERT_OK(UseNewDatabase());
    ORDO_ASSERT_OK(Prepare(5000));
    RandomWriter writer(server_, db_, "t", 1, 6000, "oracle", 9);
    ORDO_ASSERT_OK(writer.Start());
    RecordingHost host;
    EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT DEFAULT 4");
    spec.revert_window = true;
    spec.fence_token = "first";
    ORDO_ASSERT_OK_AND_ASSIGN(auto first, Copied(spec, &host));
    std::string before_swap = host.last_resume_state();
    ORDO_ASSERT_OK(first->Cutover().status());
    int64_t at = writer.transactions();
    ORDO_ASSERT_OK(first->KeepOldInSync([&] { return writer.transactions() > at + 100; }));
    std::string saved = checkpoint_after_swap ? host.last_resume_state() : before_swap;
    if (checkpoint_after_swap) {
      ORDO_ASSERT_OK_AND_ASSIGN(ResumeState state, DecodeResumeState(saved));
      EXPECT_EQ(state.stage, EngineStage::kSwapped);
      EXPECT_FALSE(state.reverse_position.empty());
    }
    first.reset();  // the crash: nothing runs while the writer goes on
    at = writer.transactions();
    ASSERT_TRUE(testing::PollUntil([&] { return writer.transactions() > at + 100; },
                                   std::chrono::seconds(60)));

    RecordingHost host2;
    spec.resume_state = saved;
    spec.fence_token = "second";
    // The operator's recovery path: Copy and Cutover answer at once, the window goes on.
    ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &host2));
    ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport cut, second->Cutover());
    EXPECT_EQ(cut.attempts, 0);
    at = writer.transactions();
    ORDO_ASSERT_OK(second->KeepOldInSync([&] { return writer.transactions() > at + 100; }));
    ORDO_ASSERT_OK(second->Revert().status());
    ORDO_ASSERT_OK(writer.Stop());
    ExpectEqualsOracle("t", "oracle");
    EXPECT_FALSE(HasColumn("t", "x"));
    // The successor owned what the first engine made, and removed all of it.
    EXPECT_TRUE(OrdoTablesLeft().empty()) << ::testing::PrintToString(OrdoTablesLeft());
  }
}

TEST_F(RevertWindow, ARowTheOldTableCannotHoldMakesRevertUnavailableButTheWindowGoesOn) {
  ORDO_ASSERT_OK(Prepare(1000));
  ASSERT_NO_FATAL_FAILURE(Swapped(Spec("ALTER TABLE t MODIFY s VARCHAR(200)")));
  // Too long for the old VARCHAR(64).
  ORDO_ASSERT_OK(Exec("UPDATE t SET s = REPEAT('x', 150) WHERE id = 7"));
  ORDO_ASSERT_OK(
      engine_->KeepOldInSync([&] { return !host_.last_progress().revert_unavailable.empty(); }));
  Status can = engine_->CanRevert();
  EXPECT_EQ(can.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(can.message().find("`t`"), std::string::npos) << can.message();
  EXPECT_NE(can.message().find("reverse sync"), std::string::npos) << can.message();
  EXPECT_EQ(engine_->Revert().status().code(), StatusCode::kFailedPrecondition);
  // The application never noticed; the window ends normally.
  ORDO_ASSERT_OK(Exec("UPDATE t SET v = 1 WHERE id = 8"));
  ORDO_ASSERT_OK(engine_->FinishSwap());
  EXPECT_EQ(AllTables(), (std::vector<std::string>{"oracle", "t"}));
}

}  // namespace
}  // namespace ordo::engine

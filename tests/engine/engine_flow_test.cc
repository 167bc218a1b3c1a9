// The engine end to end on a real server with the binlog reader: copy under writes,
// composite and non-integer keys, lossy changes, verification, stop/resume, cancel,
// callback errors, and input refusals.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

using testing::RandomWriter;
using testing::RecordingHost;

// Enough rows for the verification during the copy to run rounds (TrailingVerifier:
// one per 50,000 copied rows).
constexpr int kRoundsRows = 150000;

// Each test's table: `t` with a secondary key and a padding column.
class EngineFlow : public testing::EngineTest {
 protected:
  Status Seed(int rows) {
    return Exec(
        "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(64), pad CHAR(20), KEY (v));"
        "INSERT INTO t SELECT seq, seq * 7 % 1000, CONCAT('s', seq), 'p' FROM seq_1_to_" +
        std::to_string(rows));
  }

  // An ADD COLUMN copied in many chunks, so that the rounds end well before the copy does.
  EngineSpec RoundsSpec() {
    EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT DEFAULT 3");
    spec.chunk_target_ms = 20;
    return spec;
  }

  // The swapped table equals the old one (kept by a revert window) on every row.
  void ExpectSwappedTableEqualsTheOld(const std::string& columns = "id, v, s, pad",
                                      const std::string& order_by = "id") {
    auto before = DumpOf("t_ordo_old", columns, order_by);
    auto after = DumpOf("t", columns, order_by);
    ASSERT_TRUE(before.ok() && after.ok());
    EXPECT_EQ(before->size(), after->size());
    EXPECT_EQ(*before, *after);
  }
};
using EnginePreflight = testing::EngineTest;

TEST_F(EngineFlow, CopiesUnderConcurrentWritesAndSwapsWithIdenticalData) {
  ORDO_ASSERT_OK(Seed(30000));
  RandomWriter writer(server_, db_, "t", 1, 40000, "", 7);
  ORDO_ASSERT_OK(writer.Start());
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'n'");
  spec.revert_window = true;  // the old table stays as t_ordo_old
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  ORDO_ASSERT_OK(engine->Preflight());
  ORDO_ASSERT_OK(engine->Copy());
  EXPECT_EQ(host_.last_progress().phase, "in_sync");
  EXPECT_TRUE(engine->KeepInSync([] { return true; }).ok());
  ORDO_ASSERT_OK(writer.Stop());
  EXPECT_GT(writer.transactions(), 100);
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, engine->Cutover());
  EXPECT_EQ(report.attempts, 1);
  EXPECT_LT(report.write_block_ms, 1000);
  EXPECT_GT(report.rows_verified, 0);
  ExpectSwappedTableEqualsTheOld();
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE note = 'n'"), CellOf("SELECT COUNT(*) FROM t"));
  EXPECT_EQ(OrdoTablesLeft(), (std::vector<std::string>{"t_ordo_old", "t_ordo_own"}));
}

TEST_F(EngineFlow, CompositeAndNonIntegerKeysCopyAndSync) {
  ORDO_ASSERT_OK(
      Exec("CREATE TABLE t (region VARCHAR(16), at DATETIME(3), n DECIMAL(10,2), "
           "payload VARBINARY(32), PRIMARY KEY (region, at, n));"
           "INSERT INTO t SELECT ELT(1 + seq % 3, 'eu', 'us', 'asia'), "
           "'2026-01-01' + INTERVAL seq SECOND, seq / 4, UNHEX(MD5(seq)) FROM seq_1_to_9000"));
  EngineSpec spec = Spec("ALTER TABLE t MODIFY payload VARBINARY(64), ADD INDEX (n)");
  spec.revert_window = true;  // the old table stays as t_ordo_old
  spec.chunk_target_ms = 20;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  // Writes after the copy arrive through the binlog.
  ORDO_ASSERT_OK(
      Exec("UPDATE t SET payload = UNHEX('00FF') WHERE region = 'eu' AND n < 100;"
           "DELETE FROM t WHERE region = 'us' AND n BETWEEN 100 AND 200;"
           "INSERT INTO t VALUES ('mars', '2030-01-01 00:00:00.5', 1.25, 'x')"));
  auto report = engine->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ExpectSwappedTableEqualsTheOld("region, at, n, HEX(payload)", "region, at, n");
}

TEST_F(EngineFlow, AddUniqueKeyOnDuplicatesFailsNamingTheKeyAndTouchesNothing) {
  ORDO_ASSERT_OK(Seed(5000));
  ORDO_ASSERT_OK(Exec("UPDATE t SET s = 'dup@example' WHERE id IN (1234, 4321)"));
  auto checksum_before = conn_->Query("CHECKSUM TABLE t");
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(Spec("ALTER TABLE t ADD UNIQUE KEY uk_s (s)")));
  ORDO_ASSERT_OK(engine->Preflight());
  Status s = engine->Copy();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("dup@example"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("4321"), std::string::npos) << s.message();
  ORDO_ASSERT_OK(engine->Cancel());
  EXPECT_TRUE(OrdoTablesLeft().empty());
  EXPECT_EQ(checksum_before->rows, conn_->Query("CHECKSUM TABLE t")->rows);
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t"), "5000");
}

TEST_F(EngineFlow, VerificationRefusesAShadowThatDiffersAndNamesTheRow) {
  ORDO_ASSERT_OK(Seed(3000));
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(Spec("ALTER TABLE t ADD COLUMN x INT")));
  // Changes to the shadow itself are not captured: the shadow now lacks row 777.
  ORDO_ASSERT_OK(Exec("DELETE FROM t_ordo_new WHERE id = 777"));
  Status refused = CutoverError(*engine);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), StatusCode::kDataLoss);
  EXPECT_NE(refused.message().find("(777)"), std::string::npos) << refused.message();
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + db_ +
                   "' AND TABLE_NAME = 't' AND COLUMN_NAME = 'x'"),
            "0");  // not swapped
  ORDO_ASSERT_OK(engine->Cancel());
}

TEST_F(EngineFlow, AnIdleCopyIsVerifiedWhileItRunsAndTheCutoverComparesOnlyTheRest) {
  ORDO_ASSERT_OK(Seed(kRoundsRows));
  EngineSpec spec = RoundsSpec();
  spec.revert_window = true;  // the old table stays as t_ordo_old
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, RunToSwap(spec));
  EXPECT_GT(report.rows_verified, 0);
  EXPECT_LT(report.rows_verified, kRoundsRows);
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t_ordo_old"), std::to_string(kRoundsRows));
  ExpectSwappedTableEqualsTheOld();
}

TEST_F(EngineFlow, RowWritesAfterTheRoundsLeaveThemStandingAndReachTheSwappedTable) {
  ORDO_ASSERT_OK(Seed(kRoundsRows));
  EngineSpec spec = RoundsSpec();
  spec.revert_window = true;  // the old table stays as t_ordo_old
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  // Updates, deletes and inserts all over the table, the rounds' ranges included.
  ORDO_ASSERT_OK(
      Exec("UPDATE t SET v = -1 WHERE id % 1000 = 0; DELETE FROM t WHERE id % 1500 = 7;"
           "INSERT INTO t SELECT seq, -1, 'new', 'p' FROM seq_200001_to_200100"));
  ORDO_ASSERT_OK(engine->KeepInSync([&] {
    return CellOf("SELECT COUNT(*) FROM t_ordo_new WHERE v = -1") ==
           CellOf("SELECT COUNT(*) FROM t WHERE v = -1");
  }));
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, engine->Cutover());
  // What the rounds compared stood: the cutover compared only the rest.
  EXPECT_GT(report.rows_verified, 0);
  EXPECT_LT(report.rows_verified, kRoundsRows * 2 / 3);
  ExpectSwappedTableEqualsTheOld();
}

TEST_F(EngineFlow, AStatementTheStreamCannotApplyMakesTheCutoverCompareEveryRow) {
  ORDO_ASSERT_OK(Seed(kRoundsRows));
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(RoundsSpec()));
  // Logged as a statement, the update reaches the binlog without rows events: the
  // shadow keeps row 7's old value, in a range a round compared. Only a verification of
  // every row finds it.
  ORDO_ASSERT_OK(
      Exec("SET SESSION binlog_format = 'STATEMENT'; UPDATE t SET v = -1 WHERE id = 7; "
           "SET SESSION binlog_format = 'ROW'"));
  Status refused = CutoverError(*engine);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), StatusCode::kDataLoss);
  EXPECT_NE(refused.message().find("(7)"), std::string::npos) << refused.message();
  ORDO_ASSERT_OK(engine->Cancel());
}

TEST_F(EngineFlow, StopKeepsTheCheckpointAndANewEngineResumesPastTheWatermark) {
  ORDO_ASSERT_OK(Seed(20000));
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT DEFAULT 3");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;   // many small chunks
  spec.revert_window = true;  // the old table stays as t_ordo_old
  testing::StopCopyAtChunk(host_, 8);
  ORDO_ASSERT_OK_AND_ASSIGN(auto first, NewEngine(spec));
  Status stopped = first->Copy();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled) << stopped.ToString();
  EXPECT_EQ(host_.last_progress().phase, "stopped");
  ORDO_ASSERT_OK_AND_ASSIGN(ResumeState saved, DecodeResumeState(host_.last_resume_state()));
  ASSERT_TRUE(saved.tables[0].copy.watermark.has_value());
  int64_t watermark = std::stoll(saved.tables[0].copy.watermark->at(0).s);
  EXPECT_GT(watermark, 0);
  first.reset();
  ORDO_ASSERT_OK(Exec("UPDATE t SET v = -1 WHERE id <= 10"));  // while stopped

  RecordingHost host2;
  spec.resume_state = host_.last_resume_state();
  ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &host2));
  EngineProgress p = host2.last_progress();
  EXPECT_TRUE(p.resumed);
  EXPECT_LE(p.rows_scanned_this_run, 20000 - watermark);
  // The verification covers the range the first run copied too (this run's chunk
  // bounds start at the watermark): a row missing there is found.
  ORDO_ASSERT_OK(Exec("DELETE FROM t_ordo_new WHERE id = 5"));
  Status refused = CutoverError(*second);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("(5)"), std::string::npos) << refused.message();
  ORDO_ASSERT_OK(
      Exec("INSERT INTO t_ordo_new (id, v, s, pad) SELECT id, v, s, pad FROM t WHERE id = 5"));
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, second->Cutover());
  EXPECT_EQ(report.rows_verified, 20000);
  ExpectSwappedTableEqualsTheOld();
}

TEST_F(EngineFlow, CancelRemovesEveryArtefactAndLeavesTheTable) {
  ORDO_ASSERT_OK(Seed(2000));
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(Spec("ALTER TABLE t ADD COLUMN x INT")));
  EXPECT_EQ(OrdoTablesLeft(), (std::vector<std::string>{"t_ordo_new", "t_ordo_own"}));
  ORDO_ASSERT_OK(engine->Cancel());
  EXPECT_TRUE(OrdoTablesLeft().empty());
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t"), "2000");
}

TEST_F(EngineFlow, ACallbackErrorStopsTheEngineAtOnce) {
  ORDO_ASSERT_OK(Seed(2000));
  host_.fail_callbacks = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(Spec("ALTER TABLE t ADD COLUMN x INT")));
  Status s = engine->Copy();
  EXPECT_EQ(s.code(), StatusCode::kLeaseLost) << s.ToString();
  // The engine proves its lease with a progress report before its first write to the
  // tables: that report failed, so no shadow was created and no chunk ran.
  EXPECT_TRUE(OrdoTablesLeft().empty());
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t"), "2000");
  EXPECT_FALSE(engine->Cutover().ok());
}

TEST_F(EnginePreflight, RefusesBadInputNamingTheTableAndReason) {
  ORDO_ASSERT_OK(
      Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT);"
           "CREATE TABLE nokey (v INT);"
           "CREATE TABLE trg (id INT PRIMARY KEY);"
           "CREATE TRIGGER trg_ai AFTER INSERT ON trg FOR EACH ROW SET @x = 1;"
           "CREATE TABLE parent (id INT PRIMARY KEY);"
           "CREATE TABLE child (id INT PRIMARY KEY, p INT, "
           "CONSTRAINT fk_child_parent FOREIGN KEY (p) REFERENCES parent (id));"
           "CREATE TABLE xparent (id INT PRIMARY KEY);"
           "CREATE TABLE `par-ent` (id INT PRIMARY KEY);"
           "CREATE TABLE odd_child (id INT PRIMARY KEY, p INT, "
           "CONSTRAINT fk_odd_name FOREIGN KEY (p) REFERENCES `par-ent` (id))"));
  // A child in another schema (found in InnoDB's list), and a parent whose name InnoDB
  // stores encoded (found by the standard view).
  const std::string refs = db_ + "_refs";
  ORDO_ASSERT_OK(Exec("CREATE DATABASE `" + refs + "`;CREATE TABLE `" + refs +
                      "`.c (id INT PRIMARY KEY, p INT, CONSTRAINT fk_other_schema "
                      "FOREIGN KEY (p) REFERENCES `" +
                      db_ + "`.xparent (id))"));
  struct Case {
    std::string table, ddl, expect;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {"t", "ALTER TABLE t ADD COLUMN a INT; DROP TABLE t", "one statement",
       StatusCode::kInvalidArgument},
      {"t", "TRUNCATE TABLE t", "ALTER TABLE, CREATE TABLE or DROP TABLE",
       StatusCode::kInvalidArgument},
      {"t", "ALTER TABLE other ADD COLUMN a INT", "another table", StatusCode::kInvalidArgument},
      {"t", "ALTER TABLE t ADD COLUMN v INT", "does not apply", StatusCode::kInvalidArgument},
      {"nokey", "ALTER TABLE nokey ADD COLUMN a INT", "no primary key",
       StatusCode::kFailedPrecondition},
      {"trg", "ALTER TABLE trg ADD COLUMN a INT", "triggers (trg_ai)",
       StatusCode::kFailedPrecondition},
      {"trg", "DROP TABLE trg", "triggers (trg_ai)", StatusCode::kFailedPrecondition},
      // Foreign keys in either direction, named.
      {"child", "ALTER TABLE child ADD COLUMN a INT", "foreign keys (fk_child_parent)",
       StatusCode::kFailedPrecondition},
      {"parent", "ALTER TABLE parent ADD COLUMN a INT", "foreign keys (fk_child_parent)",
       StatusCode::kFailedPrecondition},
      {"parent", "DROP TABLE parent", "foreign keys (fk_child_parent)",
       StatusCode::kFailedPrecondition},
      {"xparent", "ALTER TABLE xparent ADD COLUMN a INT", "foreign keys (fk_other_schema)",
       StatusCode::kFailedPrecondition},
      {"par-ent", "ALTER TABLE `par-ent` ADD COLUMN a INT", "foreign keys (fk_odd_name)",
       StatusCode::kFailedPrecondition},
      {"fresh",
       "CREATE TABLE fresh (id INT PRIMARY KEY, p INT, CONSTRAINT fk_fresh FOREIGN KEY (p) "
       "REFERENCES parent (id))",
       "foreign keys (fk_fresh)", StatusCode::kFailedPrecondition},
      {"t", "CREATE TABLE t (id INT PRIMARY KEY)", "already exists",
       StatusCode::kFailedPrecondition},
      {"gone", "DROP TABLE gone", "does not exist", StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    RecordingHost host;
    ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(Spec(c.ddl, c.table), &host));
    Status s = engine->Preflight();
    EXPECT_EQ(s.code(), c.code) << c.ddl << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("`" + c.table + "`"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(OrdoTablesLeft().empty());
  ORDO_ASSERT_OK(Exec("DROP DATABASE `" + refs + "`"));
}

}  // namespace
}  // namespace ordo::engine

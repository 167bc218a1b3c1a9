// The engine end to end on a real server with the binlog reader: copy under writes,
// composite and non-integer keys, lossy changes, verification, stop/resume, cancel,
// callback errors, and input refusals.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::Dump;
using testing::OrdoTables;
using testing::RandomWriter;
using testing::RecordingHost;
using testing::SpecFor;

constexpr const char* kTable =
    "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(64), pad CHAR(20), KEY (v))";

Status Seed(MysqlConnection& conn, int rows) {
  ORDO_RETURN_IF_ERROR(conn.Execute(kTable));
  return conn.Execute("INSERT INTO t SELECT seq, seq * 7 % 1000, CONCAT('s', seq), 'p' FROM seq_1_to_" +
                      std::to_string(rows));
}

Result<std::unique_ptr<OperationEngine>> Engine(const EngineSpec& spec, EngineHost* host) {
  return NewMysqlEngine(spec, host);
}

TEST(EngineFlow, CopiesUnderConcurrentWritesAndSwapsWithIdenticalData) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 30000).ok());
  RandomWriter writer(server, *db, "t", 1, 40000, "", 7);
  ASSERT_TRUE(writer.Start().ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "t", "ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'n'");
  spec.revert_window = true;  // the old table stays as t_ordo_old
  auto engine = Engine(spec, &host);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  ASSERT_TRUE((*engine)->Preflight().ok());
  Status copied = (*engine)->Copy();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EXPECT_EQ(host.last_progress().phase, "in_sync");
  EXPECT_TRUE((*engine)->KeepInSync([] { return true; }).ok());
  ASSERT_TRUE(writer.Stop().ok());
  EXPECT_GT(writer.transactions(), 100);
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->attempts, 1);
  EXPECT_LT(report->write_block_ms, 1000);
  EXPECT_GT(report->rows_verified, 0);
  auto before = Dump(**conn, *db, "t_ordo_old", "id, v, s, pad", "id");
  auto after = Dump(**conn, *db, "t", "id, v, s, pad", "id");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(*before, *after);
  auto note = (*conn)->Query("SELECT COUNT(*) FROM t WHERE note = 'n'");
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(*note->rows[0][0], std::to_string(after->size()));
  EXPECT_EQ(*OrdoTables(**conn, *db), (std::vector<std::string>{"t_ordo_old", "t_ordo_own"}));
}

TEST(EngineFlow, CompositeAndNonIntegerKeysCopyAndSync) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(testing::Run(**conn,
                           "CREATE TABLE t (region VARCHAR(16), at DATETIME(3), n DECIMAL(10,2), "
                           "payload VARBINARY(32), PRIMARY KEY (region, at, n));"
                           "INSERT INTO t SELECT ELT(1 + seq % 3, 'eu', 'us', 'asia'), "
                           "'2026-01-01' + INTERVAL seq SECOND, seq / 4, UNHEX(MD5(seq)) FROM seq_1_to_9000")
                  .ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "t", "ALTER TABLE t MODIFY payload VARBINARY(64), ADD INDEX (n)");
  spec.revert_window = true;  // the old table stays as t_ordo_old
  spec.chunk_target_ms = 20;
  auto engine = Engine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  // Writes after the copy arrive through the binlog.
  ASSERT_TRUE(testing::Run(**conn,
                           "UPDATE t SET payload = UNHEX('00FF') WHERE region = 'eu' AND n < 100;"
                           "DELETE FROM t WHERE region = 'us' AND n BETWEEN 100 AND 200;"
                           "INSERT INTO t VALUES ('mars', '2030-01-01 00:00:00.5', 1.25, 'x')")
                  .ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto before = Dump(**conn, *db, "t_ordo_old", "region, at, n, HEX(payload)", "region, at, n");
  auto after = Dump(**conn, *db, "t", "region, at, n, HEX(payload)", "region, at, n");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(before->size(), after->size());
  EXPECT_EQ(*before, *after);
}

TEST(EngineFlow, AddUniqueKeyOnDuplicatesFailsNamingTheKeyAndTouchesNothing) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 5000).ok());
  ASSERT_TRUE((*conn)->Execute("UPDATE t SET s = 'dup@example' WHERE id IN (1234, 4321)").ok());
  auto checksum_before = (*conn)->Query("CHECKSUM TABLE t");
  RecordingHost host;
  auto engine = Engine(SpecFor(server, *db, "t", "ALTER TABLE t ADD UNIQUE KEY uk_s (s)"), &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Preflight().ok());
  Status s = (*engine)->Copy();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("dup@example"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("4321"), std::string::npos) << s.message();
  ASSERT_TRUE((*engine)->Cancel().ok());
  EXPECT_TRUE(OrdoTables(**conn, *db)->empty());
  auto checksum_after = (*conn)->Query("CHECKSUM TABLE t");
  EXPECT_EQ(checksum_before->rows, checksum_after->rows);
  auto count = (*conn)->Query("SELECT COUNT(*) FROM t");
  EXPECT_EQ(*count->rows[0][0], "5000");
}

TEST(EngineFlow, VerificationRefusesAShadowThatDiffersAndNamesTheRow) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 3000).ok());
  RecordingHost host;
  auto engine = Engine(SpecFor(server, *db, "t", "ALTER TABLE t ADD COLUMN x INT"), &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  // Changes to the shadow itself are not captured: the shadow now lacks row 777.
  ASSERT_TRUE((*conn)->Execute("DELETE FROM t_ordo_new WHERE id = 777").ok());
  auto report = (*engine)->Cutover();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(report.status().message().find("(777)"), std::string::npos) << report.status().message();
  auto cols = (*conn)->Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" +
                             *db + "' AND TABLE_NAME = 't' AND COLUMN_NAME = 'x'");
  EXPECT_EQ(*cols->rows[0][0], "0");  // not swapped
  ASSERT_TRUE((*engine)->Cancel().ok());
}

// Enough rows for the verification during the copy to run rounds (TrailingVerifier:
// one per 50,000 copied rows).
constexpr int kRoundsRows = 150000;

// An ADD COLUMN copied in many chunks, so that the rounds end well before the copy does.
EngineSpec RoundsSpec(testing::MariaDbServer* server, const std::string& db) {
  EngineSpec spec = SpecFor(server, db, "t", "ALTER TABLE t ADD COLUMN x INT DEFAULT 3");
  spec.chunk_target_ms = 20;
  return spec;
}

TEST(EngineFlow, AnIdleCopyIsVerifiedWhileItRunsAndTheCutoverComparesOnlyTheRest) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, kRoundsRows).ok());
  RecordingHost host;
  EngineSpec spec = RoundsSpec(server, *db);
  spec.revert_window = true;  // the old table stays as t_ordo_old
  auto engine = Engine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GT(report->rows_verified, 0);
  EXPECT_LT(report->rows_verified, kRoundsRows);
  auto before = Dump(**conn, *db, "t_ordo_old", "id, v, s, pad", "id");
  auto after = Dump(**conn, *db, "t", "id, v, s, pad", "id");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(before->size(), static_cast<size_t>(kRoundsRows));
  EXPECT_EQ(*before, *after);
}

TEST(EngineFlow, AChangeOfTheTableAfterTheRoundsMakesTheCutoverCompareEveryRow) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, kRoundsRows).ok());
  RecordingHost host;
  auto engine = Engine(RoundsSpec(server, *db), &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  // One row changes; and the shadow loses row 7, which a round compared when it was
  // still there. Only a verification of every row finds it.
  ASSERT_TRUE((*conn)->Execute("UPDATE t SET v = -1 WHERE id = 100000").ok());
  ASSERT_TRUE((*conn)->Execute("DELETE FROM t_ordo_new WHERE id = 7").ok());
  ASSERT_TRUE((*engine)->KeepInSync([&] {
    auto v = (*conn)->Query("SELECT v FROM t_ordo_new WHERE id = 100000");
    return v.ok() && !v->rows.empty() && v->rows[0][0] == "-1";
  }).ok());
  auto refused = (*engine)->Cutover();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(refused.status().message().find("(7)"), std::string::npos) << refused.status().message();
  ASSERT_TRUE((*engine)->Cancel().ok());
}

TEST(EngineFlow, StopKeepsTheCheckpointAndANewEngineResumesPastTheWatermark) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 20000).ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "t", "ALTER TABLE t ADD COLUMN x INT DEFAULT 3");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;  // many small chunks
  spec.revert_window = true;  // the old table stays as t_ordo_old
  testing::StopCopyAtChunk(host, 8);
  auto first = Engine(spec, &host);
  ASSERT_TRUE(first.ok());
  Status stopped = (*first)->Copy();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled) << stopped.ToString();
  EXPECT_EQ(host.last_progress().phase, "stopped");
  auto saved = DecodeResumeState(host.last_resume_state());
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  ASSERT_TRUE(saved->tables[0].copy.watermark.has_value());
  int64_t watermark = std::stoll(saved->tables[0].copy.watermark->at(0).s);
  EXPECT_GT(watermark, 0);
  first->reset();
  ASSERT_TRUE((*conn)->Execute("UPDATE t SET v = -1 WHERE id <= 10").ok());  // while stopped

  RecordingHost host2;
  spec.resume_state = host.last_resume_state();
  auto second = Engine(spec, &host2);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE((*second)->Copy().ok());
  EngineProgress p = host2.last_progress();
  EXPECT_TRUE(p.resumed);
  EXPECT_LE(p.rows_scanned_this_run, 20000 - watermark);
  // The verification covers the range the first run copied too (this run's chunk
  // bounds start at the watermark): a row missing there is found.
  ASSERT_TRUE((*conn)->Execute("DELETE FROM t_ordo_new WHERE id = 5").ok());
  auto refused = (*second)->Cutover();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("(5)"), std::string::npos) << refused.status().message();
  ASSERT_TRUE((*conn)->Execute("INSERT INTO t_ordo_new (id, v, s, pad) SELECT id, v, s, pad FROM t WHERE id = 5").ok());
  auto report = (*second)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_verified, 20000);
  auto before = Dump(**conn, *db, "t_ordo_old", "id, v, s, pad", "id");
  auto after = Dump(**conn, *db, "t", "id, v, s, pad", "id");
  EXPECT_EQ(*before, *after);
}

TEST(EngineFlow, CancelRemovesEveryArtefactAndLeavesTheTable) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 2000).ok());
  RecordingHost host;
  auto engine = Engine(SpecFor(server, *db, "t", "ALTER TABLE t ADD COLUMN x INT"), &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  EXPECT_EQ(*OrdoTables(**conn, *db), (std::vector<std::string>{"t_ordo_new", "t_ordo_own"}));
  ASSERT_TRUE((*engine)->Cancel().ok());
  EXPECT_TRUE(OrdoTables(**conn, *db)->empty());
  auto count = (*conn)->Query("SELECT COUNT(*) FROM t");
  EXPECT_EQ(*count->rows[0][0], "2000");
}

TEST(EngineFlow, ACallbackErrorStopsTheEngineAtOnce) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 2000).ok());
  RecordingHost host;
  host.fail_callbacks = true;
  auto engine = Engine(SpecFor(server, *db, "t", "ALTER TABLE t ADD COLUMN x INT"), &host);
  ASSERT_TRUE(engine.ok());
  Status s = (*engine)->Copy();
  EXPECT_EQ(s.code(), StatusCode::kLeaseLost) << s.ToString();
  // The engine proves its lease with a progress report before its first write to the
  // tables: that report failed, so no shadow was created and no chunk ran.
  EXPECT_TRUE(OrdoTables(**conn, *db)->empty());
  auto rows = (*conn)->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows->rows[0][0], "2000");
  EXPECT_FALSE((*engine)->Cutover().ok());
}

TEST(EnginePreflight, RefusesBadInputNamingTheTableAndReason) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(testing::Run(**conn, "CREATE TABLE t (id INT PRIMARY KEY, v INT);"
                                   "CREATE TABLE nokey (v INT);"
                                   "CREATE TABLE trg (id INT PRIMARY KEY);"
                                   "CREATE TRIGGER trg_ai AFTER INSERT ON trg FOR EACH ROW SET @x = 1;"
                                   "CREATE TABLE parent (id INT PRIMARY KEY);"
                                   "CREATE TABLE child (id INT PRIMARY KEY, p INT, "
                                   "CONSTRAINT fk_child_parent FOREIGN KEY (p) REFERENCES parent (id));"
                                   "CREATE TABLE xparent (id INT PRIMARY KEY);"
                                   "CREATE TABLE `par-ent` (id INT PRIMARY KEY);"
                                   "CREATE TABLE odd_child (id INT PRIMARY KEY, p INT, "
                                   "CONSTRAINT fk_odd_name FOREIGN KEY (p) REFERENCES `par-ent` (id))")
                  .ok());
  // A child in another schema (found in InnoDB's list), and a parent whose name InnoDB
  // stores encoded (found by the standard view).
  const std::string refs = *db + "_refs";
  ASSERT_TRUE(testing::Run(**conn, "CREATE DATABASE `" + refs + "`;CREATE TABLE `" + refs +
                                       "`.c (id INT PRIMARY KEY, p INT, CONSTRAINT fk_other_schema "
                                       "FOREIGN KEY (p) REFERENCES `" + *db + "`.xparent (id))")
                  .ok());
  struct Case {
    std::string table, ddl, expect;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {"t", "ALTER TABLE t ADD COLUMN a INT; DROP TABLE t", "one statement", StatusCode::kInvalidArgument},
      {"t", "TRUNCATE TABLE t", "ALTER TABLE, CREATE TABLE or DROP TABLE", StatusCode::kInvalidArgument},
      {"t", "ALTER TABLE other ADD COLUMN a INT", "another table", StatusCode::kInvalidArgument},
      {"t", "ALTER TABLE t ADD COLUMN v INT", "does not apply", StatusCode::kInvalidArgument},
      {"nokey", "ALTER TABLE nokey ADD COLUMN a INT", "no primary key", StatusCode::kFailedPrecondition},
      {"trg", "ALTER TABLE trg ADD COLUMN a INT", "triggers (trg_ai)", StatusCode::kFailedPrecondition},
      {"trg", "DROP TABLE trg", "triggers (trg_ai)", StatusCode::kFailedPrecondition},
      // Foreign keys in either direction, named.
      {"child", "ALTER TABLE child ADD COLUMN a INT", "foreign keys (fk_child_parent)",
       StatusCode::kFailedPrecondition},
      {"parent", "ALTER TABLE parent ADD COLUMN a INT", "foreign keys (fk_child_parent)",
       StatusCode::kFailedPrecondition},
      {"parent", "DROP TABLE parent", "foreign keys (fk_child_parent)", StatusCode::kFailedPrecondition},
      {"xparent", "ALTER TABLE xparent ADD COLUMN a INT", "foreign keys (fk_other_schema)",
       StatusCode::kFailedPrecondition},
      {"par-ent", "ALTER TABLE `par-ent` ADD COLUMN a INT", "foreign keys (fk_odd_name)",
       StatusCode::kFailedPrecondition},
      {"fresh", "CREATE TABLE fresh (id INT PRIMARY KEY, p INT, CONSTRAINT fk_fresh FOREIGN KEY (p) "
                "REFERENCES parent (id))",
       "foreign keys (fk_fresh)", StatusCode::kFailedPrecondition},
      {"t", "CREATE TABLE t (id INT PRIMARY KEY)", "already exists", StatusCode::kFailedPrecondition},
      {"gone", "DROP TABLE gone", "does not exist", StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    RecordingHost host;
    auto engine = Engine(SpecFor(server, *db, c.table, c.ddl), &host);
    ASSERT_TRUE(engine.ok());
    Status s = (*engine)->Preflight();
    EXPECT_EQ(s.code(), c.code) << c.ddl << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("`" + c.table + "`"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(OrdoTables(**conn, *db)->empty());
  ASSERT_TRUE((*conn)->Execute("DROP DATABASE `" + refs + "`").ok());
}

}  // namespace
}  // namespace ordo

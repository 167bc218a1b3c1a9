// The instant fast path: decided in preflight without touching the table, shown in
// progress, applied at cutover within the lock budget, not revertible; forced off by
// allow_instant; never taken for several tables or for changes that need a copy; and a
// recovered engine that finds the ALTER already ran.
#include <gtest/gtest.h>

#include "engine_test_support.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::RecordingHost;
using testing::SpecFor;

struct Fixture {
  std::string db;
  std::unique_ptr<MysqlConnection> conn;
};

Result<Fixture> Prepare(testing::MariaDbServer* server) {
  Fixture f;
  ORDO_ASSIGN_OR_RETURN(f.db, testing::NewDatabase(server));
  ORDO_ASSIGN_OR_RETURN(f.conn, Connect(server, f.db));
  ORDO_RETURN_IF_ERROR(testing::Run(*f.conn, "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(20));"
                                             "INSERT INTO t SELECT seq, seq, 'x' FROM seq_1_to_3000;"
                                             "CREATE TABLE u (id INT PRIMARY KEY, v INT);"
                                             "INSERT INTO u SELECT seq, seq FROM seq_1_to_100"));
  return f;
}

EngineSpec InstantSpec(testing::MariaDbServer* server, const std::string& db, const std::string& ddl) {
  EngineSpec spec = SpecFor(server, db, "t", ddl);
  spec.allow_instant = true;
  return spec;
}

bool HasColumn(MysqlConnection& conn, const std::string& db, const std::string& table,
               const std::string& column) {
  auto r = conn.Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
                      "TABLE_NAME = ? AND COLUMN_NAME = ?",
                      {SqlValue::Text(db), SqlValue::Text(table), SqlValue::Text(column)});
  return r.ok() && *r->rows[0][0] == "1";
}

bool Exists(MysqlConnection& conn, const std::string& db, const std::string& table) {
  auto r = conn.Query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                      {SqlValue::Text(db), SqlValue::Text(table)});
  return r.ok() && *r->rows[0][0] == "1";
}

TEST(Instant, DecidedUpFrontShownInProgressAppliedAtCutoverAndNotRevertible) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto checksum = f->conn->Query("CHECKSUM TABLE t");
  RecordingHost host;
  EngineSpec spec = InstantSpec(server, f->db, "ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'n'");
  spec.revert_window = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Preflight().ok());
  Status copied = (*engine)->Copy();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EngineProgress p = host.last_progress();
  EXPECT_TRUE(p.instant);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_TRUE(p.changes[0].instant);
  EXPECT_EQ(p.phase, "in_sync");
  // Nothing touched the table or made a shadow.
  EXPECT_FALSE(HasColumn(*f->conn, f->db, "t", "note"));
  EXPECT_FALSE(Exists(*f->conn, f->db, "t_ordo_new"));
  EXPECT_EQ(f->conn->Query("CHECKSUM TABLE t")->rows, checksum->rows);
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->instant);
  EXPECT_EQ(report->attempts, 1);
  EXPECT_LT(report->write_block_ms, 1000);
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "t", "note"));
  auto count = f->conn->Query("SELECT COUNT(*) FROM t WHERE note = 'n'");
  EXPECT_EQ(*count->rows[0][0], "3000");
  Status can = (*engine)->CanRevert();
  EXPECT_EQ(can.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(can.message().find("INSTANT"), std::string::npos) << can.message();
  ASSERT_TRUE((*engine)->KeepOldInSync([] { return true; }).ok());
  EXPECT_NE(host.last_progress().revert_unavailable.find("INSTANT"), std::string::npos);
  EXPECT_EQ((*engine)->Revert().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*engine)->FinishSwap().ok());
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "t", "note"));
}

TEST(Instant, CopyPathWhenForcedForSeveralTablesOrWhenTheServerCannot) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
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
    auto f = Prepare(server);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    RecordingHost host;
    EngineSpec spec = InstantSpec(server, f->db, c.ddl);
    spec.allow_instant = c.allow;
    if (c.second_table) spec.changes.push_back({2, f->db, "u", "ALTER TABLE u ADD COLUMN b INT"});
    auto engine = NewMysqlEngine(spec, &host);
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->Copy().ok()) << c.name;
    EXPECT_FALSE(host.last_progress().instant) << c.name;
    EXPECT_TRUE(Exists(*f->conn, f->db, "t_ordo_new")) << c.name;
    auto report = (*engine)->Cutover();
    ASSERT_TRUE(report.ok()) << c.name << ": " << report.status().ToString();
    EXPECT_FALSE(report->instant) << c.name;
    EXPECT_GT(report->rows_verified, 0) << c.name;
  }
}

TEST(Instant, TheAlterIsBoundedByTheLockBudgetWhileALongTransactionHoldsTheTable) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto blocker = Connect(server, f->db);
  ASSERT_TRUE(blocker.ok());
  ASSERT_TRUE(testing::Run(**blocker, "BEGIN; SELECT * FROM t WHERE id = 1 FOR UPDATE").ok());
  RecordingHost host;
  EngineSpec spec = InstantSpec(server, f->db, "ALTER TABLE t ADD COLUMN a INT");
  spec.cutover_lock_timeout_ms = 300;
  spec.cutover_max_attempts = 2;
  spec.cutover_backoff_ms = 20;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  auto failed = (*engine)->Cutover();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kTimeout) << failed.status().ToString();
  EXPECT_FALSE(HasColumn(*f->conn, f->db, "t", "a"));
  ASSERT_TRUE((*blocker)->Execute("COMMIT").ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->instant);
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "t", "a"));
}

TEST(Instant, ARecoveredEngineFindsTheAlterAlreadyApplied) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RecordingHost host;
  EngineSpec spec = InstantSpec(server, f->db, "ALTER TABLE t ADD COLUMN a INT");
  auto first = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Copy().ok());
  std::string before_cutover = host.last_resume_state();
  ASSERT_TRUE((*first)->Cutover().ok());
  first->reset();
  // As if the crash came right after the ALTER, before its checkpoint.
  RecordingHost host2;
  spec.resume_state = before_cutover;
  auto second = NewMysqlEngine(spec, &host2);
  ASSERT_TRUE(second.ok());
  Status copied = (*second)->Copy();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  auto report = (*second)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->attempts, 0);
  EXPECT_TRUE(report->instant);
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "t", "a"));
}

}  // namespace
}  // namespace ordo

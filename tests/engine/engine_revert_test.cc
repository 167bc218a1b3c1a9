// The revert window: the old tables kept in sync in reverse after the swap, revert
// (one table, several tables with a create and a drop), finishing (drop or keep),
// recovery of a crashed engine (from its checkpoint, and from the target when the crash
// came between the swap and its checkpoint), and a reverse sync that cannot go on.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::Dump;
using testing::RandomWriter;
using testing::RecordingHost;
using testing::SpecFor;

constexpr const char* kTable =
    "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(64), pad CHAR(20), KEY (v))";

Status Seed(MysqlConnection& conn, const std::string& table, int rows) {
  std::string create = kTable;
  create.replace(create.find(" t "), 3, " " + table + " ");
  ORDO_RETURN_IF_ERROR(conn.Execute(create));
  return conn.Execute("INSERT INTO " + QuoteIdentifier(table) +
                      " SELECT seq, seq * 7 % 1000, CONCAT('s', seq), 'p' FROM seq_1_to_" + std::to_string(rows));
}

Result<std::vector<std::string>> Tables(MysqlConnection& conn, const std::string& db) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES "
                                                 "WHERE TABLE_SCHEMA = ?",
                                                 {SqlValue::Text(db)}));
  std::vector<std::string> out;
  for (const auto& r : rows.rows) out.push_back(r[0].value_or(""));
  // Byte order: the server's ORDER BY (utf8mb3_general_ci) sorts '_' after letters.
  std::sort(out.begin(), out.end());
  return out;
}

bool HasColumn(MysqlConnection& conn, const std::string& db, const std::string& table,
               const std::string& column) {
  auto r = conn.Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
                      "TABLE_NAME = ? AND COLUMN_NAME = ?",
                      {SqlValue::Text(db), SqlValue::Text(table), SqlValue::Text(column)});
  return r.ok() && *r->rows[0][0] == "1";
}

// The table's rows (id, v, s) equal the oracle's, with the first difference named.
void ExpectEqualsOracle(MysqlConnection& conn, const std::string& db, const std::string& table,
                        const std::string& oracle) {
  auto mine = Dump(conn, db, table, "id, v, s", "id");
  auto expected = Dump(conn, db, oracle, "id, v, s", "id");
  ASSERT_TRUE(mine.ok() && expected.ok());
  EXPECT_EQ(mine->size(), expected->size());
  std::map<std::string, SqlRow> a, b;
  for (const auto& r : *mine) a[*r[0]] = r;
  for (const auto& r : *expected) b[*r[0]] = r;
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

struct Fixture {
  std::string db;
  std::unique_ptr<MysqlConnection> conn;
};

Result<Fixture> Prepare(testing::MariaDbServer* server, int rows) {
  Fixture f;
  ORDO_ASSIGN_OR_RETURN(f.db, testing::NewDatabase(server));
  ORDO_ASSIGN_OR_RETURN(f.conn, Connect(server, f.db));
  ORDO_RETURN_IF_ERROR(Seed(*f.conn, "t", rows));
  // The oracle starts equal to t; the writer mirrors every change into it.
  ORDO_RETURN_IF_ERROR(testing::Run(*f.conn, "CREATE TABLE oracle LIKE t; INSERT INTO oracle SELECT * FROM t"));
  return f;
}

TEST(RevertWindow, TheOldTableFollowsEveryWriteAndRevertSwapsItBackUnderLoad) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server, 20000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RandomWriter writer(server, f->db, "t", 1, 25000, "oracle", 3);
  ASSERT_TRUE(writer.Start().ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, f->db, "t",
                            "ALTER TABLE t ADD COLUMN note VARCHAR(10) DEFAULT 'n', MODIFY s VARCHAR(80)");
  spec.revert_window = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  auto cut = (*engine)->Cutover();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "t", "note"));
  EXPECT_EQ(host.last_progress().phase, "revert_window");
  EXPECT_TRUE((*engine)->CanRevert().ok());
  // The window: the writer keeps writing to the new table.
  int64_t at_swap = writer.transactions();
  Status kept = (*engine)->KeepOldInSync([&] { return writer.transactions() > at_swap + 300; });
  ASSERT_TRUE(kept.ok()) << kept.ToString();
  EXPECT_TRUE(host.last_progress().revert_unavailable.empty()) << host.last_progress().revert_unavailable;
  auto reverted = (*engine)->Revert();
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  std::printf("revert under writes: %d attempt(s), writes blocked %lld ms, %lld rows verified\n",
              reverted->attempts, static_cast<long long>(reverted->write_block_ms),
              static_cast<long long>(reverted->rows_verified));
  EXPECT_LT(reverted->write_block_ms, 1000);
  // The writer goes on against the reverted table, then stops: no client error.
  int64_t at_revert = writer.transactions();
  EXPECT_TRUE(testing::PollUntil([&] { return writer.transactions() > at_revert + 100; },
                                 std::chrono::seconds(60)));
  Status werr = writer.Stop();
  ASSERT_TRUE(werr.ok()) << werr.ToString();
  EXPECT_FALSE(HasColumn(*f->conn, f->db, "t", "note"));
  ExpectEqualsOracle(*f->conn, f->db, "t", "oracle");
  EXPECT_EQ(*Tables(*f->conn, f->db), (std::vector<std::string>{"oracle", "t"}));
  EXPECT_EQ(host.last_progress().phase, "reverted");
  // Reverting again is a no-op.
  auto again = (*engine)->Revert();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attempts, 0);
}

TEST(RevertWindow, SeveralTablesWithACreateAndADropSwapAndRevertTogether) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server, 3000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE(Seed(*f->conn, "u", 2000).ok());
  ASSERT_TRUE(Seed(*f->conn, "gone", 500).ok());
  ASSERT_TRUE(testing::Run(*f->conn, "CREATE TABLE oracle_u LIKE u; INSERT INTO oracle_u SELECT * FROM u").ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t ADD COLUMN x INT DEFAULT 1");
  spec.changes.push_back({2, f->db, "u", "ALTER TABLE u DROP COLUMN pad, ADD INDEX (s)"});
  spec.changes.push_back({3, f->db, "fresh", "CREATE TABLE fresh (id INT PRIMARY KEY, note TEXT)"});
  spec.changes.push_back({4, f->db, "gone", "DROP TABLE gone"});
  spec.revert_window = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  Status copied = (*engine)->Copy();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EXPECT_EQ(host.last_progress().changes.size(), 4u);
  // Nothing appears or disappears before the cutover.
  EXPECT_EQ(*Tables(*f->conn, f->db),
            (std::vector<std::string>{"fresh_ordo_new", "fresh_ordo_own", "gone", "gone_ordo_own", "oracle",
                                      "oracle_u", "t", "t_ordo_new", "t_ordo_own", "u", "u_ordo_new",
                                      "u_ordo_own"}));
  auto cut = (*engine)->Cutover();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(*Tables(*f->conn, f->db),
            (std::vector<std::string>{"fresh", "fresh_ordo_own", "gone_ordo_old", "gone_ordo_own", "oracle",
                                      "oracle_u", "t", "t_ordo_old", "t_ordo_own", "u", "u_ordo_old",
                                      "u_ordo_own"}));
  // Writes in the window, to both altered tables and to the created one.
  RandomWriter wt(server, f->db, "t", 1, 4000, "oracle", 5);
  RandomWriter wu(server, f->db, "u", 1, 3000, "oracle_u", 6);
  ASSERT_TRUE(wt.Start().ok() && wu.Start().ok());
  ASSERT_TRUE(f->conn->Execute("INSERT INTO fresh VALUES (1, 'made in the window')").ok());
  Status kept = (*engine)->KeepOldInSync([&] { return wt.transactions() > 200 && wu.transactions() > 200; });
  ASSERT_TRUE(kept.ok()) << kept.ToString();
  auto reverted = (*engine)->Revert();
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  ASSERT_TRUE(wt.Stop().ok());
  ASSERT_TRUE(wu.Stop().ok());
  EXPECT_EQ(*Tables(*f->conn, f->db),
            (std::vector<std::string>{"gone", "oracle", "oracle_u", "t", "u"}));
  ExpectEqualsOracle(*f->conn, f->db, "t", "oracle");
  ExpectEqualsOracle(*f->conn, f->db, "u", "oracle_u");
  EXPECT_FALSE(HasColumn(*f->conn, f->db, "t", "x"));
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "u", "pad"));
  auto count = f->conn->Query("SELECT COUNT(*) FROM gone");
  EXPECT_EQ(*count->rows[0][0], "500");
}

TEST(RevertWindow, FinishingDropsTheOldTablesOrKeepsThemUnderTheBackupName) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  for (bool keep : {false, true}) {
    auto f = Prepare(server, 1000);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE(Seed(*f->conn, "gone", 10).ok());
    RecordingHost host;
    EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t ADD COLUMN x INT");
    spec.changes.push_back({2, f->db, "gone", "DROP TABLE gone"});
    spec.revert_window = true;
    spec.keep_old_table = keep;
    auto engine = NewMysqlEngine(spec, &host);
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->Copy().ok());
    ASSERT_TRUE((*engine)->Cutover().ok());
    ASSERT_TRUE((*engine)->KeepOldInSync([] { return true; }).ok());
    ASSERT_TRUE((*engine)->FinishSwap().ok());
    ASSERT_TRUE((*engine)->FinishSwap().ok());  // idempotent
    auto tables = *Tables(*f->conn, f->db);
    if (keep) {
      // The backups are the user's: kept on purpose; nothing else of ordo's is left.
      ASSERT_EQ(tables.size(), 4u) << ::testing::PrintToString(tables);
      EXPECT_EQ(tables[0].rfind("gone_ordo_bak_", 0), 0u) << tables[0];
      EXPECT_EQ(tables[3].rfind("t_ordo_bak_", 0), 0u) << tables[3];
    } else {
      EXPECT_EQ(tables, (std::vector<std::string>{"oracle", "t"}));
    }
    EXPECT_FALSE((*engine)->CanRevert().ok());
    EXPECT_EQ((*engine)->Revert().status().code(), StatusCode::kFailedPrecondition);
  }
}

// Two swaps of one table within the same second: the second backup takes a free name
// (`…_2`) instead of failing on the first's — and the backups there are never touched.
TEST(RevertWindow, ABackupNameTakenThisSecondIsNeverReusedOrTouched) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server, 100);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  // Backups of "this second" for the next 20 seconds already exist.
  std::vector<std::string> taken;
  for (int s = 0; s < 20; ++s) {
    auto stamp = f->conn->Query("SELECT DATE_FORMAT(UTC_TIMESTAMP() + INTERVAL " + std::to_string(s) +
                                " SECOND, '%Y%m%d%H%i%s')");
    ASSERT_TRUE(stamp.ok());
    taken.push_back("t_ordo_bak_" + *stamp->rows[0][0]);
    ASSERT_TRUE(f->conn->Execute("CREATE TABLE IF NOT EXISTS `" + f->db + "`.`" + taken.back() + "` (mine INT)").ok());
  }
  RecordingHost host;
  EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t ADD COLUMN x INT");
  spec.keep_old_table = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  auto report = (*engine)->Cutover();  // no window: the old table is disposed of now
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto tables = *Tables(*f->conn, f->db);
  int second_backups = 0;
  for (const std::string& t : tables)
    if (t.rfind("t_ordo_bak_", 0) == 0 && t.size() > 2 && t.substr(t.size() - 2) == "_2") ++second_backups;
  EXPECT_EQ(second_backups, 1) << ::testing::PrintToString(tables);
  for (const std::string& t : taken) {
    auto cols = f->conn->Query("SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                               {SqlValue::Text(f->db), SqlValue::Text(t)});
    ASSERT_TRUE(cols.ok());
    EXPECT_EQ(cols->rows[0][0].value_or(""), "mine") << t << " was touched";
  }
  EXPECT_TRUE(HasColumn(*f->conn, f->db, "t", "x"));
}

// A crashed engine's successor continues the reverse sync from the checkpoint; and
// when the crash came between the swap and its checkpoint, from the position the swap
// recorded on the target.
TEST(RevertWindow, ASuccessorEngineContinuesTheWindowAndReverts) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  for (bool checkpoint_after_swap : {true, false}) {
    auto f = Prepare(server, 5000);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    RandomWriter writer(server, f->db, "t", 1, 6000, "oracle", 9);
    ASSERT_TRUE(writer.Start().ok());
    RecordingHost host;
    EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t ADD COLUMN x INT DEFAULT 4");
    spec.revert_window = true;
    spec.fence_token = "first";
    auto first = NewMysqlEngine(spec, &host);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE((*first)->Copy().ok());
    std::string before_swap = host.last_resume_state();
    ASSERT_TRUE((*first)->Cutover().ok());
    int64_t at = writer.transactions();
    ASSERT_TRUE((*first)->KeepOldInSync([&] { return writer.transactions() > at + 100; }).ok());
    std::string saved = checkpoint_after_swap ? host.last_resume_state() : before_swap;
    if (checkpoint_after_swap) {
      auto state = DecodeResumeState(saved);
      ASSERT_TRUE(state.ok());
      EXPECT_EQ(state->stage, EngineStage::kSwapped);
      EXPECT_FALSE(state->reverse_position.empty());
    }
    first->reset();  // the crash: nothing runs while the writer goes on
    at = writer.transactions();
    ASSERT_TRUE(testing::PollUntil([&] { return writer.transactions() > at + 100; }, std::chrono::seconds(60)));

    RecordingHost host2;
    spec.resume_state = saved;
    spec.fence_token = "second";
    auto second = NewMysqlEngine(spec, &host2);
    ASSERT_TRUE(second.ok());
    // The operator's recovery path: Copy and Cutover answer at once, the window goes on.
    ASSERT_TRUE((*second)->Copy().ok());
    auto cut = (*second)->Cutover();
    ASSERT_TRUE(cut.ok()) << cut.status().ToString();
    EXPECT_EQ(cut->attempts, 0);
    at = writer.transactions();
    Status kept = (*second)->KeepOldInSync([&] { return writer.transactions() > at + 100; });
    ASSERT_TRUE(kept.ok()) << kept.ToString();
    auto reverted = (*second)->Revert();
    ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
    ASSERT_TRUE(writer.Stop().ok());
    ExpectEqualsOracle(*f->conn, f->db, "t", "oracle");
    EXPECT_FALSE(HasColumn(*f->conn, f->db, "t", "x"));
    // The successor owned what the first engine made, and removed all of it.
    EXPECT_TRUE(testing::OrdoTables(*f->conn, f->db)->empty()) << ::testing::PrintToString(*testing::OrdoTables(*f->conn, f->db));
  }
}

TEST(RevertWindow, ARowTheOldTableCannotHoldMakesRevertUnavailableButTheWindowGoesOn) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Prepare(server, 1000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RecordingHost host;
  EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t MODIFY s VARCHAR(200)");
  spec.revert_window = true;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  ASSERT_TRUE((*engine)->Cutover().ok());
  // Too long for the old VARCHAR(64).
  ASSERT_TRUE(f->conn->Execute("UPDATE t SET s = REPEAT('x', 150) WHERE id = 7").ok());
  Status kept = (*engine)->KeepOldInSync(
      [&] { return !host.last_progress().revert_unavailable.empty(); });
  ASSERT_TRUE(kept.ok()) << kept.ToString();
  Status can = (*engine)->CanRevert();
  EXPECT_EQ(can.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(can.message().find("`t`"), std::string::npos) << can.message();
  EXPECT_NE(can.message().find("reverse sync"), std::string::npos) << can.message();
  EXPECT_EQ((*engine)->Revert().status().code(), StatusCode::kFailedPrecondition);
  // The application never noticed; the window ends normally.
  ASSERT_TRUE(f->conn->Execute("UPDATE t SET v = 1 WHERE id = 8").ok());
  ASSERT_TRUE((*engine)->FinishSwap().ok());
  EXPECT_EQ(*Tables(*f->conn, f->db), (std::vector<std::string>{"oracle", "t"}));
}

}  // namespace
}  // namespace ordo

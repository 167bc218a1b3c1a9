// The sentry cutover against a long transaction: bounded lock time, clean give-up,
// retry with backoff, success once the transaction ends; nothing half-renamed. And
// against application transactions that read a row and then write it: no swap ever
// costs them an error.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "engine/mysql/mysql_engine.h"
#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::RecordingHost;
using testing::SpecFor;

struct Setup {
  std::string db;
  std::unique_ptr<MysqlConnection> conn;     // checks
  std::unique_ptr<MysqlConnection> blocker;  // the long transaction
};

Result<Setup> Prepare(testing::MariaDbServer* server) {
  Setup s;
  ORDO_ASSIGN_OR_RETURN(s.db, testing::NewDatabase(server));
  ORDO_ASSIGN_OR_RETURN(s.conn, Connect(server, s.db));
  ORDO_ASSIGN_OR_RETURN(s.blocker, Connect(server, s.db));
  ORDO_RETURN_IF_ERROR(testing::Run(*s.conn, "CREATE TABLE t (id INT PRIMARY KEY, v INT);"
                                             "INSERT INTO t SELECT seq, seq FROM seq_1_to_5000"));
  // An open transaction holding a row lock (and so a metadata lock on t).
  ORDO_RETURN_IF_ERROR(testing::Run(*s.blocker, "BEGIN; UPDATE t SET v = 424242 WHERE id = 1"));
  return s;
}

// The state a failed attempt must leave: t unchanged, the shadow in place, no sentry.
void ExpectNothingHalfRenamed(MysqlConnection& conn, const std::string& db) {
  auto tables = conn.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                           "ORDER BY TABLE_NAME",
                           {SqlValue::Text(db)});
  ASSERT_TRUE(tables.ok());
  std::vector<std::string> names;
  for (const auto& r : tables->rows) names.push_back(*r[0]);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"t", "t_ordo_new", "t_ordo_own"}));
  auto cols = conn.Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
                         "TABLE_NAME = 't' AND COLUMN_NAME = 'added'",
                         {SqlValue::Text(db)});
  EXPECT_EQ(*cols->rows[0][0], "0");
}

TEST(Cutover, LongTransactionMakesAttemptsTimeOutThenSucceedsAfterItEnds) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto s = Prepare(server);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  RecordingHost host;
  EngineSpec spec = SpecFor(server, s->db, "t", "ALTER TABLE t ADD COLUMN added INT DEFAULT 5");
  spec.cutover_lock_timeout_ms = 300;
  spec.cutover_backoff_ms = 50;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  const uint64_t blocker_id = s->blocker->thread_id();
  int attempts = 0;
  Status committed;
  SyncPoints::Get().SetCallback("Cutover:BeforeLock", [&] {
    ++attempts;
    if (attempts == 3) committed = s->blocker->Execute("COMMIT");
  });
  SyncPoints::Get().Enable();
  auto report = (*engine)->Cutover();
  SyncPoints::Get().DisableAndClear();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(committed.ok());
  for (const auto& why : report->failed_attempt_reasons) {
    std::printf("gave up: %s\n", why.c_str());
    // It names the session that keeps the table busy, and what it runs.
    EXPECT_NE(why.find("session " + std::to_string(blocker_id) + " ("), std::string::npos) << why;
  }
  // … and said so while the swap was still trying (the operator logs each notice).
  std::vector<std::string> notices = host.last_progress().notices;
  ASSERT_GE(notices.size(), 2u);
  EXPECT_EQ(notices[notices.size() - 2].rfind("swap attempt 1 gave up: ", 0), 0u) << notices[notices.size() - 2];
  EXPECT_EQ(report->attempts, 3);
  ASSERT_EQ(report->failed_attempt_block_ms.size(), 2u);
  // An attempt that finds the table held never queues a lock: it blocks nobody.
  for (int64_t ms : report->failed_attempt_block_ms) EXPECT_EQ(ms, 0);
  EXPECT_LT(report->write_block_ms, 1000);
  std::printf("cutover: failed attempts blocked %lld and %lld ms; the swap blocked %lld ms\n",
              static_cast<long long>(report->failed_attempt_block_ms[0]),
              static_cast<long long>(report->failed_attempt_block_ms[1]),
              static_cast<long long>(report->write_block_ms));
  // The long transaction's write, committed just before the successful attempt, is in
  // the new table; the old one and the sentry are gone.
  auto row = s->conn->Query("SELECT v, added FROM t WHERE id = 1");
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(*row->rows[0][0], "424242");
  EXPECT_EQ(*row->rows[0][1], "5");
  auto left = s->conn->Query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                             "AND TABLE_NAME LIKE 't\\_ordo%'",
                             {SqlValue::Text(s->db)});
  EXPECT_EQ(*left->rows[0][0], "0");
}

TEST(Cutover, GivesUpCleanlyWhenEveryAttemptTimesOutAndCanBeRetriedLater) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto s = Prepare(server);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  RecordingHost host;
  EngineSpec spec = SpecFor(server, s->db, "t", "ALTER TABLE t ADD COLUMN added INT DEFAULT 5");
  spec.cutover_lock_timeout_ms = 200;
  spec.cutover_backoff_ms = 20;
  spec.cutover_max_attempts = 2;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  auto failed = (*engine)->Cutover();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kTimeout) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("nothing was swapped"), std::string::npos);
  ExpectNothingHalfRenamed(*s->conn, s->db);
  // Still in sync: a write made now reaches the shadow, and a later cutover succeeds.
  ASSERT_TRUE(s->blocker->Execute("COMMIT").ok());
  ASSERT_TRUE(s->conn->Execute("UPDATE t SET v = 77 WHERE id = 2").ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto row = s->conn->Query("SELECT v, added FROM t WHERE id = 2");
  EXPECT_EQ(*row->rows[0][0], "77");
  EXPECT_EQ(*row->rows[0][1], "5");
}

// A write that arrives while the tables are locked queues; it must run after the
// rename, in the new table. (With artefact names sorting before the table's own name,
// the rename queued on the shadow first and such a write slipped into the old table.)
TEST(Cutover, AWriteQueuedDuringTheSwapLandsInTheNewTable) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto s = Prepare(server);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->blocker->Execute("COMMIT").ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, s->db, "t", "ALTER TABLE t ADD COLUMN added INT DEFAULT 5");
  spec.revert_window = true;  // the old table stays as t_ordo_old
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  auto writer = Connect(server, s->db);
  ASSERT_TRUE(writer.ok());
  uint64_t writer_id = (*writer)->thread_id();
  std::thread insert;
  Status inserted = Internal("not run");
  bool queued = false;
  SyncPoints::Get().SetCallback("Cutover:BeforeDropSentry", [&] {
    insert = std::thread([&] {
      inserted = (*writer)->Execute("INSERT INTO t (id, v) VALUES (9999, 1)");
    });
    queued = testing::PollUntil(
        [&] {
          auto st = s->conn->Query("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?",
                                   {SqlValue::UInt(writer_id)});
          return st.ok() && !st->rows.empty() &&
                 st->rows[0][0].value_or("").find("metadata lock") != std::string::npos;
        },
        std::chrono::seconds(2), std::chrono::milliseconds(1));
  });
  SyncPoints::Get().Enable();
  auto report = (*engine)->Cutover();
  SyncPoints::Get().DisableAndClear();
  if (insert.joinable()) insert.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(queued);
  ASSERT_TRUE(inserted.ok()) << inserted.ToString();
  auto row = s->conn->Query("SELECT added FROM t WHERE id = 9999");
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ASSERT_EQ(row->rows.size(), 1u);
  EXPECT_EQ(*row->rows[0][0], "5");
  auto old = s->conn->Query("SELECT COUNT(*) FROM t_ordo_old WHERE id = 9999");
  EXPECT_EQ(*old->rows[0][0], "0");
}

// Several tables swap in one RENAME; a write queued on each of them during the swap
// lands in its new table, and both tables end identical to their old versions.
TEST(Cutover, AMultiTableSwapKeepsQueuedWritesOnEveryTable) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(testing::Run(**conn, "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(40));"
                                   "CREATE TABLE u (id INT PRIMARY KEY, v INT, s VARCHAR(40));"
                                   "INSERT INTO t SELECT seq, seq, 'x' FROM seq_1_to_4000;"
                                   "INSERT INTO u SELECT seq, seq, 'y' FROM seq_1_to_4000")
                  .ok());
  testing::RandomWriter wt(server, *db, "t", 1, 5000, "", 3), wu(server, *db, "u", 1, 5000, "", 4);
  ASSERT_TRUE(wt.Start().ok());
  ASSERT_TRUE(wu.Start().ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "u", "ALTER TABLE u ADD COLUMN added INT DEFAULT 5");
  spec.changes.push_back({2, *db, "t", "ALTER TABLE t ADD COLUMN added INT DEFAULT 5"});
  spec.revert_window = true;  // the old table stays as t_ordo_old
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  ASSERT_TRUE(wt.Stop().ok());
  ASSERT_TRUE(wu.Stop().ok());
  std::vector<std::unique_ptr<MysqlConnection>> writers;
  std::vector<std::thread> inserts;
  std::vector<Status> inserted(2, Internal("not run"));
  bool queued = true;
  SyncPoints::Get().SetCallback("Cutover:BeforeDropSentry", [&] {
    for (int i = 0; i < 2; ++i) {
      auto w = Connect(server, *db);
      if (!w.ok()) return;
      uint64_t id = (*w)->thread_id();
      writers.push_back(std::move(*w));
      MysqlConnection* c = writers.back().get();
      std::string table = i == 0 ? "t" : "u";
      inserts.emplace_back([c, table, i, &inserted] {
        inserted[i] = c->Execute("INSERT INTO " + table + " (id, v) VALUES (99999, 1)");
      });
      queued = queued && testing::PollUntil(
                             [&] {
                               auto st = (*conn)->Query(
                                   "SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?",
                                   {SqlValue::UInt(id)});
                               return st.ok() && !st->rows.empty() &&
                                      st->rows[0][0].value_or("").find("metadata lock") !=
                                          std::string::npos;
                             },
                             std::chrono::seconds(2), std::chrono::milliseconds(1));
    }
  });
  SyncPoints::Get().Enable();
  auto report = (*engine)->Cutover();
  SyncPoints::Get().DisableAndClear();
  for (auto& th : inserts) th.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(queued);
  for (const char* table : {"t", "u"}) {
    auto row = (*conn)->Query(std::string("SELECT added FROM ") + table + " WHERE id = 99999");
    ASSERT_TRUE(row.ok());
    ASSERT_EQ(row->rows.size(), 1u) << table;
    EXPECT_EQ(*row->rows[0][0], "5");
  }
  for (const char* table : {"t", "u"}) {
    auto before = (*conn)->Query(std::string("SELECT id, v, s FROM ") + table + "_ordo_old ORDER BY id");
    auto after = (*conn)->Query(std::string("SELECT id, v, s FROM ") + table + " WHERE id <> 99999 ORDER BY id");
    ASSERT_TRUE(before.ok() && after.ok());
    EXPECT_EQ(before->rows, after->rows) << table;
  }
}

// A table of 3,000 rows, ADD COLUMN `added` (default 5) without a revert window, and
// the first engine of it, copied and in sync.
class NoWindowCutover : public ::testing::Test {
 protected:
  void SetUp() override {
    ORDO_ASSIGN_SERVER_OR_SKIP(server);
    auto s = testing::NewScratchTable(server, 3000);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    s_ = std::move(s).value();
    spec_ = SpecFor(server, s_.db, "t", "ALTER TABLE t ADD COLUMN added INT DEFAULT 5");
    spec_.revert_window = false;
    auto first = testing::CopiedEngine(spec_, &host_);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    first_ = std::move(first).value();
  }

  testing::ScratchDb s_;
  EngineSpec spec_;
  RecordingHost host_;
  std::unique_ptr<OperationEngine> first_;
};

// A successor engine built from `spec` (its resume state the latest checkpoint) finds
// the swap done and finishes it: the old table dropped, nothing of ordo left.
void ExpectFinishedBySuccessor(const EngineSpec& spec, const testing::ScratchDb& s) {
  RecordingHost host;
  auto next = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(next.ok());
  auto again = (*next)->Swap();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->attempts, 0) << "swapped once only";
  Status finished = (*next)->FinishSwap();
  ASSERT_TRUE(finished.ok()) << finished.ToString();
  EXPECT_TRUE(testing::OrdoTables(*s.conn, s.db)->empty());
  ASSERT_TRUE((*next)->FinishSwap().ok()) << "idempotent";
  EXPECT_EQ(*testing::Cell(*s.conn, "SELECT COUNT(*) FROM t WHERE added = 5"), "3000");
}

// Without a revert window the swap ends the turn and leaves the old table for
// FinishSwap(), which a fresh engine built from the checkpoint can do (its holder died
// between the two).
TEST_F(NoWindowCutover, SwapLeavesTheOldTableWhichFinishSwapDropsEvenFromAFreshEngine) {
  Status early = first_->FinishSwap();
  EXPECT_TRUE(early.Is(StatusCode::kFailedPrecondition)) << early.ToString();
  auto report = first_->Swap();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GE(report->attempts, 1);
  EXPECT_EQ(*testing::OrdoTables(*s_.conn, s_.db), (std::vector<std::string>{"t_ordo_old", "t_ordo_own"}));
  EXPECT_EQ(*testing::Cell(*s_.conn, "SELECT COUNT(*) FROM t WHERE added = 5"), "3000");
  first_.reset();  // the holder dies before the drop

  spec_.resume_state = host_.last_resume_state();
  ExpectFinishedBySuccessor(spec_, s_);
}

// A holder that swapped died before its checkpoint; the next one found the swap on the
// target and died while finishing it, after the old table went. The swap it found was
// recorded before the drop, so a third engine, built from the latest checkpoint, knows
// the table is swapped and does not plan the ALTER again on it.
TEST_F(NoWindowCutover, ASwapFoundOnTheTargetIsRecordedBeforeTheOldTableGoes) {
  const std::string before_swap = host_.last_resume_state();
  ASSERT_TRUE(first_->Swap().ok());
  first_.reset();  // died before its checkpoint: the store still says "copying"

  EngineSpec spec = spec_;
  spec.resume_state = before_swap;
  spec.fence_token = "second";
  RecordingHost second_host;
  auto second = testing::CopiedEngine(spec, &second_host);  // finds the swap on the target
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // Died finishing the swap: the old table dropped, its records still there.
  ASSERT_TRUE(s_.conn->Execute("DROP TABLE t_ordo_old").ok());
  second->reset();

  const std::string latest = second_host.last_resume_state();
  spec.resume_state = latest.empty() ? before_swap : latest;
  spec.fence_token = "third";
  ExpectFinishedBySuccessor(spec, s_);
}

// engine.cutover_force_after: once the swap has looked for a free moment that long, the
// session the server names as holding the table (metadata_lock_info) is killed, and
// the swap goes through; its transaction is rolled back, nothing else is touched.
TEST(Cutover, ForceAfterKillsTheSessionTheServerNamesAsHoldingTheTable) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto s = Prepare(server);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Status installed = s->conn->Execute("INSTALL SONAME 'metadata_lock_info'");
  bool ours = installed.ok();
  ASSERT_TRUE(ours || installed.message().find("already") != std::string::npos) << installed.ToString();
  auto bystander = Connect(server, s->db);  // an open transaction on another table
  ASSERT_TRUE(bystander.ok());
  ASSERT_TRUE(testing::Run(**bystander, "CREATE TABLE other (id INT PRIMARY KEY); BEGIN; INSERT INTO other VALUES (1)").ok());
  RecordingHost host;
  EngineSpec spec = SpecFor(server, s->db, "t", "ALTER TABLE t ADD COLUMN added INT DEFAULT 5");
  spec.cutover_lock_timeout_ms = 300;
  spec.cutover_backoff_ms = 20;
  spec.cutover_max_attempts = 10;
  spec.cutover_force_after_ms = 500;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  const uint64_t blocker_id = s->blocker->thread_id();
  auto report = (*engine)->Cutover();
  if (ours) (void)s->conn->Execute("UNINSTALL SONAME 'metadata_lock_info'");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->killed_sessions.size(), 1u);
  EXPECT_NE(report->killed_sessions[0].find("session " + std::to_string(blocker_id) + " ("), std::string::npos)
      << report->killed_sessions[0];
  EXPECT_FALSE(s->blocker->Execute("COMMIT").ok()) << "its connection is gone";
  EXPECT_EQ(*testing::Cell(*s->conn, "SELECT v FROM t WHERE id = 1"), "1") << "its update rolled back";
  EXPECT_TRUE((*bystander)->Execute("COMMIT").ok()) << "a session on another table is left alone";
  EXPECT_EQ(*testing::Cell(*s->conn, "SELECT COUNT(*) FROM t WHERE added = 5"), "5000");
  EXPECT_TRUE(testing::OrdoTables(*s->conn, s->db)->empty());
}

// Four clients whose every transaction reads a row, pauses, then writes it, never
// retrying: a lock queued on the table while one of them sits between its read and
// its write would make the server kill that transaction (1213). The swap and the
// revert swap lock only when nobody holds the table, so none of them ever fails.
TEST(Cutover, ReadThenWriteTransactionsNeverLoseADeadlockToTheSwapOrTheRevert) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto s = testing::NewScratchTable(server, 20000);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<std::unique_ptr<testing::RandomWriter>> writers;
  for (uint32_t w = 0; w < 4; ++w) {
    writers.push_back(std::make_unique<testing::RandomWriter>(server, s->db, "t", 1 + w * 5000, 5000, "", 7 + w));
    writers.back()->ReadFirst(std::chrono::microseconds(500));
    ASSERT_TRUE(writers.back()->Start().ok());
  }
  auto written = [&] {
    int64_t n = 0;
    for (auto& w : writers) n += w->transactions();
    return n;
  };
  std::vector<int64_t> blocks;
  for (int round = 0; round < 3; ++round) {
    RecordingHost host;
    EngineSpec spec = SpecFor(server, s->db, "t", "ALTER TABLE t ADD COLUMN added" + std::to_string(round) + " INT");
    spec.revert_window = true;
    auto engine = NewMysqlEngine(spec, &host);
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->Copy().ok());
    auto cut = (*engine)->Cutover();
    ASSERT_TRUE(cut.ok()) << cut.status().ToString();
    int64_t at_swap = written();
    // (A writer that failed writes no more: the window then ends on its clock.)
    auto window_end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    ASSERT_TRUE((*engine)->KeepOldInSync([&] {
      return written() > at_swap + 200 || std::chrono::steady_clock::now() > window_end;
    }).ok());
    auto reverted = (*engine)->Revert();
    ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
    blocks.push_back(cut->write_block_ms);
    blocks.push_back(reverted->write_block_ms);
  }
  int64_t before_stop = written();
  for (auto& w : writers) {
    Status error = w->Stop();
    EXPECT_TRUE(error.ok()) << "the application saw: " << error.ToString();
  }
  EXPECT_GT(before_stop, 1000);
  std::printf("6 swaps under 4 read-then-write clients: %lld transactions, writes blocked",
              static_cast<long long>(before_stop));
  for (int64_t ms : blocks) std::printf(" %lld", static_cast<long long>(ms));
  std::printf(" ms\n");
  EXPECT_TRUE(testing::OrdoTables(*s->conn, s->db)->empty());
}

}  // namespace
}  // namespace ordo

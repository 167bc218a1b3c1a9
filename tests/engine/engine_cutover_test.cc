// The sentry cutover against a long transaction: bounded lock time, clean give-up,
// retry with backoff, success once the transaction ends; nothing half-renamed. And
// against application transactions that read a row and then write it: no swap ever
// costs them an error.
#include <gtest/gtest.h>

#include <thread>

#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

using testing::RecordingHost;

class Cutover : public testing::EngineTest {
 protected:
  // t (id, v; 5,000 rows) and blocker_, an open transaction holding a row lock on it
  // (and so a metadata lock on t).
  Status PrepareBlocked() {
    ORDO_RETURN_IF_ERROR(
        Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT);"
             "INSERT INTO t SELECT seq, seq FROM seq_1_to_5000"));
    ORDO_ASSIGN_OR_RETURN(blocker_, NewConnection());
    return testing::Run(*blocker_, "BEGIN; UPDATE t SET v = 424242 WHERE id = 1");
  }

  // The state a failed attempt must leave: t unchanged, the shadow in place, no sentry.
  void ExpectNothingHalfRenamed() {
    EXPECT_EQ(AllTables(), (std::vector<std::string>{"t", "t_ordo_new", "t_ordo_own"}));
    EXPECT_FALSE(HasColumn("t", "added"));
  }

  // Whether session `id` comes to wait for a metadata lock within 2 s.
  bool WaitsForAMetadataLock(db::MysqlConnection& watcher, uint64_t id) {
    return testing::PollUntil(
        [&] {
          auto st = watcher.Query("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?",
                                  {db::SqlValue::UInt(id)});
          return st.ok() && !st->rows.empty() &&
                 st->rows[0][0].value_or("").find("metadata lock") != std::string::npos;
        },
        std::chrono::seconds(2), std::chrono::milliseconds(1));
  }

  static constexpr const char* kAdd = "ALTER TABLE t ADD COLUMN added INT DEFAULT 5";
  std::unique_ptr<db::MysqlConnection> blocker_;  // the long transaction
};

TEST_F(Cutover, LongTransactionMakesAttemptsTimeOutThenSucceedsAfterItEnds) {
  ORDO_ASSERT_OK(PrepareBlocked());
  EngineSpec spec = Spec(kAdd);
  spec.cutover_lock_timeout_ms = 300;
  spec.cutover_backoff_ms = 50;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  const uint64_t blocker_id = blocker_->thread_id();
  int attempts = 0;
  Status committed;
  SyncPoints::Get().SetCallback("Cutover:BeforeLock", [&] {
    ++attempts;
    if (attempts == 3) committed = blocker_->Execute("COMMIT");
  });
  SyncPoints::Get().Enable();
  auto report = engine->Cutover();
  SyncPoints::Get().DisableAndClear();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ORDO_ASSERT_OK(committed);
  for (const auto& why : report->failed_attempt_reasons) {
    std::printf("gave up: %s\n", why.c_str());
    // It names the session that keeps the table busy, and what it runs.
    EXPECT_NE(why.find("session " + std::to_string(blocker_id) + " ("), std::string::npos) << why;
  }
  // … and said so while the swap was still trying (the operator logs each notice).
  std::vector<std::string> notices = host_.last_progress().notices;
  ASSERT_GE(notices.size(), 2u);
  EXPECT_EQ(notices[notices.size() - 2].rfind("swap attempt 1 gave up: ", 0), 0u)
      << notices[notices.size() - 2];
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
  EXPECT_EQ(CellOf("SELECT v FROM t WHERE id = 1"), "424242");
  EXPECT_EQ(CellOf("SELECT added FROM t WHERE id = 1"), "5");
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + db_ +
                   "' AND TABLE_NAME LIKE 't\\_ordo%'"),
            "0");
}

TEST_F(Cutover, GivesUpCleanlyWhenEveryAttemptTimesOutAndCanBeRetriedLater) {
  ORDO_ASSERT_OK(PrepareBlocked());
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(GivingUp(Spec(kAdd), 200, 2)));
  Status failed = CutoverError(*engine);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), StatusCode::kTimeout) << failed.ToString();
  EXPECT_NE(failed.message().find("nothing was swapped"), std::string::npos);
  ExpectNothingHalfRenamed();
  // Still in sync: a write made now reaches the shadow, and a later cutover succeeds.
  ORDO_ASSERT_OK(blocker_->Execute("COMMIT"));
  ORDO_ASSERT_OK(Exec("UPDATE t SET v = 77 WHERE id = 2"));
  ORDO_ASSERT_OK(engine->Cutover().status());
  EXPECT_EQ(CellOf("SELECT v FROM t WHERE id = 2"), "77");
  EXPECT_EQ(CellOf("SELECT added FROM t WHERE id = 2"), "5");
}

// A write that arrives while the tables are locked queues; it must run after the
// rename, in the new table. (With artefact names sorting before the table's own name,
// the rename queued on the shadow first and such a write slipped into the old table.)
TEST_F(Cutover, AWriteQueuedDuringTheSwapLandsInTheNewTable) {
  ORDO_ASSERT_OK(PrepareBlocked());
  ORDO_ASSERT_OK(blocker_->Execute("COMMIT"));
  EngineSpec spec = Spec(kAdd);
  spec.revert_window = true;  // the old table stays as t_ordo_old
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  ORDO_ASSERT_OK_AND_ASSIGN(auto writer, NewConnection());
  std::thread insert;
  Status inserted = Internal("not run");
  bool queued = false;
  SyncPoints::Get().SetCallback("Cutover:BeforeDropSentry", [&] {
    insert =
        std::thread([&] { inserted = writer->Execute("INSERT INTO t (id, v) VALUES (9999, 1)"); });
    queued = WaitsForAMetadataLock(*conn_, writer->thread_id());
  });
  SyncPoints::Get().Enable();
  auto report = engine->Cutover();
  SyncPoints::Get().DisableAndClear();
  if (insert.joinable()) insert.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(queued);
  ORDO_ASSERT_OK(inserted);
  EXPECT_EQ(CellOf("SELECT added FROM t WHERE id = 9999"), "5");
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t_ordo_old WHERE id = 9999"), "0");
}

// Several tables swap in one RENAME; a write queued on each of them during the swap
// lands in its new table, and both tables end identical to their old versions.
TEST_F(Cutover, AMultiTableSwapKeepsQueuedWritesOnEveryTable) {
  ORDO_ASSERT_OK(
      Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(40));"
           "CREATE TABLE u (id INT PRIMARY KEY, v INT, s VARCHAR(40));"
           "INSERT INTO t SELECT seq, seq, 'x' FROM seq_1_to_4000;"
           "INSERT INTO u SELECT seq, seq, 'y' FROM seq_1_to_4000"));
  testing::RandomWriter wt(server_, db_, "t", 1, 5000, "", 3),
      wu(server_, db_, "u", 1, 5000, "", 4);
  ORDO_ASSERT_OK(wt.Start());
  ORDO_ASSERT_OK(wu.Start());
  EngineSpec spec = Spec("ALTER TABLE u ADD COLUMN added INT DEFAULT 5", "u");
  spec.changes.push_back({2, db_, "t", kAdd});
  spec.revert_window = true;  // the old table stays as t_ordo_old
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  ORDO_ASSERT_OK(wt.Stop());
  ORDO_ASSERT_OK(wu.Stop());
  std::vector<std::unique_ptr<db::MysqlConnection>> writers;
  std::vector<std::thread> inserts;
  std::vector<Status> inserted(2, Internal("not run"));
  bool queued = true;
  SyncPoints::Get().SetCallback("Cutover:BeforeDropSentry", [&] {
    for (int i = 0; i < 2; ++i) {
      auto w = NewConnection();
      if (!w.ok()) return;
      writers.push_back(std::move(*w));
      db::MysqlConnection* c = writers.back().get();
      std::string table = i == 0 ? "t" : "u";
      inserts.emplace_back([c, table, i, &inserted] {
        inserted[i] = c->Execute("INSERT INTO " + table + " (id, v) VALUES (99999, 1)");
      });
      queued = queued && WaitsForAMetadataLock(*conn_, c->thread_id());
    }
  });
  SyncPoints::Get().Enable();
  auto report = engine->Cutover();
  SyncPoints::Get().DisableAndClear();
  for (auto& th : inserts) th.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(queued);
  for (const char* name : {"t", "u"}) {
    const std::string table = name;
    EXPECT_EQ(CellOf("SELECT added FROM " + table + " WHERE id = 99999"), "5") << table;
    auto before = DumpOf(table + "_ordo_old", "id, v, s", "id");
    auto after = conn_->Query("SELECT id, v, s FROM " + table + " WHERE id <> 99999 ORDER BY id");
    ASSERT_TRUE(before.ok() && after.ok());
    EXPECT_EQ(*before, after->rows) << table;
  }
}

// A table of 3,000 rows, ADD COLUMN `added` (default 5) without a revert window, and
// the first engine of it, copied and in sync.
class NoWindowCutover : public testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ORDO_ASSERT_OK(SeedTable(3000));
    spec_ = Spec("ALTER TABLE t ADD COLUMN added INT DEFAULT 5");
    spec_.revert_window = false;
    ORDO_ASSERT_OK_AND_ASSIGN(first_, Copied(spec_));
  }

  // A successor engine built from `spec` (its resume state the latest checkpoint)
  // finds the swap done and finishes it: the old table dropped, nothing of ordo left.
  void ExpectFinishedBySuccessor(const EngineSpec& spec) {
    RecordingHost host;
    ORDO_ASSERT_OK_AND_ASSIGN(auto next, NewEngine(spec, &host));
    ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport again, next->Swap());
    EXPECT_EQ(again.attempts, 0) << "swapped once only";
    ORDO_ASSERT_OK(next->FinishSwap());
    EXPECT_TRUE(OrdoTablesLeft().empty());
    ASSERT_TRUE(next->FinishSwap().ok()) << "idempotent";
    EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE added = 5"), "3000");
  }

  EngineSpec spec_;
  std::unique_ptr<OperationEngine> first_;
};

// Without a revert window the swap ends the turn and leaves the old table for
// FinishSwap(), which a fresh engine built from the checkpoint can do (its holder died
// between the two).
TEST_F(NoWindowCutover, SwapLeavesTheOldTableWhichFinishSwapDropsEvenFromAFreshEngine) {
  Status early = first_->FinishSwap();
  EXPECT_TRUE(early.Is(StatusCode::kFailedPrecondition)) << early.ToString();
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, first_->Swap());
  EXPECT_GE(report.attempts, 1);
  EXPECT_EQ(OrdoTablesLeft(), (std::vector<std::string>{"t_ordo_old", "t_ordo_own"}));
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE added = 5"), "3000");
  first_.reset();  // the holder dies before the drop

  spec_.resume_state = host_.last_resume_state();
  ExpectFinishedBySuccessor(spec_);
}

// A holder that swapped died before its checkpoint; the next one found the swap on the
// target and died while finishing it, after the old table went. The swap it found was
// recorded before the drop, so a third engine, built from the latest checkpoint, knows
// the table is swapped and does not plan the ALTER again on it.
TEST_F(NoWindowCutover, ASwapFoundOnTheTargetIsRecordedBeforeTheOldTableGoes) {
  const std::string before_swap = host_.last_resume_state();
  ORDO_ASSERT_OK(first_->Swap().status());
  first_.reset();  // died before its checkpoint: the store still says "copying"

  EngineSpec spec = spec_;
  spec.resume_state = before_swap;
  spec.fence_token = "second";
  RecordingHost second_host;
  // It finds the swap on the target.
  ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &second_host));
  // Died finishing the swap: the old table dropped, its records still there.
  ORDO_ASSERT_OK(Exec("DROP TABLE t_ordo_old"));
  second.reset();

  const std::string latest = second_host.last_resume_state();
  spec.resume_state = latest.empty() ? before_swap : latest;
  spec.fence_token = "third";
  ExpectFinishedBySuccessor(spec);
}

// engine.cutover_force_after: once the swap has looked for a free moment that long, the
// session the server names as holding the table (metadata_lock_info) is killed, and
// the swap goes through; its transaction is rolled back, nothing else is touched.
TEST_F(Cutover, ForceAfterKillsTheSessionTheServerNamesAsHoldingTheTable) {
  ORDO_ASSERT_OK(PrepareBlocked());
  Status installed = Exec("INSTALL SONAME 'metadata_lock_info'");
  bool ours = installed.ok();
  ASSERT_TRUE(ours || installed.message().find("already") != std::string::npos)
      << installed.ToString();
  ORDO_ASSERT_OK_AND_ASSIGN(auto bystander,
                            NewConnection());  // an open transaction on another table
  ORDO_ASSERT_OK(testing::Run(
      *bystander, "CREATE TABLE other (id INT PRIMARY KEY); BEGIN; INSERT INTO other VALUES (1)"));
  EngineSpec spec = GivingUp(Spec(kAdd), 300, 10);
  spec.cutover_force_after_ms = 500;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  const uint64_t blocker_id = blocker_->thread_id();
  auto report = engine->Cutover();
  if (ours) (void)Exec("UNINSTALL SONAME 'metadata_lock_info'");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->killed_sessions.size(), 1u);
  EXPECT_NE(report->killed_sessions[0].find("session " + std::to_string(blocker_id) + " ("),
            std::string::npos)
      << report->killed_sessions[0];
  EXPECT_FALSE(blocker_->Execute("COMMIT").ok()) << "its connection is gone";
  EXPECT_EQ(CellOf("SELECT v FROM t WHERE id = 1"), "1") << "its update rolled back";
  EXPECT_TRUE(bystander->Execute("COMMIT").ok()) << "a session on another table is left alone";
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE added = 5"), "5000");
  EXPECT_TRUE(OrdoTablesLeft().empty());
}

// Four clients whose every transaction reads a row, pauses, then writes it, never
// retrying: a lock queued on the table while one of them sits between its read and
// its write would make the server kill that transaction (1213). The swap and the
// revert swap lock only when nobody holds the table, so none of them ever fails.
TEST_F(Cutover, ReadThenWriteTransactionsNeverLoseADeadlockToTheSwapOrTheRevert) {
  ORDO_ASSERT_OK(SeedTable(20000));
  std::vector<std::unique_ptr<testing::RandomWriter>> writers;
  for (uint32_t w = 0; w < 4; ++w) {
    writers.push_back(
        std::make_unique<testing::RandomWriter>(server_, db_, "t", 1 + w * 5000, 5000, "", 7 + w));
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
    EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN added" + std::to_string(round) + " INT");
    spec.revert_window = true;
    ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec, &host));
    ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport cut, engine->Cutover());
    int64_t at_swap = written();
    // (A writer that failed writes no more: the window then ends on its clock.)
    auto window_end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    ORDO_ASSERT_OK(engine->KeepOldInSync([&] {
      return written() > at_swap + 200 || std::chrono::steady_clock::now() > window_end;
    }));
    ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport reverted, engine->Revert());
    blocks.push_back(cut.write_block_ms);
    blocks.push_back(reverted.write_block_ms);
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
  EXPECT_TRUE(OrdoTablesLeft().empty());
}

}  // namespace
}  // namespace ordo::engine

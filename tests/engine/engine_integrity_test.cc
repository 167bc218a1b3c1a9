// The integrity tests: sysbench oltp_write_only (server-side prepared statements, 4
// threads) runs against the table for the whole migration, cutover included, while a
// second writer makes random inserts/updates/deletes that it mirrors, in the same
// transaction, into an oracle table, reading each row before it writes it. Pass: no
// client error (sysbench's four threads run until the test stops them, none ends on an
// error; the second writer sees none) and after the cutover the table equals the oracle
// on every common column. The revert form goes on through a revert window under the same
// load and swaps back: the reverted table must equal the oracle as well.
//
// Built twice: the short form (CI) and, with ORDO_INTEGRITY_LONG, a long one (slow)
// of the cutover test only.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <optional>

#include "engine_test_support.h"

namespace ordo::engine {
namespace {

using testing::ReadFile;

#ifdef ORDO_INTEGRITY_LONG
constexpr int kRows = 200000;
#else
constexpr int kRows = 20000;
#endif
// sysbench runs until Finish() stops it; its --time only bounds a test that never gets
// there (a slow build copies and verifies under this load for tens of seconds).
constexpr int kLoadSecondsAtMost = 1200;
// A sanitizer build's change stream applies several times slower than sysbench writes
// on this server: there the load is paced so that the engine can catch up at all. A
// normal build paces it at about half of what 2 cores serve unpaced (~2,500 a second):
// unpaced, the four threads keep the table inside a transaction nearly all the time, so
// the swap, which locks only at a moment when the table is free, rarely finds one (the
// limit docs/engine.md describes; one CI run's revert found none in 10 attempts). This
// test pins integrity under load, not how long a saturated table keeps the swap waiting.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr const char* kLoadRate = "--rate=300";
#else
constexpr const char* kLoadRate = "--rate=1200";
#endif

// The interval lines of a sysbench report whose err/s is not 0.00.
int CountNonZeroErrorRates(const std::string& out) {
  int n = 0;
  for (size_t at = out.find("err/s: "); at != std::string::npos; at = out.find("err/s: ", at + 1))
    if (out.compare(at + 7, 4, "0.00") != 0) ++n;
  return n;
}

// The load: bench/sysbench/own_rows.lua, oltp_write_only's transaction with each
// thread on its own rows, so that sysbench runs with --mysql-ignore-errors=none (stock
// oltp_write_only deadlocks on its own rows without ordo; docs/engine.md, "The
// application never sees the swap"). The table is oltp_write_only's.
const std::string kLoadScript = std::string(ORDO_SOURCE_DIR) + "/bench/sysbench/own_rows.lua";

pid_t Sysbench(testing::MariaDbServer* server, const std::string& db, const std::string& script,
               std::vector<std::string> extra, const std::string& out) {
  std::vector<std::string> args = {"sysbench",
                                   script,
                                   "--mysql-host=" + server->host(),
                                   "--mysql-port=" + std::to_string(server->port()),
                                   "--mysql-user=" + server->user(),
                                   "--mysql-password=" + server->password(),
                                   "--mysql-db=" + db,
                                   "--tables=1",
                                   "--table-size=" + std::to_string(kRows)};
  args.insert(args.end(), extra.begin(), extra.end());
  return testing::Spawn(args, out);
}

constexpr const char* kChange =
    "ALTER TABLE sbtest1 ADD COLUMN extra INT NOT NULL DEFAULT 0, ADD INDEX idx_c (c(16))";

// The load of every integrity test: sysbench (prepared statements, 4 threads) plus the
// mirrored writer, on the test's database. Finish() stops both and checks for client errors.
class IntegrityLoad {
 public:
  IntegrityLoad(testing::MariaDbServer* server, std::string db)
      : server_(server), db_(std::move(db)) {}
  // A test that failed before Finish() leaves no load behind for the next one.
  ~IntegrityLoad() {
    if (bench_ > 0 && LoadRunning()) {
      kill(bench_, SIGKILL);
      waitpid(bench_, nullptr, 0);
    }
  }

  // Prepares the table and the oracle and starts both writers.
  void Start() {
    int status = 0;
    pid_t prep = Sysbench(server_, db_, "oltp_write_only", {"prepare"}, dir_.path() + "/prepare");
    waitpid(prep, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << ReadFile(dir_.path() + "/prepare");
    auto conn = testing::Connect(server_, db_);
    ASSERT_TRUE(conn.ok());
    conn_ = std::move(*conn);
    ASSERT_TRUE(conn_->Execute("CREATE TABLE oracle LIKE sbtest1").ok());
    // The mirrored writer owns ids far above sysbench's.
    mirrored_ = std::make_unique<testing::RandomWriter>(server_, db_, "sbtest1", 10'000'000, 3000,
                                                        "oracle", 5, "k", "c");
    // It reads each row before it writes it, and never retries: the transaction an
    // exclusive lock queued in between would make the server kill (1213).
    mirrored_->ReadFirst(std::chrono::microseconds(200));
    ASSERT_TRUE(mirrored_->Start().ok());
    bench_ =
        Sysbench(server_, db_, kLoadScript,
                 {"--threads=4", "--time=" + std::to_string(kLoadSecondsAtMost), kLoadRate,
                  "--db-ps-mode=auto", "--mysql-ignore-errors=none", "--report-interval=1", "run"},
                 run_out());
    started_ = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        testing::PollUntil([&] { return ReadFile(run_out()).find("[ 1s ]") != std::string::npos; },
                           std::chrono::seconds(30)))
        << ReadFile(run_out());
  }

  const std::string& db() const { return db_; }
  // Seconds since sysbench began its run.
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }
  db::MysqlConnection& conn() { return *conn_; }
  bool LoadRunning() {
    if (bench_status_) return false;
    int status = 0;
    if (waitpid(bench_, &status, WNOHANG) == 0) return true;
    bench_status_ = status;
    return false;
  }

  // Lets both writers go on for a while against whatever the table is now.
  void KeepWriting(int transactions) {
    int64_t from = mirrored_->transactions();
    EXPECT_TRUE(testing::PollUntil([&] { return mirrored_->transactions() > from + transactions; },
                                   std::chrono::seconds(30)));
  }
  int64_t mirrored_transactions() const { return mirrored_->transactions(); }

  // Stops both writers: zero client errors on both. sysbench, ignoring no error, prints
  // FATAL on the first one and the thread ends: still running with four threads, no
  // FATAL and no err/s means none. It has no graceful stop (SIGINT ends it without a
  // report), so its last interval line is the report.
  void Finish() {
    Status mirrored_error = mirrored_->Stop();
    EXPECT_TRUE(mirrored_error.ok()) << mirrored_error.ToString();
    bool running = LoadRunning();
    std::string out = ReadFile(run_out());
    EXPECT_TRUE(running) << "sysbench ended before the test did:\n" << out;
    EXPECT_EQ(out.find("FATAL"), std::string::npos) << out;
    if (running) {
      kill(bench_, SIGKILL);
      waitpid(bench_, nullptr, 0);
      bench_status_ = 0;
    }
    size_t at = out.rfind("thds: ");  // the last interval line (paced runs add others)
    ASSERT_NE(at, std::string::npos) << out;
    size_t begin = out.rfind('\n', at) + 1;  // npos + 1 == 0
    std::string line = out.substr(begin, out.find('\n', at) - begin);
    EXPECT_NE(line.find("thds: 4 "), std::string::npos) << line;
    EXPECT_EQ(CountNonZeroErrorRates(out), 0) << out;
    std::printf("sysbench, %.0f s, last interval: %s\n", Elapsed(), line.c_str());
  }

  // The mirrored writer's rows of the table equal the oracle on id, k, c, pad.
  void ExpectTableEqualsOracle() {
    auto table = testing::Dump(*conn_, db_, "sbtest1", "id, k, c, pad", "id");
    auto oracle = testing::Dump(*conn_, db_, "oracle", "id, k, c, pad", "id");
    ASSERT_TRUE(table.ok() && oracle.ok());
    std::vector<db::SqlRow> mine;
    for (const auto& r : *table)
      if (std::stoll(*r[0]) >= 10'000'000) mine.push_back(r);
    EXPECT_GT(oracle->size(), 0u);
    EXPECT_EQ(mine.size(), oracle->size());
    EXPECT_TRUE(mine == *oracle);
    // Name the differences, if any.
    std::map<std::string, db::SqlRow> in_table, in_oracle;
    for (const auto& r : mine) in_table[*r[0]] = r;
    for (const auto& r : *oracle) in_oracle[*r[0]] = r;
    for (const auto& [id, r] : in_oracle)
      if (!in_table.count(id))
        ADD_FAILURE() << "row " << id << " is in the oracle only";
      else if (in_table[id] != r)
        ADD_FAILURE() << "row " << id << " differs: table k=" << *in_table[id][1]
                      << " oracle k=" << *r[1];
    for (const auto& [id, r] : in_table)
      if (!in_oracle.count(id)) ADD_FAILURE() << "row " << id << " is in the table only";
  }

  bool HasColumn(const std::string& column) {
    auto cols = conn_->Query(
        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? "
        "AND TABLE_NAME = 'sbtest1' AND COLUMN_NAME = ?",
        {db::SqlValue::Text(db_), db::SqlValue::Text(column)});
    return cols.ok() && *cols->rows[0][0] == "1";
  }

 private:
  std::string run_out() const { return dir_.path() + "/run"; }

  testing::MariaDbServer* server_;
  testing::TempDir dir_;
  std::string db_;
  std::unique_ptr<db::MysqlConnection> conn_;
  std::unique_ptr<testing::RandomWriter> mirrored_;
  pid_t bench_ = -1;
  std::optional<int> bench_status_;  // once reaped
  std::chrono::steady_clock::time_point started_;
};

bool SysbenchMissing() { return system("command -v sysbench >/dev/null 2>&1") != 0; }

EngineSpec DefaultSpec(testing::MariaDbServer* server, const std::string& db) {
  EngineSpec spec = testing::SpecFor(server, db, "sbtest1", kChange);
  spec.chunk_target_ms = 500;  // defaults, as a user would run it (ADD INDEX: not instant)
  spec.checkpoint_interval_ms = 2000;
  spec.progress_interval_ms = 1000;
  return spec;
}

using EngineIntegrity = testing::EngineTest;

#define ORDO_REQUIRE_SYSBENCH()                                       \
  do {                                                                \
    if (SysbenchMissing()) {                                          \
      if (testing::ServersRequired())                                 \
        FAIL() << "sysbench is required (scripts/setup installs it)"; \
      GTEST_SKIP() << "sysbench not installed";                       \
    }                                                                 \
  } while (0)

TEST_F(EngineIntegrity, SysbenchAndAMirroredWriterSeeNoErrorsAndTheTableEqualsTheOracle) {
  ORDO_REQUIRE_SYSBENCH();
  IntegrityLoad load(server_, db_);
  ASSERT_NO_FATAL_FAILURE(load.Start());

  EngineSpec spec = DefaultSpec(server_, db_);
  spec.keep_old_table = std::getenv("ORDO_KEEP_OLD") != nullptr;
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, RunToSwap(spec));
  ASSERT_TRUE(load.LoadRunning()) << "sysbench ended before the cutover";
  std::printf(
      "cutover under load: %d attempt(s), writes blocked %lld ms, %lld rows verified, "
      "largest backlog reported %lld binlog bytes (while %s)\n",
      report.attempts, static_cast<long long>(report.write_block_ms),
      static_cast<long long>(report.rows_verified), static_cast<long long>(host_.max_backlog()),
      host_.max_backlog_phase().c_str());
  // The backlog stays bounded under load: the copy pauses while it is over the
  // engine's limit (max_backlog_bytes, 16 MiB by default), and the applier keeps up:
  // it may overshoot by what the chunks in flight write, never by an unbounded amount.
  EXPECT_LT(host_.max_backlog(), 2 * EngineSpec().max_backlog_bytes)
      << "phase " << host_.max_backlog_phase();

  // Let both writers keep going on the new table for a while.
  load.KeepWriting(100);
  load.Finish();
  load.ExpectTableEqualsOracle();
  EXPECT_TRUE(load.HasColumn("extra"));
}

#ifndef ORDO_INTEGRITY_LONG  // the long form keeps to the cutover (CI time)
// Engine part 2: the same load through a revert window and the revert. Every write of
// the window (sysbench's and the mirrored writer's) reaches the old table through the
// reverse sync; after the swap back the table equals the oracle and has its old shape.
TEST_F(EngineIntegrity,
       RevertUnderSysbenchAndAMirroredWriterLosesNoWriteAndTheTableEqualsTheOracle) {
  ORDO_REQUIRE_SYSBENCH();
  IntegrityLoad load(server_, db_);
  ASSERT_NO_FATAL_FAILURE(load.Start());

  EngineSpec spec = DefaultSpec(server_, db_);
  spec.revert_window = true;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  ORDO_ASSERT_OK(engine->Preflight());
  ORDO_ASSERT_OK(engine->Copy());
  double t_copy = load.Elapsed();
  auto report = engine->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  double t_swap = load.Elapsed();
  ASSERT_TRUE(load.HasColumn("extra"));
  // The window: both writers go on against the new table, the old one follows.
  int64_t at_swap = load.mirrored_transactions();
  Status kept = engine->KeepOldInSync([&] { return load.mirrored_transactions() > at_swap + 300; });
  ASSERT_TRUE(kept.ok()) << kept.ToString();
  double t_window = load.Elapsed();
  EXPECT_TRUE(host_.last_progress().revert_unavailable.empty())
      << host_.last_progress().revert_unavailable;
  ASSERT_TRUE(load.LoadRunning()) << "sysbench ended before the revert";
  auto reverted = engine->Revert();
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  std::printf(
      "phases (s since the load began): copied %.1f, swapped %.1f, window %.1f, reverted %.1f\n",
      t_copy, t_swap, t_window, load.Elapsed());
  ASSERT_TRUE(load.LoadRunning()) << "sysbench ended during the revert";
  std::printf(
      "cutover under load: writes blocked %lld ms; revert under load: %d attempt(s), "
      "writes blocked %lld ms, %lld rows verified\n",
      static_cast<long long>(report->write_block_ms), reverted->attempts,
      static_cast<long long>(reverted->write_block_ms),
      static_cast<long long>(reverted->rows_verified));
  EXPECT_EQ(host_.last_progress().phase, "reverted");

  // Both writers go on against the reverted table.
  load.KeepWriting(100);
  load.Finish();
  load.ExpectTableEqualsOracle();
  EXPECT_FALSE(load.HasColumn("extra"));
  auto left = load.conn().Query(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE "
      "'sbtest1\\_ordo\\_%'",
      {db::SqlValue::Text(load.db())});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left->rows[0][0], "0") << "ordo's tables are left behind after the revert";
}
#endif

}  // namespace
}  // namespace ordo::engine

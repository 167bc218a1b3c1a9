// Helpers for the engine's tests: connections and scratch databases on the test
// server, an EngineHost that records what the engine reports, table dumps for
// comparing contents, and EngineTest, the fixture of the engine's tests on a server.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "assert_ok.h"
#include "db/mysql/connection.h"
#include "ordo/engine.h"
#include "ordo_tables.h"
#include "test_servers.h"

namespace ordo::testing {

Result<std::unique_ptr<db::MysqlConnection>> Connect(MariaDbServer* server,
                                                     const std::string& db = "");

// Creates a fresh database and returns its name.
Result<std::string> NewDatabase(MariaDbServer* server);

// Runs statements (';'-separated, no ';' inside values) on `db`.
Status Run(db::MysqlConnection& conn, const std::string& statements);

// Every row of `table` as text, columns in the given order, sorted by the first
// column list given in `order_by`.
Result<std::vector<db::SqlRow>> Dump(db::MysqlConnection& conn, const std::string& db,
                                     const std::string& table, const std::string& columns,
                                     const std::string& order_by);

// A fresh database in which `statements` (Run's form) ran, and a connection to it.
struct ScratchDb {
  std::string db;
  std::unique_ptr<db::MysqlConnection> conn;
};
Result<ScratchDb> NewScratchDb(MariaDbServer* server, const std::string& statements);

// A scratch database with `t (id INT PRIMARY KEY, v INT, s VARCHAR(32))` holding `rows`
// rows: v = id, s = 's' and id % 100.
Result<ScratchDb> NewScratchTable(MariaDbServer* server, int rows);

// The names of db.table's indexes, sorted (empty when the table is not there).
std::vector<std::string> IndexNames(db::MysqlConnection& conn, const std::string& db,
                                    const std::string& table);

// The first cell of `sql`'s first row as text: "<none>" without rows, "NULL" for NULL.
Result<std::string> Cell(db::MysqlConnection& conn, const std::string& sql);

class RecordingHost : public EngineHost {
 public:
  Status ReportProgress(const EngineProgress& progress) override;
  Status SaveResumeState(const std::string& json) override;
  bool ShouldStop() override { return stop.load(); }

  std::string last_resume_state() { return Read(resume_); }
  EngineProgress last_progress() { return Read(progress_); }
  int saves() { return Read(saves_); }
  int64_t max_backlog() { return Read(max_backlog_); }  // the largest backlog_bytes reported
  std::string max_backlog_phase() {
    return Read(max_backlog_phase_);
  }  // the phase reported with it
  std::vector<std::string> phases() {
    return Read(phases_);
  }  // every phase reported, in order, repeats folded

  std::atomic<bool> stop{false};
  // When set, SaveResumeState/ReportProgress fail with LeaseLost.
  std::atomic<bool> fail_callbacks{false};

 private:
  // A copy of `field`, read under mu_.
  template <typename T>
  T Read(const T& field) {
    std::lock_guard<std::mutex> lock(mu_);
    return field;
  }

  std::mutex mu_;
  std::string resume_;
  EngineProgress progress_;
  int saves_ = 0;
  int64_t max_backlog_ = 0;
  std::string max_backlog_phase_;
  std::vector<std::string> phases_;
};

// Makes the next copy (on any engine) stop at its `chunk`th chunk: `host` asks for the
// stop, and that chunk waits long enough for the engine's stop check (every 50 ms), so
// the rest of the table is not copied first however fast the server. Sync points stay
// enabled until the caller's SyncPoints::Get().DisableAndClear().
void StopCopyAtChunk(RecordingHost& host, int chunk);

// The engine of `spec` (NewMysqlEngine), copied and in sync.
Result<std::unique_ptr<OperationEngine>> CopiedEngine(const EngineSpec& spec, RecordingHost* host);

// The text of the file at `path` ("" when it cannot be read).
std::string ReadFile(const std::string& path);

// Starts `args` (args[0] looked up on PATH unless it names a path) in a child process
// whose stdout and stderr go to the file `out`; returns its pid (-1 when fork failed).
int Spawn(const std::vector<std::string>& args, const std::string& out);

// A spec with short intervals for tests, the copy path forced (allow_instant false).
EngineSpec SpecFor(MariaDbServer* server, const std::string& db, const std::string& table,
                   const std::string& ddl);

}  // namespace ordo::testing

#include <chrono>
#include <optional>
#include <thread>

namespace ordo::testing {

// A thread doing random single-row inserts, updates and deletes on `table`
// (id INT key, an INT column v_col, a text column s_col) over ids [first_id, first_id + ids), each
// in its own transaction; when `oracle` is set, every change is mirrored into that table in the
// same transaction. Counts transactions and errors.
class RandomWriter {
 public:
  RandomWriter(MariaDbServer* server, std::string db, std::string table, int64_t first_id,
               int64_t ids, std::string oracle = "", uint32_t seed = 1, std::string v_col = "v",
               std::string s_col = "s");
  ~RandomWriter();
  // Before Start: each transaction first reads its row (a plain SELECT), waits `pause`,
  // then writes it — the pattern that loses a deadlock to an exclusive lock queued on
  // the table in between. Errors are never retried: the first one stops the writer.
  void ReadFirst(std::chrono::microseconds pause) { read_pause_ = pause; }
  Status Start();
  // Stops and returns the first error seen (client errors must be zero).
  Status Stop();
  int64_t transactions() const { return transactions_.load(); }

 private:
  void Loop();
  MariaDbServer* server_;
  std::string db_, table_, oracle_, v_col_, s_col_;
  int64_t first_id_, ids_;
  uint32_t seed_;
  std::unique_ptr<db::MysqlConnection> conn_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> transactions_{0};
  std::optional<std::chrono::microseconds> read_pause_;
  Status error_;
};

}  // namespace ordo::testing

// EngineTest: the fixture of the engine's tests on a real server. Each test gets the
// shared MariaDB server (a missing one skips the test, or fails it when
// ORDO_REQUIRE_SERVERS=1), a fresh database of its own with a connection to it,
// helpers to seed and read tables there, and helpers that take an engine through its
// steps with each step's status checked, so that a test states only what it is about.
// Not thread-safe: the helpers run on the test's thread (the connection is the test's).
//
//   using EngineFlow = testing::EngineTest;
//   TEST_F(EngineFlow, AnAddedColumnHasItsDefault) {
//     ORDO_ASSERT_OK(SeedTable(1000));
//     ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, RunToSwap(Spec("ALTER TABLE t ADD x INT
//     DEFAULT 1"))); EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE x = 1"), "1000");
//   }
namespace ordo::testing {

class EngineTest : public ::testing::Test {
 protected:
  // The server, the database and the connection; skips or fails the test without them.
  void SetUp() override;

  // Runs `statements` (Run's form: ';'-separated) on the test's database.
  Status Exec(const std::string& statements);
  // Creates `t (id INT PRIMARY KEY, v INT, s VARCHAR(32))` with `rows` rows: v = id,
  // s = `s` (SQL of `seq`, the id; by default 's' and id % 100, NewScratchTable's).
  Status SeedTable(int rows, const std::string& s = "CONCAT('s', seq % 100)");
  // The first cell of `sql`'s first row (Cell's form), or the error as text.
  std::string CellOf(const std::string& sql);
  // Every row of `table`, `columns` in order, sorted by `order_by` (Dump's form).
  Result<std::vector<db::SqlRow>> DumpOf(const std::string& table, const std::string& columns,
                                         const std::string& order_by);
  // Moves the test to a fresh database (db_, conn_): for a test that runs each of its
  // cases on tables of their own.
  Status UseNewDatabase();
  // Whether `table` of the test's database exists; has `column`.
  bool HasTable(const std::string& table);
  bool HasColumn(const std::string& table, const std::string& column);
  // Another connection to the test's database.
  Result<std::unique_ptr<db::MysqlConnection>> NewConnection();
  // The names of ordo's tables in the test's database (OrdoTables), or the error as a
  // one-element list.
  std::vector<std::string> OrdoTablesLeft();
  // Every table of the test's database (TableNames), or the error as a one-element list.
  std::vector<std::string> AllTables();

  // SpecFor the test's database: one change of `table`.
  EngineSpec Spec(const std::string& ddl, const std::string& table = "t");

  // An engine of `spec` reporting to `host` (the fixture's host_ when null).
  Result<std::unique_ptr<OperationEngine>> NewEngine(const EngineSpec& spec,
                                                     RecordingHost* host = nullptr);
  // The same, copied and in sync (Copy() succeeded).
  Result<std::unique_ptr<OperationEngine>> Copied(const EngineSpec& spec,
                                                  RecordingHost* host = nullptr);
  // Builds the engine of `spec` into engine_ (reporting to host_) and runs Preflight,
  // Copy and Cutover: the swap's report, or the first failing step's error with the
  // step named. engine_ stays for the steps after the swap.
  Result<CutoverReport> RunToSwap(const EngineSpec& spec);
  // The error of `engine`'s Cutover(), for a cutover that must fail: ok when it swapped.
  static Status CutoverError(OperationEngine& engine);
  // `spec` with a swap that gives up soon: each attempt waits at most `lock_timeout_ms`
  // for the table, `max_attempts` of them, 20 ms apart.
  static EngineSpec GivingUp(EngineSpec spec, int64_t lock_timeout_ms, int max_attempts);

  MariaDbServer* server_ = nullptr;
  std::string db_;
  std::unique_ptr<db::MysqlConnection> conn_;
  RecordingHost host_;
  std::unique_ptr<OperationEngine> engine_;
};

}  // namespace ordo::testing

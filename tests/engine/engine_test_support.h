// Helpers for the engine's tests: connections and scratch databases on the test
// server, an EngineHost that records what the engine reports, and table dumps for
// comparing contents.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/mysql/connection.h"
#include "ordo/engine.h"
#include "ordo_tables.h"
#include "test_servers.h"

namespace ordo::testing {

Result<std::unique_ptr<MysqlConnection>> Connect(MariaDbServer* server, const std::string& db = "");

// Creates a fresh database and returns its name.
Result<std::string> NewDatabase(MariaDbServer* server);

// Runs statements (';'-separated, no ';' inside values) on `db`.
Status Run(MysqlConnection& conn, const std::string& statements);

// Every row of `table` as text, columns in the given order, sorted by the first
// column list given in `order_by`.
Result<std::vector<SqlRow>> Dump(MysqlConnection& conn, const std::string& db,
                                 const std::string& table, const std::string& columns,
                                 const std::string& order_by);

// A fresh database in which `statements` (Run's form) ran, and a connection to it.
struct ScratchDb {
  std::string db;
  std::unique_ptr<MysqlConnection> conn;
};
Result<ScratchDb> NewScratchDb(MariaDbServer* server, const std::string& statements);

// A scratch database with `t (id INT PRIMARY KEY, v INT, s VARCHAR(32))` holding `rows`
// rows: v = id, s = 's' and id % 100.
Result<ScratchDb> NewScratchTable(MariaDbServer* server, int rows);

// The names of db.table's indexes, sorted (empty when the table is not there).
std::vector<std::string> IndexNames(MysqlConnection& conn, const std::string& db, const std::string& table);

// The first cell of `sql`'s first row as text: "<none>" without rows, "NULL" for NULL.
Result<std::string> Cell(MysqlConnection& conn, const std::string& sql);

class RecordingHost : public EngineHost {
 public:
  Status ReportProgress(const EngineProgress& progress) override;
  Status SaveResumeState(const std::string& json) override;
  bool ShouldStop() override { return stop.load(); }

  std::string last_resume_state();
  EngineProgress last_progress();
  int saves();
  int64_t max_backlog();  // the largest backlog_bytes reported
  std::string max_backlog_phase();  // the phase reported with it
  std::vector<std::string> phases();  // every phase reported, in order, repeats folded

  std::atomic<bool> stop{false};
  // When set, SaveResumeState/ReportProgress fail with LeaseLost.
  std::atomic<bool> fail_callbacks{false};

 private:
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

// A spec with short intervals for tests, the copy path forced (allow_instant false).
EngineSpec SpecFor(MariaDbServer* server, const std::string& db, const std::string& table,
                   const std::string& ddl);

}  // namespace ordo::testing

#include <chrono>
#include <optional>
#include <thread>

namespace ordo::testing {

// A thread doing random single-row inserts, updates and deletes on `table`
// (id INT key, an INT column v_col, a text column s_col) over ids [first_id, first_id + ids), each in its own
// transaction; when `oracle` is set, every change is mirrored into that table in the
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
  std::unique_ptr<MysqlConnection> conn_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> transactions_{0};
  std::optional<std::chrono::microseconds> read_pause_;
  Status error_;
};

}  // namespace ordo::testing

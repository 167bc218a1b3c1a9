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

class RecordingHost : public EngineHost {
 public:
  Status ReportProgress(const EngineProgress& progress) override;
  Status SaveResumeState(const std::string& json) override;
  bool ShouldStop() override { return stop.load(); }

  std::string last_resume_state();
  EngineProgress last_progress();
  int saves();

  std::atomic<bool> stop{false};
  // When set, SaveResumeState/ReportProgress fail with LeaseLost.
  std::atomic<bool> fail_callbacks{false};

 private:
  std::mutex mu_;
  std::string resume_;
  EngineProgress progress_;
  int saves_ = 0;
};

EngineSpec SpecFor(MariaDbServer* server, const std::string& db, const std::string& table,
                   const std::string& ddl);

}  // namespace ordo::testing

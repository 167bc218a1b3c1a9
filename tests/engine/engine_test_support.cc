#include "engine_test_support.h"

namespace ordo::testing {

Result<std::unique_ptr<MysqlConnection>> Connect(MariaDbServer* server, const std::string& db) {
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(server->Dsn(db)));
  MysqlConnectOptions options;
  options.init_statements = {"SET SESSION time_zone = '+00:00'"};
  return MysqlConnection::Connect(dsn, options);
}

Result<std::string> NewDatabase(MariaDbServer* server) {
  ORDO_ASSIGN_OR_RETURN(auto conn, Connect(server));
  std::string db = UniqueName("eng");
  ORDO_RETURN_IF_ERROR(conn->Execute("CREATE DATABASE " + QuoteIdentifier(db)));
  return db;
}

Status Run(MysqlConnection& conn, const std::string& statements) {
  size_t start = 0;
  while (start < statements.size()) {
    size_t end = statements.find(';', start);
    if (end == std::string::npos) end = statements.size();
    std::string one = statements.substr(start, end - start);
    if (one.find_first_not_of(" \n\t") != std::string::npos) {
      Status s = conn.Execute(one);
      if (!s.ok()) return s.WithContext(one);
    }
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::vector<SqlRow>> Dump(MysqlConnection& conn, const std::string& db,
                                 const std::string& table, const std::string& columns,
                                 const std::string& order_by) {
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query("SELECT " + columns + " FROM " + QuoteTable(db, table) +
                                                 " ORDER BY " + order_by));
  return rows.rows;
}

Status RecordingHost::ReportProgress(const EngineProgress& progress) {
  if (fail_callbacks) return LeaseLost("test: lease lost");
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = progress;
  return Status::Ok();
}

Status RecordingHost::SaveResumeState(const std::string& json) {
  if (fail_callbacks) return LeaseLost("test: lease lost");
  std::lock_guard<std::mutex> lock(mu_);
  resume_ = json;
  ++saves_;
  return Status::Ok();
}

std::string RecordingHost::last_resume_state() {
  std::lock_guard<std::mutex> lock(mu_);
  return resume_;
}

EngineProgress RecordingHost::last_progress() {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

int RecordingHost::saves() {
  std::lock_guard<std::mutex> lock(mu_);
  return saves_;
}

EngineSpec SpecFor(MariaDbServer* server, const std::string& db, const std::string& table,
                   const std::string& ddl) {
  EngineSpec spec;
  spec.target_dsn = server->Dsn(db);
  spec.changes.push_back({1, db, table, ddl});
  spec.chunk_target_ms = 100;
  spec.cutover_backoff_ms = 100;
  spec.checkpoint_interval_ms = 200;
  spec.progress_interval_ms = 200;
  return spec;
}

}  // namespace ordo::testing

#include "engine_test_support.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "ordo/sync_point.h"

namespace ordo::testing {

Result<std::unique_ptr<db::MysqlConnection>> Connect(MariaDbServer* server, const std::string& db) {
  ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(server->Dsn(db)));
  db::MysqlConnectOptions options;
  options.init_statements = {"SET SESSION time_zone = '+00:00'"};
  return db::MysqlConnection::Connect(dsn, options);
}

Result<std::string> NewDatabase(MariaDbServer* server) {
  ORDO_ASSIGN_OR_RETURN(auto conn, Connect(server));
  std::string db = UniqueName("eng");
  ORDO_RETURN_IF_ERROR(conn->Execute("CREATE DATABASE " + db::QuoteIdentifier(db)));
  return db;
}

Status Run(db::MysqlConnection& conn, const std::string& statements) {
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

Result<std::vector<db::SqlRow>> Dump(db::MysqlConnection& conn, const std::string& db,
                                     const std::string& table, const std::string& columns,
                                     const std::string& order_by) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn.Query("SELECT " + columns + " FROM " + db::QuoteTable(db, table) +
                                   " ORDER BY " + order_by));
  return rows.rows;
}

Result<ScratchDb> NewScratchDb(MariaDbServer* server, const std::string& statements) {
  ScratchDb s;
  ORDO_ASSIGN_OR_RETURN(s.db, NewDatabase(server));
  ORDO_ASSIGN_OR_RETURN(s.conn, Connect(server, s.db));
  ORDO_RETURN_IF_ERROR(Run(*s.conn, statements));
  return s;
}

Result<ScratchDb> NewScratchTable(MariaDbServer* server, int rows) {
  return NewScratchDb(server,
                      "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(32));"
                      "INSERT INTO t SELECT seq, seq, CONCAT('s', seq % 100) FROM seq_1_to_" +
                          std::to_string(rows));
}

Result<std::string> Cell(db::MysqlConnection& conn, const std::string& sql) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, conn.Query(sql));
  if (rows.rows.empty()) return std::string("<none>");
  return rows.rows[0][0].value_or("NULL");
}

void StopCopyAtChunk(RecordingHost& host, int chunk) {
  auto chunks = std::make_shared<int>(0);
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeInsert", [&host, chunks, chunk] {
    if (++*chunks != chunk) return;
    host.stop = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  });
  SyncPoints::Get().Enable();
}

std::vector<std::string> IndexNames(db::MysqlConnection& conn, const std::string& db,
                                    const std::string& table) {
  auto rows = conn.Query(
      "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? "
      "AND TABLE_NAME = ?",
      {db::SqlValue::Text(db), db::SqlValue::Text(table)});
  std::vector<std::string> out;
  if (rows.ok())
    for (const auto& r : rows->rows) out.push_back(r[0].value_or(""));
  std::sort(out.begin(), out.end());
  return out;
}

Status RecordingHost::ReportProgress(const EngineProgress& progress) {
  if (fail_callbacks) return LeaseLost("test: lease lost");
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = progress;
  if (phases_.empty() || phases_.back() != progress.phase) phases_.push_back(progress.phase);
  if (progress.backlog_bytes > max_backlog_) {
    max_backlog_ = progress.backlog_bytes;
    max_backlog_phase_ = progress.phase;
  }
  return Status::Ok();
}

Status RecordingHost::SaveResumeState(const std::string& json) {
  if (fail_callbacks) return LeaseLost("test: lease lost");
  std::lock_guard<std::mutex> lock(mu_);
  resume_ = json;
  ++saves_;
  return Status::Ok();
}

Result<std::unique_ptr<OperationEngine>> CopiedEngine(const EngineSpec& spec, RecordingHost* host) {
  ORDO_ASSIGN_OR_RETURN(auto engine, NewMysqlEngine(spec, host));
  ORDO_RETURN_IF_ERROR(engine->Copy());
  return engine;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Spawn(const std::vector<std::string>& args, const std::string& out) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
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
  // The copy path is what most tests pin; the instant tests turn this back on.
  spec.allow_instant = false;
  return spec;
}

}  // namespace ordo::testing

#include <random>

namespace ordo::testing {

RandomWriter::RandomWriter(MariaDbServer* server, std::string db, std::string table,
                           int64_t first_id, int64_t ids, std::string oracle, uint32_t seed,
                           std::string v_col, std::string s_col)
    : server_(server),
      db_(std::move(db)),
      table_(std::move(table)),
      oracle_(std::move(oracle)),
      v_col_(db::QuoteIdentifier(v_col)),
      s_col_(db::QuoteIdentifier(s_col)),
      first_id_(first_id),
      ids_(ids),
      seed_(seed) {}

RandomWriter::~RandomWriter() { (void)Stop(); }

Status RandomWriter::Start() {
  ORDO_ASSIGN_OR_RETURN(conn_, Connect(server_, db_));
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

Status RandomWriter::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return error_;
}

void RandomWriter::Loop() {
  std::mt19937 rng(seed_);
  std::vector<std::string> tables = {db::QuoteTable(db_, table_)};
  if (!oracle_.empty()) tables.push_back(db::QuoteTable(db_, oracle_));
  while (!stop_ && error_.ok()) {
    int64_t id = first_id_ + static_cast<int64_t>(rng() % ids_);
    int op = static_cast<int>(rng() % 3);
    int64_t v = static_cast<int64_t>(rng() % 1000000);
    std::string s = "w" + std::to_string(rng());
    Status st = conn_->Execute("BEGIN");
    if (st.ok() && read_pause_) {
      st = conn_
               ->Query("SELECT " + v_col_ + " FROM " + tables[0] + " WHERE id = ?",
                       {db::SqlValue::Int(id)})
               .status();
      std::this_thread::sleep_for(*read_pause_);
    }
    for (const std::string& t : tables) {
      if (!st.ok()) break;
      Result<uint64_t> r = uint64_t{0};
      if (op == 0)
        r = conn_->Execute(
            "REPLACE INTO " + t + " (id, " + v_col_ + ", " + s_col_ + ") VALUES (?, ?, ?)",
            {db::SqlValue::Int(id), db::SqlValue::Int(v), db::SqlValue::Text(s)});
      else if (op == 1)
        r = conn_->Execute(
            "UPDATE " + t + " SET " + v_col_ + " = ?, " + s_col_ + " = ? WHERE id = ?",
            {db::SqlValue::Int(v), db::SqlValue::Text(s), db::SqlValue::Int(id)});
      else
        r = conn_->Execute("DELETE FROM " + t + " WHERE id = ?", {db::SqlValue::Int(id)});
      st = r.status();
    }
    if (st.ok()) st = conn_->Execute("COMMIT");
    if (!st.ok()) {
      (void)conn_->Execute("ROLLBACK");
      error_ = st;
      return;
    }
    ++transactions_;
  }
}

}  // namespace ordo::testing

namespace ordo::testing {

void EngineTest::SetUp() {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  server_ = server;
  ORDO_ASSERT_OK_AND_ASSIGN(db_, NewDatabase(server_));
  ORDO_ASSERT_OK_AND_ASSIGN(conn_, Connect(server_, db_));
}

Status EngineTest::Exec(const std::string& statements) { return testing::Run(*conn_, statements); }

Status EngineTest::SeedTable(int rows, const std::string& s) {
  return Exec(
      "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(32));"
      "INSERT INTO t SELECT seq, seq, " +
      s + " FROM seq_1_to_" + std::to_string(rows));
}

std::string EngineTest::CellOf(const std::string& sql) {
  Result<std::string> cell = Cell(*conn_, sql);
  return cell.ok() ? *cell : cell.status().ToString();
}

Result<std::vector<db::SqlRow>> EngineTest::DumpOf(const std::string& table,
                                                   const std::string& columns,
                                                   const std::string& order_by) {
  return Dump(*conn_, db_, table, columns, order_by);
}

Status EngineTest::UseNewDatabase() {
  ORDO_ASSIGN_OR_RETURN(db_, NewDatabase(server_));
  ORDO_ASSIGN_OR_RETURN(conn_, Connect(server_, db_));
  return Status::Ok();
}

bool EngineTest::HasTable(const std::string& table) {
  auto r = conn_->Query(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      {db::SqlValue::Text(db_), db::SqlValue::Text(table)});
  return r.ok() && *r->rows[0][0] == "1";
}

bool EngineTest::HasColumn(const std::string& table, const std::string& column) {
  auto r = conn_->Query(
      "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = ? AND COLUMN_NAME = ?",
      {db::SqlValue::Text(db_), db::SqlValue::Text(table), db::SqlValue::Text(column)});
  return r.ok() && *r->rows[0][0] == "1";
}

Result<std::unique_ptr<db::MysqlConnection>> EngineTest::NewConnection() {
  return Connect(server_, db_);
}

std::vector<std::string> EngineTest::OrdoTablesLeft() {
  auto tables = OrdoTables(*conn_, db_);
  return tables.ok() ? *tables : std::vector<std::string>{tables.status().ToString()};
}

std::vector<std::string> EngineTest::AllTables() {
  auto tables = TableNames(*conn_, db_);
  return tables.ok() ? *tables : std::vector<std::string>{tables.status().ToString()};
}

EngineSpec EngineTest::Spec(const std::string& ddl, const std::string& table) {
  return SpecFor(server_, db_, table, ddl);
}

Result<std::unique_ptr<OperationEngine>> EngineTest::NewEngine(const EngineSpec& spec,
                                                               RecordingHost* host) {
  return NewMysqlEngine(spec, host ? host : &host_);
}

Result<std::unique_ptr<OperationEngine>> EngineTest::Copied(const EngineSpec& spec,
                                                            RecordingHost* host) {
  return CopiedEngine(spec, host ? host : &host_);
}

Result<CutoverReport> EngineTest::RunToSwap(const EngineSpec& spec) {
  ORDO_ASSIGN_OR_RETURN(engine_, NewEngine(spec));
  ORDO_RETURN_IF_ERROR(engine_->Preflight().WithContext("preflight"));
  ORDO_RETURN_IF_ERROR(engine_->Copy().WithContext("copy"));
  Result<CutoverReport> report = engine_->Cutover();
  if (!report.ok()) return report.status().WithContext("cutover");
  return report;
}

EngineSpec EngineTest::GivingUp(EngineSpec spec, int64_t lock_timeout_ms, int max_attempts) {
  spec.cutover_lock_timeout_ms = lock_timeout_ms;
  spec.cutover_max_attempts = max_attempts;
  spec.cutover_backoff_ms = 20;
  return spec;
}

Status EngineTest::CutoverError(OperationEngine& engine) {
  Result<CutoverReport> report = engine.Cutover();
  return report.ok() ? Status::Ok() : report.status();
}

}  // namespace ordo::testing

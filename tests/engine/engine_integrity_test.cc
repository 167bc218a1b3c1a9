// The integrity test: sysbench oltp_write_only (server-side prepared statements, 4
// threads) runs against the table for the whole migration, cutover included, while a
// second writer makes random inserts/updates/deletes that it mirrors, in the same
// transaction, into an oracle table. Pass: no client error (sysbench exits cleanly,
// the second writer sees none) and after the cutover the table equals the oracle on
// every common column.
//
// Built twice: the short form (CI) and, with ORDO_INTEGRITY_LONG, a long one (slow).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "engine_test_support.h"

namespace ordo {
namespace {

#ifdef ORDO_INTEGRITY_LONG
constexpr int kRows = 200000;
constexpr int kSeconds = 150;
#else
constexpr int kRows = 20000;
constexpr int kSeconds = 25;
#endif

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t Sysbench(testing::MariaDbServer* server, const std::string& db, std::vector<std::string> extra,
               const std::string& out) {
  std::vector<std::string> args = {"sysbench", "oltp_write_only",
                                   "--mysql-host=" + server->host(),
                                   "--mysql-port=" + std::to_string(server->port()),
                                   "--mysql-user=" + server->user(),
                                   "--mysql-password=" + server->password(), "--mysql-db=" + db,
                                   "--tables=1", "--table-size=" + std::to_string(kRows)};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("sysbench", argv.data());
    _exit(127);
  }
  return pid;
}

TEST(EngineIntegrity, SysbenchAndAMirroredWriterSeeNoErrorsAndTheTableEqualsTheOracle) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  if (system("command -v sysbench >/dev/null 2>&1") != 0) {
    if (testing::ServersRequired()) FAIL() << "sysbench is required (scripts/setup installs it)";
    GTEST_SKIP() << "sysbench not installed";
  }
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  testing::TempDir dir;
  int status = 0;
  pid_t prep = Sysbench(server, *db, {"prepare"}, dir.path() + "/prepare");
  waitpid(prep, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(dir.path() + "/prepare");
  auto conn = testing::Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Execute("CREATE TABLE oracle LIKE sbtest1").ok());

  // The mirrored writer owns ids far above sysbench's.
  testing::RandomWriter mirrored(server, *db, "sbtest1", 10'000'000, 3000, "oracle", 5, "k", "c");
  ASSERT_TRUE(mirrored.Start().ok());
  std::string run_out = dir.path() + "/run";
  pid_t bench = Sysbench(server, *db,
                         {"--threads=4", "--time=" + std::to_string(kSeconds), "--db-ps-mode=auto",
                          "--report-interval=1", "run"},
                         run_out);
  ASSERT_TRUE(testing::PollUntil([&] { return ReadFile(run_out).find("[ 1s ]") != std::string::npos; },
                                 std::chrono::seconds(30)))
      << ReadFile(run_out);

  testing::RecordingHost host;
  EngineSpec spec = testing::SpecFor(server, *db, "sbtest1",
                                     "ALTER TABLE sbtest1 ADD COLUMN extra INT NOT NULL DEFAULT 0, "
                                     "ADD INDEX idx_c (c(16))");
  spec.chunk_target_ms = 500;  // defaults, as a user would run it (ADD INDEX: not instant)
  spec.checkpoint_interval_ms = 2000;
  spec.progress_interval_ms = 1000;
  spec.keep_old_table = std::getenv("ORDO_KEEP_OLD") != nullptr;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Preflight().ok());
  Status copied = (*engine)->Copy();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(waitpid(bench, &status, WNOHANG), 0) << "sysbench ended before the cutover";
  std::printf("cutover under load: %d attempt(s), writes blocked %lld ms, %lld rows verified, "
              "largest backlog reported %lld binlog bytes (while %s)\n",
              report->attempts, static_cast<long long>(report->write_block_ms),
              static_cast<long long>(report->rows_verified),
              static_cast<long long>(host.max_backlog()), host.max_backlog_phase().c_str());
  // The backlog stays bounded under load: the copy pauses while it is over the
  // engine's limit (max_backlog_bytes, 8 MiB by default), and the applier keeps up.
  EXPECT_LT(host.max_backlog(), 16 << 20) << "phase " << host.max_backlog_phase();

  // Let both writers keep going on the new table for a while.
  int64_t after_swap = mirrored.transactions();
  EXPECT_TRUE(testing::PollUntil([&] { return mirrored.transactions() > after_swap + 100; },
                                 std::chrono::seconds(30)));
  Status mirrored_error = mirrored.Stop();
  EXPECT_TRUE(mirrored_error.ok()) << mirrored_error.ToString();
  waitpid(bench, &status, 0);
  std::string out = ReadFile(run_out);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  EXPECT_EQ(out.find("FATAL"), std::string::npos) << out;
  size_t at = out.find("ignored errors:");
  ASSERT_NE(at, std::string::npos) << out;
  std::printf("sysbench: %s", out.substr(out.find("transactions:")).substr(0, 200).c_str());

  auto table = testing::Dump(**conn, *db, "sbtest1", "id, k, c, pad", "id");
  auto oracle = testing::Dump(**conn, *db, "oracle", "id, k, c, pad", "id");
  ASSERT_TRUE(table.ok() && oracle.ok());
  std::vector<SqlRow> mine;
  for (const auto& r : *table)
    if (std::stoll(*r[0]) >= 10'000'000) mine.push_back(r);
  EXPECT_GT(oracle->size(), 0u);
  EXPECT_EQ(mine.size(), oracle->size());
  EXPECT_TRUE(mine == *oracle);
  // Name the differences, if any.
  std::map<std::string, SqlRow> in_table, in_oracle;
  for (const auto& r : mine) in_table[*r[0]] = r;
  for (const auto& r : *oracle) in_oracle[*r[0]] = r;
  for (const auto& [id, r] : in_oracle)
    if (!in_table.count(id)) ADD_FAILURE() << "row " << id << " is in the oracle only";
    else if (in_table[id] != r) ADD_FAILURE() << "row " << id << " differs: table k=" << *in_table[id][1] << " oracle k=" << *r[1];
  for (const auto& [id, r] : in_table)
    if (!in_oracle.count(id)) ADD_FAILURE() << "row " << id << " is in the table only";
  auto cols = (*conn)->Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? "
                             "AND TABLE_NAME = 'sbtest1' AND COLUMN_NAME = 'extra'",
                             {SqlValue::Text(*db)});
  EXPECT_EQ(*cols->rows[0][0], "1");
}

}  // namespace
}  // namespace ordo

// End to end: the live view of `ordo apply` on a real terminal (a pty of 80×24),
// against a real MariaDB server, with info-level logging so that log lines come while
// the view is drawn:
// - every line of the view fits the 80 columns;
// - no log line lands inside the view: each is printed above it (after the view is
//   cleared), never after a line of the view;
// - the rollout ends as documented: the apply completed, exit 0, nothing of ordo left.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "e2e_support.h"

namespace ordo::testing {
namespace {

struct PtyRun {
  int exit_code = -1;
  std::string out;  // everything the terminal received, escape sequences included
};

// Runs the ordo binary with `args` in `dir` on a new pty of `columns`×`rows`.
PtyRun RunOnPty(const std::vector<std::string>& args, const std::string& dir, int columns,
                int rows) {
  PtyRun run;
  winsize size{};
  size.ws_col = static_cast<unsigned short>(columns);
  size.ws_row = static_cast<unsigned short>(rows);
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) return run;
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    std::vector<std::string> argv_s = {OrdoBinary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  char buf[4096];
  while (true) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 120'000) <= 0) break;  // a stuck run fails on its exit code
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child and its terminal are gone
    run.out.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int status = 0;
  if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

// The visible characters of a line: escape sequences and carriage returns removed.
int VisibleWidth(const std::string& line) {
  static const std::regex kEscape("\x1b\\[[0-9;]*[A-Za-z]");
  std::string text = std::regex_replace(line, kEscape, "");
  int chars = 0;
  for (unsigned char ch : text) chars += ch != '\r' && (ch & 0xC0) != 0x80;
  return chars;
}

class LiveViewOnATerminal : public SharedServersTest<1> {
 protected:
  const MariaDbServer& server() { return *servers_[0]; }
  TempDir dir_;
};

TEST_F(LiveViewOnATerminal, FitsEightyColumnsAndLogLinesGoAboveIt) {
  ORDO_ASSERT_OK(FillOrders(server(), "shop_view_a", 20000));
  ORDO_ASSERT_OK(FillOrders(server(), "shop_view_b", 20000));
  EnvironmentSpec env{"prod",
                      "rolling",
                      "halt",
                      "0s",
                      {{"eu-1-with-a-long-name", server().Dsn("shop_view_a")},
                       {"us-1", server().Dsn("shop_view_b")}}};
  WriteConfig(dir_.path(),
              ConfigSpec{"sqlite:ordo.db", "shop", {"poll_interval: 100ms"}, {}, {env}});
  PtyRun run = RunOnPty(
      {"--log-level", "info", "apply", "-d", "shop", "-e", "prod", "--yes", "--ddl",
       "ALTER TABLE orders ADD COLUMN a_rather_long_column_name VARCHAR(200) NOT NULL DEFAULT "
       "'a default that makes the statement long', ADD INDEX idx_note (note)"},
      dir_.path(), 80, 24);
  ASSERT_EQ(run.exit_code, 0) << run.out;

  // Lines as the terminal got them (the pty turns "\n" into "\r\n").
  static const std::regex kLogLine(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (info|warning|warn|error) )");
  size_t view_lines = 0, log_lines = 0;
  bool previous_was_view = false;
  size_t start = 0;
  while (start < run.out.size()) {
    size_t end = run.out.find('\n', start);
    if (end == std::string::npos) end = run.out.size();
    std::string line = run.out.substr(start, end - start);
    start = end + 1;
    bool is_view = line.find("\x1b[2K") != std::string::npos;
    std::smatch m;
    bool is_log = std::regex_search(line, m, kLogLine);
    if (is_view && !is_log) {
      ++view_lines;
      EXPECT_LE(VisibleWidth(line), 80)
          << "a line of the view is wider than the terminal: " << line;
    }
    if (is_log) {
      ++log_lines;
      EXPECT_FALSE(is_view) << "a log line inside a line of the view: " << line;
      // Above the view: the view was cleared first (…A\r\x1b[J), or the line before was
      // not the view's.
      bool cleared = line.find("\x1b[J") != std::string::npos &&
                     line.find("\x1b[J") < static_cast<size_t>(m.position(0));
      EXPECT_TRUE(cleared || !previous_was_view) << "a log line right under the view: " << line;
    }
    previous_was_view = is_view;
  }
  EXPECT_GT(view_lines, 10u) << run.out;
  EXPECT_GT(log_lines, 0u) << "info-level logging printed nothing: " << run.out;

  std::smatch created;
  ASSERT_TRUE(std::regex_search(run.out, created, std::regex("apply (ap_[A-Za-z0-9]+) created")))
      << run.out;
  json doc = StatusOf(dir_.path(), created[1].str());
  EXPECT_EQ(doc["state"], "completed") << doc.dump(2);
  for (const auto& op : doc["operations"]) EXPECT_EQ(op["state"], "completed") << doc.dump(2);
  EXPECT_TRUE(NoOrdoObjects(server(), "shop_view_a"));
  EXPECT_TRUE(NoOrdoObjects(server(), "shop_view_b"));
}

}  // namespace
}  // namespace ordo::testing

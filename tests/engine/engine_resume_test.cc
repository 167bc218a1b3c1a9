// Crash and resume: the engine runs in a child process (engine_driver) that is killed
// with SIGKILL at random points of the copy while a writer keeps changing the table;
// each restart resumes from the saved state, the copy never restarts from zero, and
// the swapped table ends identical to the source.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"

namespace ordo::engine {
namespace {

using EngineResume = testing::EngineTest;
using testing::ReadFile;

struct Child {
  pid_t pid = -1;
  std::string out;  // stdout and stderr
};

Child Spawn(const std::vector<std::string>& args, const std::string& out) {
  return {testing::Spawn(args, out), out};
}

// The watermark (first key column, an integer id) of the saved state; -1 when none.
int64_t SavedWatermark(const std::string& path) {
  auto state = DecodeResumeState(ReadFile(path));
  if (!state.ok() || state->tables.empty() || !state->tables[0].copy.watermark) return -1;
  return std::stoll(state->tables[0].copy.watermark->at(0).s);
}

bool Exited(pid_t pid, int* status) { return waitpid(pid, status, WNOHANG) == pid; }

TEST_F(EngineResume, SigkillDuringCopyResumesFromTheCheckpointWithIdenticalData) {
  constexpr int kRows = 150000;
  ORDO_ASSERT_OK(
      Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(64), pad CHAR(60), KEY (v));"
           "INSERT INTO t SELECT seq, seq % 977, CONCAT('s', seq), REPEAT('p', 60) "
           "FROM seq_1_to_" +
           std::to_string(kRows)));
  testing::TempDir dir;
  std::string state = dir.path() + "/state.json";
  std::string ddl = "ALTER TABLE t ADD COLUMN added INT DEFAULT 9, ADD INDEX (s)";
  auto args = [&](const std::string& mode) {
    return std::vector<std::string>{
        ORDO_ENGINE_DRIVER, server_->Dsn(db_), db_, "t", ddl, state, mode, "10", "2"};
  };
  constexpr int kMaxKey = kRows + 5000;  // the writer inserts keys up to this
  testing::RandomWriter writer(server_, db_, "t", 1, kMaxKey, "", 11);
  ORDO_ASSERT_OK(writer.Start());

  std::mt19937 rng(std::random_device{}());
  int64_t last_watermark = -1;
  int kills = 0;
  for (int round = 0; round < 3; ++round) {
    // Kill once the checkpoint passed a random point beyond the previous one.
    int64_t target = std::max<int64_t>(last_watermark, 0) + 1 + rng() % (kRows / 5);
    Child c = Spawn(args("copy"), dir.path() + "/out" + std::to_string(round));
    int status = 0;
    bool exited = false;
    bool reached = testing::PollUntil(
        [&] {
          exited = Exited(c.pid, &status);
          return exited || SavedWatermark(state) >= target;
        },
        std::chrono::seconds(120), std::chrono::milliseconds(2));
    ASSERT_TRUE(reached) << "the copy made no progress";
    if (exited) break;  // the copy finished before this kill point
    kill(c.pid, SIGKILL);
    waitpid(c.pid, &status, 0);
    ++kills;
    int64_t w = SavedWatermark(state);
    EXPECT_GE(w, last_watermark) << "a checkpoint went backwards";
    last_watermark = w;
  }
  EXPECT_GE(kills, 1);
  // Finish the copy with the writer still running, then stop it and cut over.
  Child finish = Spawn(args("copy"), dir.path() + "/finish");
  int status = 0;
  waitpid(finish.pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(finish.out);
  std::string out = ReadFile(finish.out);
  EXPECT_NE(out.find("resumed=1"), std::string::npos) << out;
  long long scanned = -1;
  std::sscanf(out.c_str() + out.find("scanned="), "scanned=%lld", &scanned);
  std::printf("killed %d times; last watermark %lld; resumed run scanned %lld of %d rows\n", kills,
              static_cast<long long>(last_watermark), scanned, kRows);
  // No restart from zero: the resumed run read only what lay past the watermark (the
  // keys up to kMaxKey; the last kill may come when the watermark is past kRows).
  EXPECT_LE(scanned, kMaxKey - last_watermark);
  ORDO_ASSERT_OK(writer.Stop());
  EXPECT_GT(writer.transactions(), 0);
  Child cut = Spawn(args("cutover"), dir.path() + "/cut");
  waitpid(cut.pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(cut.out);
  ORDO_ASSERT_OK_AND_ASSIGN(auto before, DumpOf("t_ordo_old", "id, v, s, pad", "id"));
  ORDO_ASSERT_OK_AND_ASSIGN(auto after, DumpOf("t", "id, v, s, pad", "id"));
  EXPECT_EQ(before.size(), after.size());
  EXPECT_TRUE(before == after);
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE added = 9"), std::to_string(after.size()));
}

}  // namespace
}  // namespace ordo::engine

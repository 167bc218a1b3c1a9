// Ready before the turn (OperationEngine::MakeReady) on a real server: the deferred
// indexes are built and every table verified before the swap is asked for, so the
// swap itself only catches up and renames; a change made between the verification and
// the swap is in the swapped table; a ready checkpoint makes a resumed engine ready
// without verifying again.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"

namespace ordo {
namespace {

using testing::Cell;
using testing::IndexNames;
using testing::RecordingHost;
using testing::SpecFor;

constexpr const char* kChange = "ALTER TABLE t ADD COLUMN x INT NOT NULL DEFAULT 7, ADD INDEX kx (x, v)";

bool Has(const std::vector<std::string>& phases, const std::string& phase) {
  return std::find(phases.begin(), phases.end(), phase) != phases.end();
}

// The phases reported after the last `from` (everything when it was never reported).
std::vector<std::string> After(const std::vector<std::string>& phases, const std::string& from) {
  auto it = std::find(phases.rbegin(), phases.rend(), from);
  return it == phases.rend() ? phases : std::vector<std::string>(it.base(), phases.end());
}

TEST(Ready, TheIndexesAreBuiltAndTheTablesVerifiedBeforeTheSwapIsAskedFor) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto scratch = testing::NewScratchTable(server, 20000);
  ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
  RecordingHost host;
  auto engine = NewMysqlEngine(SpecFor(server, scratch->db, "t", kChange), &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  Status ready = (*engine)->MakeReady();
  ASSERT_TRUE(ready.ok()) << ready.ToString();

  // Ready: the shadow has its new index, the verification ran, the checkpoint says so.
  EXPECT_EQ(IndexNames(*scratch->conn, scratch->db, "t_ordo_new"), (std::vector<std::string>{"PRIMARY", "kx"}));
  EXPECT_TRUE(Has(host.phases(), "verifying"));
  EXPECT_EQ(host.last_progress().phase, "in_sync");
  auto saved = DecodeResumeState(host.last_resume_state());
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_TRUE(saved->ready);
  EXPECT_TRUE(saved->tables[0].deferred_indexes.empty());

  // The swap verifies and builds nothing more: it reports the verification it relies on.
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_verified, 20000);
  std::vector<std::string> turn = After(host.phases(), "in_sync");
  EXPECT_FALSE(Has(turn, "verifying")) << ::testing::PrintToString(host.phases());
  EXPECT_FALSE(Has(turn, "indexing")) << ::testing::PrintToString(host.phases());
  EXPECT_TRUE(Has(turn, "cutting_over"));
  EXPECT_EQ(IndexNames(*scratch->conn, scratch->db, "t"), (std::vector<std::string>{"PRIMARY", "kx"}));
}

TEST(Ready, AChangeMadeBetweenTheVerificationAndTheSwapIsInTheSwappedTable) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto scratch = testing::NewScratchTable(server, 5000);
  ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
  RecordingHost host;
  EngineSpec spec = SpecFor(server, scratch->db, "t", kChange);
  spec.revert_window = true;  // the old table stays, to compare with
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE((*engine)->Copy().ok());
  ASSERT_TRUE((*engine)->MakeReady().ok());
  // Verified; now the application writes, and the swap comes at once (no time in sync).
  ASSERT_TRUE(testing::Run(*scratch->conn,
                           "UPDATE t SET v = -v WHERE id <= 100; DELETE FROM t WHERE id BETWEEN 101 AND 150; "
                           "INSERT INTO t (id, v, s) VALUES (900001, 1, 'new'), (900002, 2, 'new')")
                  .ok());
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto& conn = *scratch->conn;
  EXPECT_EQ(*Cell(conn, "SELECT COUNT(*) FROM t WHERE v < 0"), "100");
  EXPECT_EQ(*Cell(conn, "SELECT COUNT(*) FROM t WHERE id BETWEEN 101 AND 150"), "0");
  EXPECT_EQ(*Cell(conn, "SELECT COUNT(*) FROM t WHERE s = 'new' AND x = 7"), "2");
  EXPECT_EQ(*Cell(conn, "SELECT COUNT(*) FROM t"), "4952");
  // The old table, kept by the swap, holds the same rows.
  EXPECT_EQ(*Cell(conn, "SELECT COUNT(*) FROM t JOIN t_ordo_old o USING (id) WHERE o.v = t.v AND o.s = t.s"),
            "4952");
}

TEST(Ready, AnEngineResumedFromAReadyCheckpointIsReadyWithoutVerifyingAgain) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto scratch = testing::NewScratchTable(server, 5000);
  ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
  EngineSpec spec = SpecFor(server, scratch->db, "t", kChange);
  RecordingHost host;
  {
    auto first = NewMysqlEngine(spec, &host);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE((*first)->Copy().ok());
    ASSERT_TRUE((*first)->MakeReady().ok());
  }  // gone, as after a crash or a release at the barrier
  ASSERT_TRUE(testing::Run(*scratch->conn, "UPDATE t SET v = 0 WHERE id <= 10").ok());

  RecordingHost host2;
  spec.resume_state = host.last_resume_state();
  auto second = NewMysqlEngine(spec, &host2);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE((*second)->Copy().ok());
  ASSERT_TRUE((*second)->MakeReady().ok());
  EXPECT_FALSE(Has(host2.phases(), "verifying")) << ::testing::PrintToString(host2.phases());
  auto report = (*second)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_verified, 0);
  EXPECT_EQ(*Cell(*scratch->conn, "SELECT COUNT(*) FROM t WHERE v = 0 AND x = 7"), "10");
}

}  // namespace
}  // namespace ordo

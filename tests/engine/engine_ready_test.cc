// Ready before the turn (OperationEngine::MakeReady) on a real server: the deferred
// indexes are built and every table verified before the swap is asked for, so the
// swap itself only catches up and renames; a change made between the verification and
// the swap is in the swapped table; a ready checkpoint makes a resumed engine ready
// without verifying again.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"

namespace ordo::engine {
namespace {

using testing::IndexNames;
using testing::RecordingHost;
using Ready = testing::EngineTest;

constexpr const char* kChange =
    "ALTER TABLE t ADD COLUMN x INT NOT NULL DEFAULT 7, ADD INDEX kx (x, v)";

bool Has(const std::vector<std::string>& phases, const std::string& phase) {
  return std::find(phases.begin(), phases.end(), phase) != phases.end();
}

// The phases reported after the last `from` (everything when it was never reported).
std::vector<std::string> After(const std::vector<std::string>& phases, const std::string& from) {
  auto it = std::find(phases.rbegin(), phases.rend(), from);
  return it == phases.rend() ? phases : std::vector<std::string>(it.base(), phases.end());
}

TEST_F(Ready, TheIndexesAreBuiltAndTheTablesVerifiedBeforeTheSwapIsAskedFor) {
  ORDO_ASSERT_OK(SeedTable(20000));
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(Spec(kChange)));
  ORDO_ASSERT_OK(engine->MakeReady());

  // Ready: the shadow has its new index, the verification ran, the checkpoint says so.
  EXPECT_EQ(IndexNames(*conn_, db_, "t_ordo_new"), (std::vector<std::string>{"PRIMARY", "kx"}));
  EXPECT_TRUE(Has(host_.phases(), "verifying"));
  EXPECT_EQ(host_.last_progress().phase, "in_sync");
  ORDO_ASSERT_OK_AND_ASSIGN(ResumeState saved, DecodeResumeState(host_.last_resume_state()));
  EXPECT_TRUE(saved.ready);
  EXPECT_TRUE(saved.tables[0].deferred_indexes.empty());

  // The swap verifies and builds nothing more: it reports the verification it relies on.
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, engine->Cutover());
  EXPECT_EQ(report.rows_verified, 20000);
  std::vector<std::string> turn = After(host_.phases(), "in_sync");
  EXPECT_FALSE(Has(turn, "verifying")) << ::testing::PrintToString(host_.phases());
  EXPECT_FALSE(Has(turn, "indexing")) << ::testing::PrintToString(host_.phases());
  EXPECT_TRUE(Has(turn, "cutting_over"));
  EXPECT_EQ(IndexNames(*conn_, db_, "t"), (std::vector<std::string>{"PRIMARY", "kx"}));
}

TEST_F(Ready, AChangeMadeBetweenTheVerificationAndTheSwapIsInTheSwappedTable) {
  ORDO_ASSERT_OK(SeedTable(5000));
  EngineSpec spec = Spec(kChange);
  spec.revert_window = true;  // the old table stays, to compare with
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, Copied(spec));
  ORDO_ASSERT_OK(engine->MakeReady());
  // Verified; now the application writes, and the swap comes at once (no time in sync).
  ORDO_ASSERT_OK(
      Exec("UPDATE t SET v = -v WHERE id <= 100; DELETE FROM t WHERE id BETWEEN 101 AND 150; "
           "INSERT INTO t (id, v, s) VALUES (900001, 1, 'new'), (900002, 2, 'new')"));
  ORDO_ASSERT_OK(engine->Cutover().status());
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE v < 0"), "100");
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE id BETWEEN 101 AND 150"), "0");
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE s = 'new' AND x = 7"), "2");
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t"), "4952");
  // The old table, kept by the swap, holds the same rows.
  EXPECT_EQ(
      CellOf("SELECT COUNT(*) FROM t JOIN t_ordo_old o USING (id) WHERE o.v = t.v AND o.s = t.s"),
      "4952");
}

TEST_F(Ready, AnEngineResumedFromAReadyCheckpointIsReadyWithoutVerifyingAgain) {
  ORDO_ASSERT_OK(SeedTable(5000));
  EngineSpec spec = Spec(kChange);
  {
    ORDO_ASSERT_OK_AND_ASSIGN(auto first, Copied(spec));
    ORDO_ASSERT_OK(first->MakeReady());
  }  // gone, as after a crash or a release at the barrier
  ORDO_ASSERT_OK(Exec("UPDATE t SET v = 0 WHERE id <= 10"));

  RecordingHost host2;
  spec.resume_state = host_.last_resume_state();
  ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &host2));
  ORDO_ASSERT_OK(second->MakeReady());
  EXPECT_FALSE(Has(host2.phases(), "verifying")) << ::testing::PrintToString(host2.phases());
  ORDO_ASSERT_OK_AND_ASSIGN(CutoverReport report, second->Cutover());
  EXPECT_EQ(report.rows_verified, 0);
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t WHERE v = 0 AND x = 7"), "10");
}

}  // namespace
}  // namespace ordo::engine

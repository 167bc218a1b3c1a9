// Target-side fencing: two engine instances on the same operation; once the newer one
// holds the operation's fence (the token in its first table's ownership record), the
// older one's copy chunks, apply batches and swap are refused on the target
// (LeaseLost), and it writes nothing more there.
#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

using testing::RecordingHost;

class TargetFence : public testing::EngineTest {
 protected:
  // ADD COLUMN x on t, fenced with lease-A.
  EngineSpec FencedSpec() {
    EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
    spec.fence_token = "lease-A";
    return spec;
  }
};

TEST_F(TargetFence, ADisplacedEnginesApplyBatchesAndSwapAreRejectedOnTheTarget) {
  ORDO_ASSERT_OK(SeedTable(5000));
  EngineSpec spec = FencedSpec();
  ORDO_ASSERT_OK_AND_ASSIGN(auto a, Copied(spec));
  EXPECT_EQ(CellOf("SELECT token FROM t_ordo_own"), "lease-A");

  // Another driver took the lease: its engine resumes the operation and takes the fence.
  spec.fence_token = "lease-B";
  spec.resume_state = host_.last_resume_state();
  RecordingHost host_b;
  ORDO_ASSERT_OK_AND_ASSIGN(auto b, Copied(spec, &host_b));
  EXPECT_EQ(CellOf("SELECT token FROM t_ordo_own"), "lease-B");
  b.reset();  // B stops applying, so only A could write what comes next

  // A cannot swap: the fence check under the cutover's locks refuses it; nothing is
  // renamed and no sentry is left.
  Status cut = CutoverError(*a);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.code(), StatusCode::kLeaseLost) << cut.ToString();
  EXPECT_FALSE(HasTable("t_ordo_old"));
  EXPECT_FALSE(HasColumn("t", "x"));
  // A write A's capture sees: A's apply batch is refused, the shadow keeps the old value.
  ORDO_ASSERT_OK(Exec("UPDATE t SET v = -5 WHERE id = 1"));
  Status kept = a->KeepInSync([] { return false; });
  EXPECT_EQ(kept.code(), StatusCode::kLeaseLost) << kept.ToString();
  EXPECT_NE(kept.message().find("another driver"), std::string::npos) << kept.message();
  EXPECT_EQ(CellOf("SELECT v FROM t_ordo_new WHERE id = 1"), "1");
}

TEST_F(TargetFence, ADisplacedEnginesNextCopyChunkIsRejected) {
  ORDO_ASSERT_OK(SeedTable(20000));
  EngineSpec spec = FencedSpec();
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;  // many small chunks
  int chunks = 0;
  std::string rows_before;
  ORDO_ASSERT_OK_AND_ASSIGN(auto other, NewConnection());
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeBegin", [&] {
    if (++chunks != 5) return;
    // A newer engine advances the fence between two of A's chunks.
    rows_before = *testing::Cell(*other, "SELECT COUNT(*) FROM t_ordo_new");
    ASSERT_TRUE(other->Execute("UPDATE t_ordo_own SET token = 'lease-B'").ok());
  });
  SyncPoints::Get().Enable();
  ORDO_ASSERT_OK_AND_ASSIGN(auto a, NewEngine(spec));
  Status copied = a->Copy();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(copied.code(), StatusCode::kLeaseLost) << copied.ToString();
  EXPECT_TRUE(copied.retryable());
  EXPECT_EQ(chunks, 5);
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t_ordo_new"), rows_before);
}

}  // namespace
}  // namespace ordo::engine

// Target-side fencing: two engine instances on the same operation; once the newer one
// holds the operation's fence (the token in its first table's ownership record), the
// older one's copy chunks, apply batches and swap are refused on the target
// (LeaseLost), and it writes nothing more there.
#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

using testing::Cell;
using testing::Connect;
using testing::RecordingHost;
using testing::SpecFor;

TEST(TargetFence, ADisplacedEnginesApplyBatchesAndSwapAreRejectedOnTheTarget) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 5000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t ADD COLUMN x INT");
  spec.fence_token = "lease-A";
  RecordingHost host_a;
  auto a = NewMysqlEngine(spec, &host_a);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*a)->Copy().ok());
  EXPECT_EQ(*Cell(*f->conn, "SELECT token FROM t_ordo_own"), "lease-A");

  // Another driver took the lease: its engine resumes the operation and takes the fence.
  spec.fence_token = "lease-B";
  spec.resume_state = host_a.last_resume_state();
  RecordingHost host_b;
  auto b = NewMysqlEngine(spec, &host_b);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->Copy().ok());
  EXPECT_EQ(*Cell(*f->conn, "SELECT token FROM t_ordo_own"), "lease-B");
  b->reset();  // B stops applying, so only A could write what comes next

  // A cannot swap: the fence check under the cutover's locks refuses it; nothing is
  // renamed and no sentry is left.
  auto cut = (*a)->Cutover();
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), StatusCode::kLeaseLost) << cut.status().ToString();
  EXPECT_EQ(*Cell(*f->conn, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + f->db +
                                "' AND TABLE_NAME IN ('t_ordo_old')"),
            "0");
  EXPECT_EQ(*Cell(*f->conn, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + f->db +
                                "' AND TABLE_NAME = 't' AND COLUMN_NAME = 'x'"),
            "0");
  // A write A's capture sees: A's apply batch is refused, the shadow keeps the old value.
  ASSERT_TRUE(f->conn->Execute("UPDATE t SET v = -5 WHERE id = 1").ok());
  Status kept = (*a)->KeepInSync([] { return false; });
  EXPECT_EQ(kept.code(), StatusCode::kLeaseLost) << kept.ToString();
  EXPECT_NE(kept.message().find("another driver"), std::string::npos) << kept.message();
  EXPECT_EQ(*Cell(*f->conn, "SELECT v FROM t_ordo_new WHERE id = 1"), "1");
}

TEST(TargetFence, ADisplacedEnginesNextCopyChunkIsRejected) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 20000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EngineSpec spec = SpecFor(server, f->db, "t", "ALTER TABLE t ADD COLUMN x INT");
  spec.fence_token = "lease-A";
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;  // many small chunks
  RecordingHost host;
  int chunks = 0;
  std::string rows_before;
  auto other = Connect(server, f->db);
  ASSERT_TRUE(other.ok());
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeBegin", [&] {
    if (++chunks != 5) return;
    // A newer engine advances the fence between two of A's chunks.
    rows_before = *Cell(**other, "SELECT COUNT(*) FROM t_ordo_new");
    ASSERT_TRUE((*other)->Execute("UPDATE t_ordo_own SET token = 'lease-B'").ok());
  });
  SyncPoints::Get().Enable();
  auto a = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(a.ok());
  Status copied = (*a)->Copy();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(copied.code(), StatusCode::kLeaseLost) << copied.ToString();
  EXPECT_TRUE(copied.retryable());
  EXPECT_EQ(chunks, 5);
  EXPECT_EQ(*Cell(*f->conn, "SELECT COUNT(*) FROM t_ordo_new"), rows_before);
}

}  // namespace
}  // namespace ordo

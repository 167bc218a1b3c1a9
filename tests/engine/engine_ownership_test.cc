// Ownership on the target: nothing of ordo stays in a target's schema once an
// operation settles (completed, cancelled, failed for good, reverted), and an engine
// never creates, writes or drops a table another operation owns — or one nobody owns.
// A recovering engine of the same operation (a new lease token) owns what its
// predecessor made.
#include <gtest/gtest.h>

#include <thread>

#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

using testing::Cell;
using testing::OrdoTables;
using testing::RecordingHost;
using testing::SpecFor;

// An operation of store `store`, apply `apply`.
EngineSpec OwnedSpec(testing::MariaDbServer* server, const std::string& db, const std::string& ddl,
                     const std::string& store, const std::string& apply, const std::string& operation = "1") {
  EngineSpec spec = SpecFor(server, db, "t", ddl);
  spec.owner = TargetOwner{"st_" + store, "sqlite:/srv/" + store + "/ordo.db", apply, operation, "eu-1"};
  spec.fence_token = apply + "-lease-1";
  return spec;
}

// InnoDB's id of db.table: the same table as long as nobody dropped and created it.
// An engine for `spec` that has copied and is in sync; null (with a test failure)
// when it could not.
std::unique_ptr<OperationEngine> Copied(const EngineSpec& spec, RecordingHost* host) {
  auto engine = testing::CopiedEngine(spec, host);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

Result<std::string> TableId(MysqlConnection& conn, const std::string& db, const std::string& table) {
  return Cell(conn, "SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = '" + db + "/" + table + "'");
}

#define EXPECT_NO_ORDO_TABLES(conn, db)                                 \
  do {                                                                  \
    auto ordo_tables_ = OrdoTables(conn, db);                           \
    ASSERT_TRUE(ordo_tables_.ok()) << ordo_tables_.status().ToString(); \
    EXPECT_TRUE(ordo_tables_->empty()) << ::testing::PrintToString(*ordo_tables_); \
  } while (0)

TEST(Ownership, NothingOfOrdoRemainsOnceAnOperationCompletesWithOrWithoutAWindow) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  for (bool window : {false, true}) {
    auto f = testing::NewScratchTable(server, 3000);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    RecordingHost host;
    EngineSpec spec = OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_done");
    spec.revert_window = window;
    auto engine = Copied(spec, &host);
    ASSERT_NE(engine, nullptr);
    EXPECT_EQ(*OrdoTables(*f->conn, f->db), (std::vector<std::string>{"t_ordo_new", "t_ordo_own"}));
    EXPECT_EQ(*Cell(*f->conn, "SELECT CONCAT(apply_id, ' ', store_id, ' ', operation, ' ', token) FROM t_ordo_own"),
              "ap_done st_a 1 ap_done-lease-1");
    auto cut = engine->Cutover();
    ASSERT_TRUE(cut.ok()) << cut.status().ToString();
    if (window) {
      EXPECT_EQ(*OrdoTables(*f->conn, f->db), (std::vector<std::string>{"t_ordo_old", "t_ordo_own"}));
      ASSERT_TRUE(engine->KeepOldInSync([] { return true; }).ok());
      ASSERT_TRUE(engine->FinishSwap().ok());
    }
    EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
  }
}

TEST(Ownership, NothingOfOrdoRemainsOnceAnInstantChangeCompletes) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 100);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RecordingHost host;
  EngineSpec spec = OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_instant");
  spec.allow_instant = true;
  auto engine = Copied(spec, &host);
  ASSERT_NE(engine, nullptr);
  auto cut = engine->Cutover();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_TRUE(cut->instant);
  EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
}

TEST(Ownership, NothingOfOrdoRemainsOnceAnOperationIsCancelledOrFailsForGood) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 3000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  {
    // Cancelled while in sync.
    RecordingHost host;
    auto engine = Copied(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_cancel"), &host);
    ASSERT_NE(engine, nullptr);
    ASSERT_TRUE(engine->Cancel().ok());
    EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
  }
  {
    // A lossy change fails its copy (DataLoss); the operator cancels what nobody will
    // resume.
    RecordingHost host;
    auto engine = NewMysqlEngine(OwnedSpec(server, f->db, "ALTER TABLE t ADD UNIQUE KEY uk_s (s)", "a", "ap_lossy"),
                                 &host);
    ASSERT_TRUE(engine.ok());
    Status copied = (*engine)->Copy();
    EXPECT_EQ(copied.code(), StatusCode::kDataLoss) << copied.ToString();
    ASSERT_TRUE((*engine)->Cancel().ok());
    EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
  }
  {
    // Refused at preflight (the change does not apply): nothing is left even before
    // anyone cancels.
    RecordingHost host;
    auto engine = NewMysqlEngine(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN v INT", "a", "ap_bad"), &host);
    ASSERT_TRUE(engine.ok());
    EXPECT_EQ((*engine)->Preflight().code(), StatusCode::kInvalidArgument);
    EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
  }
}

TEST(Ownership, NothingOfOrdoRemainsOnceAnOperationReverts) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 3000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RecordingHost host;
  EngineSpec spec = OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_revert");
  spec.revert_window = true;
  auto engine = Copied(spec, &host);
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Cutover().ok());
  ASSERT_TRUE(engine->KeepOldInSync([] { return true; }).ok());
  auto reverted = engine->Revert();
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
}

TEST(Ownership, AnotherOwnersEngineIsRefusedAtPreflightNamingTheOwnerAndLeavesTheShadowAlone) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 5000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RecordingHost host_a;
  auto a = Copied(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_first"), &host_a);
  ASSERT_NE(a, nullptr);
  auto shadow = TableId(*f->conn, f->db, "t_ordo_new");
  ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();

  // Another store applies to the same table (its apply id may even be the same one:
  // callers choose them), and so does another operation of the first store.
  for (const auto& [store, apply, operation] :
       {std::tuple<std::string, std::string, std::string>{"b", "ap_second", "1"}, {"b", "ap_first", "1"},
        {"a", "ap_other", "2"}}) {
    RecordingHost host_b;
    auto b = NewMysqlEngine(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN y INT", store, apply, operation),
                            &host_b);
    ASSERT_TRUE(b.ok());
    Status refused = (*b)->Preflight();
    EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
    EXPECT_FALSE(refused.retryable());
    EXPECT_NE(refused.message().find("ap_first"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find("sqlite:/srv/a/ordo.db"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find("`t`"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find("ordo cleanup"), std::string::npos) << refused.message();
    // What the operator does after a permanent failure: cancel. It touches nothing.
    ASSERT_TRUE((*b)->Cancel().ok());
    EXPECT_EQ(*TableId(*f->conn, f->db, "t_ordo_new"), *shadow) << store << " " << apply;
    EXPECT_EQ(*OrdoTables(*f->conn, f->db), (std::vector<std::string>{"t_ordo_new", "t_ordo_own"}));
    EXPECT_EQ(*Cell(*f->conn, "SELECT apply_id FROM t_ordo_own"), "ap_first");
  }
  // The first goes on undisturbed: in sync, every row, swapped.
  ASSERT_TRUE(f->conn->Execute("UPDATE t SET v = -1 WHERE id = 10").ok());
  auto cut = a->Cutover();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(*Cell(*f->conn, "SELECT COUNT(*) FROM t WHERE x IS NULL"), "5000");
  EXPECT_EQ(*Cell(*f->conn, "SELECT v FROM t WHERE id = 10"), "-1");
  EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
}

TEST(Ownership, ATableUnderAnOrdoNameThatNobodyOwnsIsRefusedBeforeAnythingIsCreated) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 100);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  for (const char* name : {"t_ordo_new", "t_ordo_old", "t_ordo_chk", "t_ordo_own"}) {
    ASSERT_TRUE(f->conn->Execute(std::string("CREATE TABLE ") + name + " (keep INT)").ok());
    RecordingHost host;
    auto engine = NewMysqlEngine(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_x"), &host);
    ASSERT_TRUE(engine.ok());
    Status refused = (*engine)->Copy();
    EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
    EXPECT_NE(refused.message().find(name), std::string::npos) << refused.message();
    // A table where the record belongs, but no record in it, names no owner either.
    const bool record = std::string(name) == "t_ordo_own";
    EXPECT_NE(refused.message().find(record ? "names no owner" : "no ordo operation owns it"), std::string::npos)
        << refused.message();
    ASSERT_TRUE((*engine)->Cancel().ok());
    // Left as it was: the stranger's table, and nothing of ordo's beside it.
    EXPECT_EQ(*OrdoTables(*f->conn, f->db), std::vector<std::string>{name});
    ASSERT_TRUE(f->conn->Execute(std::string("DROP TABLE ") + name).ok());
  }
}

TEST(Ownership, ARecoveringEngineOfTheSameOperationOwnsWhatItsPredecessorMade) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = testing::NewScratchTable(server, 20000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  RecordingHost host;
  EngineSpec spec = OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_resumed");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;
  testing::StopCopyAtChunk(host, 8);
  auto first = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(first.ok());
  Status stopped = (*first)->Copy();
  SyncPoints::Get().DisableAndClear();
  ASSERT_EQ(stopped.code(), StatusCode::kCancelled) << stopped.ToString();
  auto shadow = TableId(*f->conn, f->db, "t_ordo_new");
  ASSERT_TRUE(shadow.ok());
  first->reset();  // the crash

  // Another driver's engine: the same store and operation, a new lease token.
  RecordingHost host2;
  spec.resume_state = host.last_resume_state();
  spec.fence_token = "ap_resumed-lease-2";
  auto second = NewMysqlEngine(spec, &host2);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE((*second)->Copy().ok());
  EXPECT_TRUE(host2.last_progress().resumed);
  EXPECT_EQ(*TableId(*f->conn, f->db, "t_ordo_new"), *shadow);
  EXPECT_EQ(*Cell(*f->conn, "SELECT token FROM t_ordo_own"), "ap_resumed-lease-2");
  auto cut = (*second)->Cutover();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(*Cell(*f->conn, "SELECT COUNT(*) FROM t"), "20000");
  EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
}

TEST(Ownership, OfTwoOperationsClaimingATableAtOnceExactlyOneWins) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  for (int round = 0; round < 5; ++round) {
    auto f = testing::NewScratchTable(server, 100);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    RecordingHost host_a, host_b;
    auto a = NewMysqlEngine(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN x INT", "a", "ap_a"), &host_a);
    auto b = NewMysqlEngine(OwnedSpec(server, f->db, "ALTER TABLE t ADD COLUMN y INT", "b", "ap_b"), &host_b);
    ASSERT_TRUE(a.ok() && b.ok());
    Status sa, sb;
    std::thread ta([&] { sa = (*a)->Preflight(); });
    std::thread tb([&] { sb = (*b)->Preflight(); });
    ta.join();
    tb.join();
    ASSERT_NE(sa.ok(), sb.ok()) << sa.ToString() << " / " << sb.ToString();
    const Status& lost = sa.ok() ? sb : sa;
    EXPECT_EQ(lost.code(), StatusCode::kFailedPrecondition) << lost.ToString();
    EXPECT_NE(lost.message().find(sa.ok() ? "ap_a" : "ap_b"), std::string::npos) << lost.message();
    EXPECT_EQ(*Cell(*f->conn, "SELECT apply_id FROM t_ordo_own"), sa.ok() ? "ap_a" : "ap_b");
    ASSERT_TRUE((*a)->Cancel().ok());
    ASSERT_TRUE((*b)->Cancel().ok());
    EXPECT_NO_ORDO_TABLES(*f->conn, f->db);
  }
}

}  // namespace
}  // namespace ordo

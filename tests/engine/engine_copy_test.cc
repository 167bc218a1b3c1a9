// TableCopier on a real server, without change capture: chunk sizes adapt to the time
// target, several threads copy every row exactly once, the state resumes after the
// watermark, a rest after a chunk holds back every worker.
#include <gtest/gtest.h>

#include "engine/mysql/copier.h"
#include "engine/mysql/mysql_engine.h"
#include "engine_test_support.h"

namespace ordo {
namespace {

struct Fixture {
  std::string db;
  std::unique_ptr<MysqlPool> pool;
  std::unique_ptr<TablePlan> plan;
};

Result<Fixture> Make(testing::MariaDbServer* server, int rows) {
  Fixture f;
  ORDO_ASSIGN_OR_RETURN(f.db, testing::NewDatabase(server));
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(server->Dsn(f.db)));
  f.pool = std::make_unique<MysqlPool>(dsn, EngineConnectOptions());
  ORDO_ASSIGN_OR_RETURN(auto conn, f.pool->Acquire());
  ORDO_RETURN_IF_ERROR(testing::Run(
      *conn, "CREATE TABLE t (a INT, b VARCHAR(12), v INT, PRIMARY KEY (a, b));"
             "INSERT INTO t SELECT seq % 97, CONCAT('k', seq), seq FROM seq_0_to_" +
                 std::to_string(rows) + " WHERE seq > 0" +
                 ";CREATE TABLE t_ordo_new LIKE t; ALTER TABLE t_ordo_new ADD COLUMN w INT"));
  ORDO_ASSIGN_OR_RETURN(TableInfo src, LoadTableInfo(*conn, f.db, "t"));
  ORDO_ASSIGN_OR_RETURN(TableInfo dst, LoadTableInfo(*conn, f.db, "t_ordo_new"));
  ORDO_ASSIGN_OR_RETURN(AlterStatement alter, ParseAlter("ALTER TABLE t ADD COLUMN w INT"));
  ORDO_ASSIGN_OR_RETURN(TablePlan plan, BuildTablePlan(std::move(src), std::move(dst), alter));
  f.plan = std::make_unique<TablePlan>(std::move(plan));
  return f;
}

Result<std::string> Count(MysqlPool& pool, const std::string& db, const std::string& table) {
  ORDO_ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn->Query("SELECT COUNT(*), COALESCE(SUM(v), 0) FROM " +
                                                  QuoteTable(db, table)));
  return *rows.rows[0][0] + "/" + *rows.rows[0][1];
}

TEST(TableCopier, ChunkSizeAdaptsToTheTimeTargetAndThreadsCopyEveryRowOnce) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, 60000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  CopyOptions options;
  options.threads = 3;
  options.chunk_target_ms = 2000;  // far above what a 1000-row chunk takes, even on a busy machine
  TableCopier copier(*f->plan, &applier, f->pool.get(), options, {});
  ASSERT_TRUE(copier.Run().ok());
  // 1000-row chunks take well under a second: the size grew toward the 2 s target.
  EXPECT_GT(copier.chunk_rows(), 2000);
  TableCopyState state = copier.state();
  EXPECT_TRUE(state.done);
  EXPECT_EQ(state.rows_copied, 60000);
  EXPECT_EQ(copier.rows_scanned(), 60000);
  EXPECT_EQ(*Count(*f->pool, f->db, "t"), *Count(*f->pool, f->db, "t_ordo_new"));
}

TEST(TableCopier, ASavedStateContinuesAfterTheWatermark) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, 20000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  CopyOptions options;
  options.threads = 1;
  options.chunk_target_ms = 1;
  int chunks = 0;
  options.should_stop = [&] { return ++chunks > 5; };
  TableCopier first(*f->plan, &applier, f->pool.get(), options, {});
  EXPECT_EQ(first.Run().code(), StatusCode::kCancelled);
  TableCopyState saved = first.state();
  ASSERT_TRUE(saved.watermark.has_value());
  ASSERT_FALSE(saved.done);
  options.should_stop = nullptr;
  TableCopier second(*f->plan, &applier, f->pool.get(), options, saved);
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(second.rows_scanned(), 20000 - saved.rows_copied);
  EXPECT_EQ(second.state().rows_copied, 20000);
  EXPECT_EQ(*Count(*f->pool, f->db, "t"), *Count(*f->pool, f->db, "t_ordo_new"));
}

TEST(TableCopier, NoChunkStartsWhileTheCopyRestsWhicheverWorkerEndedTheLastOne) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, 20000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  CopyOptions options;
  options.threads = 2;
  options.chunk_target_ms = 1;  // small chunks, a few ms each
  using Clock = std::chrono::steady_clock;
  constexpr auto kRest = std::chrono::milliseconds(200);
  std::mutex mu;
  std::vector<Clock::time_point> starts, rested_ends;
  options.fence = [&](MysqlConnection&) {
    std::lock_guard<std::mutex> lock(mu);
    starts.push_back(Clock::now());
    return Status::Ok();
  };
  options.rest_ms = [&](int64_t chunk_ms) -> int64_t {
    EXPECT_GE(chunk_ms, 0);
    std::lock_guard<std::mutex> lock(mu);
    if (rested_ends.size() >= 5) return 0;  // then the copy runs on without rests
    rested_ends.push_back(Clock::now());
    return kRest.count();
  };
  TableCopier copier(*f->plan, &applier, f->pool.get(), options, {});
  ASSERT_TRUE(copier.Run().ok());
  ASSERT_EQ(rested_ends.size(), 5u);
  for (const auto& end : rested_ends) {
    // The other worker may have been past its look at the rest when this chunk ended;
    // nothing else starts until the rest is over (a few ms apart without it).
    int inside = 0;
    for (const auto& start : starts)
      if (start > end && start < end + kRest - std::chrono::milliseconds(5)) ++inside;
    EXPECT_LE(inside, 1);
  }
  EXPECT_EQ(copier.state().rows_copied, 20000);
  EXPECT_EQ(*Count(*f->pool, f->db, "t"), *Count(*f->pool, f->db, "t_ordo_new"));
}

TEST(TableCopier, AnEmptyTableIsDoneAtOnce) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, 0);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  TableCopier copier(*f->plan, &applier, f->pool.get(), {}, {});
  ASSERT_TRUE(copier.Run().ok());
  EXPECT_TRUE(copier.state().done);
  EXPECT_FALSE(copier.state().end.has_value());
}

}  // namespace
}  // namespace ordo

// TableCopier on a real server, without change capture: chunk sizes adapt to the time
// target, several threads copy every row exactly once, the state resumes after the
// watermark, a rest after a chunk holds back every worker.
#include <gtest/gtest.h>

#include "engine/mysql/copier.h"
#include "engine/mysql/mysql_engine.h"
#include "engine_test_support.h"

namespace ordo::engine {
namespace {

// Each test's table: t (a composite key, v) of `rows` rows, its shadow t_ordo_new
// (ADD COLUMN w), the plan between them, and the applier a copier needs beside it.
class TableCopier : public testing::EngineTest {
 protected:
  Status Make(int rows) {
    ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(server_->Dsn(db_)));
    pool_ = std::make_unique<db::MysqlPool>(dsn, EngineConnectOptions());
    ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    ORDO_RETURN_IF_ERROR(testing::Run(
        *conn,
        "CREATE TABLE t (a INT, b VARCHAR(12), v INT, PRIMARY KEY (a, b));"
        "INSERT INTO t SELECT seq % 97, CONCAT('k', seq), seq FROM seq_0_to_" +
            std::to_string(rows) + " WHERE seq > 0" +
            ";CREATE TABLE t_ordo_new LIKE t; ALTER TABLE t_ordo_new ADD COLUMN w INT"));
    ORDO_ASSIGN_OR_RETURN(TableInfo src, LoadTableInfo(*conn, db_, "t"));
    ORDO_ASSIGN_OR_RETURN(TableInfo dst, LoadTableInfo(*conn, db_, "t_ordo_new"));
    ORDO_ASSIGN_OR_RETURN(AlterStatement alter, ParseAlter("ALTER TABLE t ADD COLUMN w INT"));
    ORDO_ASSIGN_OR_RETURN(TablePlan plan, BuildTablePlan(std::move(src), std::move(dst), alter));
    plan_ = std::make_unique<TablePlan>(std::move(plan));
    applier_ = std::make_unique<Applier>(std::vector<const TablePlan*>{plan_.get()});
    return Status::Ok();
  }

  // A copier of t with `options`, from `state`.
  std::unique_ptr<ordo::engine::TableCopier> Copier(const CopyOptions& options,
                                                    const TableCopyState& state = {}) {
    return std::make_unique<ordo::engine::TableCopier>(*plan_, applier_.get(), pool_.get(), options,
                                                       state);
  }

  // The shadow holds what t holds: as many rows, the same sum of v.
  void ExpectShadowHoldsTheTable() { EXPECT_EQ(CountAndSum("t"), CountAndSum("t_ordo_new")); }

  std::string CountAndSum(const std::string& table) {
    return CellOf("SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(v), 0)) FROM " +
                  db::QuoteIdentifier(table));
  }

  std::unique_ptr<db::MysqlPool> pool_;
  std::unique_ptr<TablePlan> plan_;
  std::unique_ptr<Applier> applier_;
};

TEST_F(TableCopier, ChunkSizeAdaptsToTheTimeTargetAndThreadsCopyEveryRowOnce) {
  ORDO_ASSERT_OK(Make(60000));
  CopyOptions options;
  options.threads = 3;
  options.chunk_target_ms = 2000;  // far above what a 1000-row chunk takes, even on a busy machine
  auto copier = Copier(options);
  ORDO_ASSERT_OK(copier->Run());
  // 1000-row chunks take well under a second: the size grew toward the 2 s target.
  EXPECT_GT(copier->chunk_rows(), 2000);
  TableCopyState state = copier->state();
  EXPECT_TRUE(state.done);
  EXPECT_EQ(state.rows_copied, 60000);
  EXPECT_EQ(copier->rows_scanned(), 60000);
  ExpectShadowHoldsTheTable();
}

TEST_F(TableCopier, ASavedStateContinuesAfterTheWatermark) {
  ORDO_ASSERT_OK(Make(20000));
  CopyOptions options;
  options.threads = 1;
  options.chunk_target_ms = 1;
  int chunks = 0;
  options.should_stop = [&] { return ++chunks > 5; };
  auto first = Copier(options);
  EXPECT_EQ(first->Run().code(), StatusCode::kCancelled);
  TableCopyState saved = first->state();
  ASSERT_TRUE(saved.watermark.has_value());
  ASSERT_FALSE(saved.done);
  options.should_stop = nullptr;
  auto second = Copier(options, saved);
  ORDO_ASSERT_OK(second->Run());
  EXPECT_EQ(second->rows_scanned(), 20000 - saved.rows_copied);
  EXPECT_EQ(second->state().rows_copied, 20000);
  ExpectShadowHoldsTheTable();
}

TEST_F(TableCopier, NoChunkStartsWhileTheCopyRestsWhicheverWorkerEndedTheLastOne) {
  ORDO_ASSERT_OK(Make(20000));
  CopyOptions options;
  options.threads = 2;
  options.chunk_target_ms = 1;  // small chunks, a few ms each
  using Clock = std::chrono::steady_clock;
  constexpr auto kRest = std::chrono::milliseconds(200);
  std::mutex mu;
  std::vector<Clock::time_point> starts, rested_ends;
  options.fence = [&](db::MysqlConnection&) {
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
  auto copier = Copier(options);
  ORDO_ASSERT_OK(copier->Run());
  ASSERT_EQ(rested_ends.size(), 5u);
  for (const auto& end : rested_ends) {
    // The other worker may have been past its look at the rest when this chunk ended;
    // nothing else starts until the rest is over (a few ms apart without it).
    int inside = 0;
    for (const auto& start : starts)
      if (start > end && start < end + kRest - std::chrono::milliseconds(5)) ++inside;
    EXPECT_LE(inside, 1);
  }
  EXPECT_EQ(copier->state().rows_copied, 20000);
  ExpectShadowHoldsTheTable();
}

TEST_F(TableCopier, AnEmptyTableIsDoneAtOnce) {
  ORDO_ASSERT_OK(Make(0));
  auto copier = Copier({});
  ORDO_ASSERT_OK(copier->Run());
  EXPECT_TRUE(copier->state().done);
  EXPECT_FALSE(copier->state().end.has_value());
}

}  // namespace
}  // namespace ordo::engine

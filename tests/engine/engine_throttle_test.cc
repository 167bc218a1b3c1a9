// Throttling and volume: the copy pauses (and says why) while the binlog backlog,
// Threads_running or a replica's lag is over its limit, while change application goes
// on, and resumes once it is back under; copy threads and the chunk time target change
// while the copy runs; the copy rests between chunks (and says so) while the
// application writes the table, and only then.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "db/dsn.h"
#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/position.h"
#include "engine/mysql/throttle.h"
#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

using testing::Connect;
using testing::RecordingHost;
using testing::SpecFor;

using Throttle = testing::EngineTest;
using Volume = testing::EngineTest;

// The s column of each test's table t (SeedTable): the same short text in every row.
constexpr const char* kS = "'s'";

TEST(ThrottleReason, SizesAreShownInMegabytes) {
  EXPECT_EQ(Megabytes(8 << 20), "8 MB");
  EXPECT_EQ(Megabytes(9542042), "9.1 MB");
  EXPECT_EQ(Megabytes(0), "0 MB");
}

TEST_F(Throttle, ABinlogBacklogOverTheLimitIsAReasonToPause) {
  ORDO_ASSERT_OK(SeedTable(20000, kS));
  auto dsn = db::ParseDsn(server_->Dsn());
  ASSERT_TRUE(dsn.ok());
  db::MysqlPool pool(*dsn, {}, 2);
  auto before = ReadBinlogEnd(*conn_);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  // Two full row images per row: well over 1 MiB of binlog.
  ASSERT_TRUE(conn_->Execute("UPDATE t SET s = REPEAT('u', 32)").ok());
  ThrottleOptions options;
  options.max_threads_running = 0;
  options.max_backlog_bytes = 1 << 20;
  BinlogPosition applied = *before;
  options.applied = [&applied] { return applied; };
  ordo::engine::Throttle throttle(options, &pool);
  auto reason = throttle.Check();
  ASSERT_TRUE(reason.ok()) << reason.status().ToString();
  EXPECT_EQ(reason->rfind("backlog ", 0), 0u) << *reason;
  EXPECT_NE(reason->find(" MB > 1 MB"), std::string::npos) << *reason;
  EXPECT_EQ(*throttle.CheckBacklog(), *reason);
  // Caught up: nothing to wait for.
  auto now = ReadBinlogEnd(*conn_);
  ASSERT_TRUE(now.ok());
  applied = *now;
  EXPECT_EQ(*throttle.Check(), "");
}

// The sync loop is held (its stream reads nothing) while the copy runs and a burst of
// application writes lands: the backlog passes the limit, the copy pauses with the
// backlog as its reason and starts no new chunk; once the loop may read again the
// backlog drains and the copy resumes and finishes on its own.
TEST_F(Throttle, TheCopyPausesWhileTheBacklogIsOverTheLimitAndResumesWhenItDrains) {
  ORDO_ASSERT_OK(SeedTable(20000, kS));
  auto writer = NewConnection();
  ASSERT_TRUE(writer.ok());
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 10;  // many chunks
  spec.max_threads_running = 0;
  spec.max_backlog_bytes = 1 << 20;
  spec.throttle_interval_ms = 50;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  std::atomic<bool> hold{true};
  std::atomic<int> chunks{0};
  Status burst = Internal("not run");
  SyncPoints::Get().SetCallback("BinlogFetcher::Next:BeforeWait", [&] {
    // Bounded, so that a failing test cannot hang: far longer than the test needs.
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (hold && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeBegin", [&] {
    if (++chunks == 1) burst = (*writer)->Execute("UPDATE t SET s = REPEAT('u', 32)");
  });
  SyncPoints::Get().Enable();
  Status copied = Internal("not run");
  std::thread copy([&] { copied = engine->Copy(); });
  bool paused = testing::PollUntil(
      [&] { return host_.last_progress().throttle_reason.rfind("backlog ", 0) == 0; },
      std::chrono::seconds(60));
  EXPECT_TRUE(paused) << "reason: " << host_.last_progress().throttle_reason;
  EXPECT_TRUE(burst.ok()) << burst.ToString();
  if (paused) {
    EngineProgress p = host_.last_progress();
    EXPECT_EQ(p.phase, "copying");
    EXPECT_NE(p.throttle_reason.find(" MB > 1 MB"), std::string::npos) << p.throttle_reason;
    // The pause was in force when reported, and nothing drains while the loop is held:
    // later chunks are at most the one in flight (one copy thread), however long we
    // look. Several checkpoints later:
    int seen = chunks.load();
    int saves = host_.saves();
    EXPECT_TRUE(
        testing::PollUntil([&] { return host_.saves() > saves + 5; }, std::chrono::seconds(60)));
    EXPECT_LE(chunks.load(), seen + 1);
    EXPECT_EQ(host_.last_progress().throttle_reason.rfind("backlog ", 0), 0u);
    EXPECT_LT(host_.last_progress().changes[0].rows_copied, 20000);
  }
  hold = false;
  copy.join();
  SyncPoints::Get().DisableAndClear();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EngineProgress done = host_.last_progress();
  EXPECT_EQ(done.phase, "in_sync");
  EXPECT_EQ(done.throttle_reason, "");
  auto shadow = conn_->Query("SELECT COUNT(*), SUM(s = REPEAT('u', 32)) FROM t_ordo_new");
  ASSERT_TRUE(shadow.ok());
  EXPECT_EQ(*shadow->rows[0][0], "20000");
  EXPECT_EQ(*shadow->rows[0][1], "20000");
  ASSERT_TRUE(engine->Cutover().ok());
}

TEST_F(Throttle, ThreadsRunningOverTheLimitIsAReasonToPause) {
  auto dsn = db::ParseDsn(server_->Dsn());
  ASSERT_TRUE(dsn.ok());
  db::MysqlPool pool(*dsn, {}, 2);
  // Two sessions kept busy make Threads_running at least 3 with our own query.
  std::vector<std::thread> sleepers;
  std::vector<std::unique_ptr<db::MysqlConnection>> conns;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 2; ++i) {
    auto c = testing::Connect(server_);
    ASSERT_TRUE(c.ok());
    ids.push_back((*c)->thread_id());
    conns.push_back(std::move(*c));
  }
  for (auto& c : conns) sleepers.emplace_back([&c] { (void)c->Execute("DO SLEEP(30)"); });
  auto killer = testing::Connect(server_);
  ASSERT_TRUE(killer.ok());
  ASSERT_TRUE(testing::PollUntil(
      [&] {
        auto r = (*killer)->Query(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP%'");
        return r.ok() && *r->rows[0][0] == "2";
      },
      std::chrono::seconds(10)));
  ThrottleOptions options;
  options.max_threads_running = 2;
  ordo::engine::Throttle throttle(options, &pool);
  auto reason = throttle.Check();
  ASSERT_TRUE(reason.ok()) << reason.status().ToString();
  EXPECT_NE(reason->find("threads_running"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("> 2"), std::string::npos) << *reason;
  options.max_threads_running = 1000;
  ordo::engine::Throttle relaxed(options, &pool);
  EXPECT_EQ(*relaxed.Check(), "");
  for (uint64_t id : ids) (void)(*killer)->Execute("KILL QUERY " + std::to_string(id));
  for (auto& t : sleepers) t.join();
}

TEST_F(Throttle, AReplicaThatCannotBeAskedPausesTheCopyButNotChangeApplication) {
  ORDO_ASSERT_OK(SeedTable(5000, kS));
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
  // Port 1 on loopback: nothing listens, so the replica's lag is unknown.
  spec.replica_dsns = {"mysql://ordo:ordo@127.0.0.1:1/"};
  spec.throttle_interval_ms = 50;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  Status copied = Internal("not run");
  std::thread copy([&] { copied = engine->Copy(); });
  ASSERT_TRUE(testing::PollUntil(
      [&] {
        return host_.last_progress().throttle_reason.find("unreachable") != std::string::npos;
      },
      std::chrono::seconds(30)));
  EngineProgress p = host_.last_progress();
  EXPECT_EQ(p.phase, "copying");
  EXPECT_NE(p.throttle_reason.find("127.0.0.1:1"), std::string::npos) << p.throttle_reason;
  // Paused: no chunk copies rows; but a change to the table still reaches the shadow.
  ASSERT_TRUE(conn_->Execute("UPDATE t SET v = -1 WHERE id = 4321").ok());
  ASSERT_TRUE(testing::PollUntil(
      [&] {
        auto r = conn_->Query("SELECT v FROM t_ordo_new WHERE id = 4321");
        return r.ok() && !r->rows.empty() && *r->rows[0][0] == "-1";
      },
      std::chrono::seconds(30)));
  auto shadow = conn_->Query("SELECT COUNT(*) FROM t_ordo_new");
  EXPECT_EQ(*shadow->rows[0][0], "1");
  EXPECT_EQ(host_.last_progress().changes[0].rows_copied, 0);
  host_.stop = true;
  copy.join();
  EXPECT_EQ(copied.code(), StatusCode::kCancelled) << copied.ToString();
}

TEST_F(Volume, CopyThreadsAndChunkTargetChangeWhileTheCopyRuns) {
  ORDO_ASSERT_OK(SeedTable(30000, kS));
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 10;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  EXPECT_EQ(engine->SetVolume({0, 100}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->SetVolume({2, 5}).code(), StatusCode::kInvalidArgument);
  std::mutex mu;
  std::set<std::thread::id> threads;
  int chunks = 0;
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeBegin", [&] {
    int n;
    {
      std::lock_guard<std::mutex> lock(mu);
      n = ++chunks;
      if (n > 10) threads.insert(std::this_thread::get_id());
    }
    // Turn the volume up once the copy is under way on its single thread, and hold that
    // thread past the supervisor's next looks (every 50 ms), so that new workers start
    // while most of the range is left (a fast server copied it all before otherwise).
    if (n == 10) {
      ASSERT_TRUE(engine->SetVolume({3, 20}).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    // Every chunk lasts longer than the 10 ms target, so that the sizer keeps them at
    // 1000 rows or fewer however fast the server is, and the range is not all handed
    // out (after which no worker starts) before the supervisor's next look (every
    // 50 ms) sees the new volume.
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  });
  SyncPoints::Get().Enable();
  Status copied = engine->Copy();
  SyncPoints::Get().DisableAndClear();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EngineProgress p = host_.last_progress();
  EXPECT_EQ(p.volume.copy_threads, 3);
  EXPECT_EQ(p.volume.chunk_target_ms, 20);
  EXPECT_GE(threads.size(), 2u) << "chunks after the change ran on " << threads.size()
                                << " thread(s)";
  ASSERT_TRUE(engine->Cutover().ok());
}

// The copy of a table the application writes, watched through the progress: how often
// it said it was copying, and resting for the application. `write` false: nobody
// writes the table.
struct WatchedCopy {
  int copying_reports = 0;
  int resting_reports = 0;
  double rest = 0;  // the largest "resting Nx" ratio reported while copying
  Status copied = Internal("not run");
  int64_t writes = 0;
};

// The first 40 copy chunks take 40 ms more each: the copy lasts well past the engine's
// first one-second look at the change stream. Enables the sync points; the caller
// disables them.
void SlowTheFirstChunks(std::atomic<int>* chunks) {
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeBegin", [chunks] {
    if (++*chunks <= 40) std::this_thread::sleep_for(std::chrono::milliseconds(40));
  });
  SyncPoints::Get().Enable();
}

// The application: on a session of its own, one row of the 20,000 of `t` after the
// other gets `v = v + 1`, until Stop(), which returns how many updates succeeded.
class RowWriter {
 public:
  RowWriter(testing::MariaDbServer* server, const std::string& db) {
    thread_ = std::thread([this, server, db] {
      auto conn = Connect(server, db);
      if (!conn.ok()) return;
      for (int i = 0; !done_; ++i)
        if ((*conn)
                ->Execute("UPDATE t SET v = v + 1 WHERE id = " + std::to_string(1 + i % 20000))
                .ok())
          ++writes_;
    });
  }
  ~RowWriter() { Stop(); }
  int64_t Stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
    return writes_;
  }

 private:
  std::atomic<bool> done_{false};
  int64_t writes_ = 0;
  std::thread thread_;
};

using DutyCycle = testing::EngineTest;

WatchedCopy CopyWhileWatching(testing::MariaDbServer* server, const std::string& db, bool write,
                              const std::string& ddl = "ALTER TABLE t ADD COLUMN x INT") {
  WatchedCopy out;
  RecordingHost host;
  EngineSpec spec = SpecFor(server, db, "t", ddl);
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;  // many chunks
  auto engine = NewMysqlEngine(spec, &host);
  if (!engine.ok()) {
    out.copied = engine.status();
    return out;
  }
  std::atomic<int> chunks{0};
  SlowTheFirstChunks(&chunks);
  std::atomic<bool> done{false};
  std::optional<RowWriter> writer;
  if (write) writer.emplace(server, db);
  std::thread copy([&] {
    out.copied = (*engine)->Copy();
    done = true;
  });
  while (!done) {
    EngineProgress p = host.last_progress();
    if (p.phase == "copying") {
      ++out.copying_reports;
      if (p.throttle_reason.rfind("application writes ", 0) == 0) {
        ++out.resting_reports;
        size_t at = p.throttle_reason.find("resting ");
        if (at != std::string::npos)
          out.rest = std::max(out.rest, std::stod(p.throttle_reason.substr(at + 8)));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  copy.join();
  if (writer) out.writes = writer->Stop();
  SyncPoints::Get().DisableAndClear();
  if (out.copied.ok()) out.copied = (*engine)->Cutover().status();
  return out;
}

TEST_F(DutyCycle, TheCopyRestsAndSaysSoWhileTheApplicationWritesTheTable) {
  ORDO_ASSERT_OK(SeedTable(20000, kS));
  WatchedCopy w = CopyWhileWatching(server_, db_, /*write=*/true);
  ASSERT_TRUE(w.copied.ok()) << w.copied.ToString();
  EXPECT_GT(w.writes, 100);
  EXPECT_GT(w.resting_reports, 0) << w.copying_reports << " reports while copying";
  EXPECT_EQ(w.rest, 1);  // rest_under_writes: no index to build after this copy
  auto sums = conn_->Query("SELECT COUNT(*), SUM(v) FROM t");
  ASSERT_TRUE(sums.ok());
  EXPECT_EQ(*sums->rows[0][0], "20000");
  EXPECT_EQ(std::stoll(*sums->rows[0][1]), 20000LL * 20001 / 2 + w.writes);
}

// How many indexes named `name` table t of the connection's database has, or the error.
std::string IndexCount(db::MysqlConnection& conn, const std::string& name) {
  auto rows = conn.Query(
      "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
      "AND TABLE_NAME = 't' AND INDEX_NAME = ?",
      {db::SqlValue::Text(name)});
  if (!rows.ok()) return rows.status().ToString();
  return rows->rows[0][0].value_or("NULL");
}

// The new index on s is most of a row's bytes; its build cannot rest, so the copy
// rests longer ahead of it (MysqlEngine::CopyRest).
TEST_F(DutyCycle, TheCopyRestsLongerAheadOfAWideDeferredIndexBuild) {
  ORDO_ASSERT_OK(SeedTable(20000, kS));
  WatchedCopy w = CopyWhileWatching(server_, db_, /*write=*/true, "ALTER TABLE t ADD INDEX ks (s)");
  ASSERT_TRUE(w.copied.ok()) << w.copied.ToString();
  EXPECT_GT(w.resting_reports, 0) << w.copying_reports << " reports while copying";
  EXPECT_GT(w.rest, 1.5);
  EXPECT_LE(w.rest, 2);  // at most twice rest_under_writes
  EXPECT_EQ(IndexCount(*conn_, "ks"), "1");
}

TEST_F(DutyCycle, UnderWritesTheDeferredIndexBuildWaitsForTheVerification) {
  ORDO_ASSERT_OK(SeedTable(20000, kS));
  ASSERT_TRUE(
      testing::Run(*conn_, "ALTER TABLE t ADD INDEX idx_v (v)").ok());  // deferred in the shadow
  EngineSpec spec = Spec("ALTER TABLE t ADD COLUMN x INT");
  spec.copy_threads = 1;
  spec.chunk_target_ms = 5;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  // The copy outlasts the engine's first look at the change stream; the application
  // writes throughout, the cutover included.
  std::atomic<int> chunks{0};
  SlowTheFirstChunks(&chunks);
  RowWriter writer(server_, db_);
  Status copied = engine->Copy();
  Result<CutoverReport> cut = copied.ok() ? engine->Cutover() : Result<CutoverReport>(copied);
  int64_t writes = writer.Stop();
  SyncPoints::Get().DisableAndClear();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_GT(writes, 100);
  std::vector<std::string> phases = host_.phases();
  std::string seen;
  for (const auto& p : phases) seen += p + " ";
  auto at = [&](const std::string& name) {
    return std::find(phases.begin(), phases.end(), name) - phases.begin();
  };
  ASSERT_LT(at("verifying"), static_cast<long>(phases.size())) << seen;
  ASSERT_LT(at("indexing"), static_cast<long>(phases.size())) << seen;
  EXPECT_LT(at("verifying"), at("indexing")) << seen;
  EXPECT_LT(at("indexing"), at("cutting_over")) << seen;
  EXPECT_EQ(IndexCount(*conn_, "idx_v"), "1");
}

TEST_F(DutyCycle, TheCopyOfATableNobodyWritesNeverRests) {
  ORDO_ASSERT_OK(SeedTable(20000, kS));
  WatchedCopy w = CopyWhileWatching(server_, db_, /*write=*/false);
  ASSERT_TRUE(w.copied.ok()) << w.copied.ToString();
  EXPECT_GT(w.copying_reports, 0);
  EXPECT_EQ(w.resting_reports, 0);
}

}  // namespace
}  // namespace ordo::engine

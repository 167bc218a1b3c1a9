// Deferred secondary indexes (deferred_indexes.h) on a real server: the shadow is
// copied without its plain secondary indexes and gets them back exactly as the change
// defines them; a stop during the build kills it and a resumed engine finishes it.
#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <thread>

#include "engine/mysql/resume_state.h"
#include "engine_test_support.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::IndexNames;
using testing::RecordingHost;
using testing::SpecFor;

constexpr const char* kTable =
    "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(64), w INT, "
    "KEY kv (v), KEY ks (s(8), v DESC) COMMENT 'prefix', UNIQUE KEY uw (w))";
constexpr const char* kChange = "ALTER TABLE t ADD COLUMN x INT DEFAULT 1, ADD INDEX kx (x, s), DROP INDEX kv";

Status Seed(MysqlConnection& conn, int rows) {
  ORDO_RETURN_IF_ERROR(conn.Execute(kTable));
  return conn.Execute("INSERT INTO t SELECT seq, seq % 97, CONCAT('s', seq), seq FROM seq_1_to_" +
                      std::to_string(rows));
}

// The table's definition without its name and AUTO_INCREMENT counter.
std::string Definition(MysqlConnection& conn, const std::string& table) {
  auto rows = conn.Query("SHOW CREATE TABLE `" + table + "`");
  if (!rows.ok()) return rows.status().ToString();
  std::string text = rows->rows[0][1].value_or("");
  text = text.substr(text.find('('));
  return std::regex_replace(text, std::regex(" AUTO_INCREMENT=[0-9]+"), "");
}

TEST(DeferredIndexes, TheShadowCopiesWithoutPlainIndexesAndGetsThemBackAsTheChangeDefines) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 20000).ok());
  // What the change makes of the table, built the plain way on an empty copy.
  ASSERT_TRUE((*conn)->Execute("CREATE TABLE expected LIKE t").ok());
  ASSERT_TRUE((*conn)->Execute(std::string(kChange).replace(0, 13, "ALTER TABLE expected")).ok());

  auto shadow_conn = Connect(server, *db);
  ASSERT_TRUE(shadow_conn.ok());
  // Copy workers run side by side: the first chunk to reach the insert reads the
  // shadow's indexes, once, so the one connection is never used by two threads.
  std::vector<std::string> during_copy;
  std::once_flag read_once;
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeInsert", [&] {
    std::call_once(read_once, [&] { during_copy = IndexNames(**shadow_conn, *db, "t_ordo_new"); });
  });
  SyncPoints::Get().Enable();
  RecordingHost host;
  EngineSpec spec = SpecFor(server, *db, "t", kChange);
  spec.allow_instant = false;
  auto engine = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(engine.ok());
  Status copied = (*engine)->Copy();
  SyncPoints::Get().DisableAndClear();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  // During the copy: the key and the unique key only; after the cutover (which joins
  // the build that started when the copy ended): every index.
  EXPECT_EQ(during_copy, (std::vector<std::string>{"PRIMARY", "uw"}));
  auto report = (*engine)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(IndexNames(**conn, *db, "t"), (std::vector<std::string>{"PRIMARY", "ks", "kx", "uw"}));
  EXPECT_EQ(Definition(**conn, "t"), Definition(**conn, "expected"));
  auto rows = (*conn)->Query("SELECT COUNT(*) FROM t FORCE INDEX (kx) WHERE x = 1");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows->rows[0][0], "20000");
}

TEST(DeferredIndexes, AStopDuringTheBuildKillsItAndAResumedEngineFinishesIt) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto db = testing::NewDatabase(server);
  ASSERT_TRUE(db.ok());
  auto conn = Connect(server, *db);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(Seed(**conn, 5000).ok());
  // An open transaction that read the shadow holds its metadata lock: the online ALTER
  // that adds the indexes back waits for it, so the stop comes while the build runs.
  auto blocker = Connect(server, *db);
  ASSERT_TRUE(blocker.ok());
  RecordingHost host;
  SyncPoints::Get().SetCallback("MysqlEngine::BuildDeferredIndexes:BeforeAlter", [&] {
    ASSERT_TRUE((*blocker)->Execute("BEGIN").ok());
    ASSERT_TRUE((*blocker)->Query("SELECT * FROM t_ordo_new LIMIT 1").ok());
    std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      host.stop = true;
    }).detach();
  });
  SyncPoints::Get().Enable();
  EngineSpec spec = SpecFor(server, *db, "t", kChange);
  spec.allow_instant = false;
  auto first = NewMysqlEngine(spec, &host);
  ASSERT_TRUE(first.ok());
  // The build runs on after Copy() returns; the stop reaches it in Copy() or, at the
  // latest, in the Cutover() that waits for it.
  Status stopped = (*first)->Copy();
  if (stopped.ok()) stopped = (*first)->Cutover().status();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled) << stopped.ToString();
  ASSERT_TRUE((*blocker)->Execute("COMMIT").ok());
  first->reset();
  // The build was killed: the indexes are still missing, and the checkpoint says so.
  EXPECT_EQ(IndexNames(**conn, *db, "t_ordo_new"), (std::vector<std::string>{"PRIMARY", "uw"}));
  auto saved = DecodeResumeState(host.last_resume_state());
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  ASSERT_EQ(saved->tables.size(), 1u);
  EXPECT_EQ(saved->tables[0].deferred_indexes,
            (std::vector<std::string>{"KEY `ks` (`s`(8),`v` DESC) COMMENT 'prefix'", "KEY `kx` (`x`,`s`)"}));
  EXPECT_TRUE(saved->tables[0].copy.done);

  ASSERT_TRUE((*conn)->Execute("UPDATE t SET v = -1 WHERE id <= 10").ok());  // while stopped
  RecordingHost host2;
  spec.resume_state = host.last_resume_state();
  auto second = NewMysqlEngine(spec, &host2);
  ASSERT_TRUE(second.ok());
  Status copied = (*second)->Copy();
  ASSERT_TRUE(copied.ok()) << copied.ToString();
  EXPECT_TRUE(host2.last_progress().resumed);
  EXPECT_EQ(host2.last_progress().rows_scanned_this_run, 0);  // the copy was done
  auto report = (*second)->Cutover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(IndexNames(**conn, *db, "t"), (std::vector<std::string>{"PRIMARY", "ks", "kx", "uw"}));
  auto minus = (*conn)->Query("SELECT COUNT(*) FROM t FORCE INDEX (ks) WHERE s LIKE 's%' AND v = -1");
  ASSERT_TRUE(minus.ok()) << minus.status().ToString();
  EXPECT_EQ(*minus->rows[0][0], "10");
}

}  // namespace
}  // namespace ordo

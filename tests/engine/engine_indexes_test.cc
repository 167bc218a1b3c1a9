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

namespace ordo::engine {
namespace {

using testing::IndexNames;
using testing::RecordingHost;

constexpr const char* kChange =
    "ALTER TABLE t ADD COLUMN x INT DEFAULT 1, ADD INDEX kx (x, s), DROP INDEX kv";

// Each test's table: plain secondary keys (one of them on a prefix, descending and
// commented) and a unique one.
class DeferredIndexes : public testing::EngineTest {
 protected:
  Status Seed(int rows) {
    return Exec(
        "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(64), w INT, "
        "KEY kv (v), KEY ks (s(8), v DESC) COMMENT 'prefix', UNIQUE KEY uw (w));"
        "INSERT INTO t SELECT seq, seq % 97, CONCAT('s', seq), seq FROM seq_1_to_" +
        std::to_string(rows));
  }

  // The table's definition without its name and AUTO_INCREMENT counter.
  std::string Definition(const std::string& table) {
    auto rows = conn_->Query("SHOW CREATE TABLE `" + table + "`");
    if (!rows.ok()) return rows.status().ToString();
    std::string text = rows->rows[0][1].value_or("");
    text = text.substr(text.find('('));
    return std::regex_replace(text, std::regex(" AUTO_INCREMENT=[0-9]+"), "");
  }
};

TEST_F(DeferredIndexes, TheShadowCopiesWithoutPlainIndexesAndGetsThemBackAsTheChangeDefines) {
  ORDO_ASSERT_OK(Seed(20000));
  // What the change makes of the table, built the plain way on an empty copy.
  ORDO_ASSERT_OK(Exec("CREATE TABLE expected LIKE t;" +
                      std::string(kChange).replace(0, 13, "ALTER TABLE expected")));

  ORDO_ASSERT_OK_AND_ASSIGN(auto shadow_conn, NewConnection());
  // Copy workers run side by side: the first chunk to reach the insert reads the
  // shadow's indexes, once, so the one connection is never used by two threads.
  std::vector<std::string> during_copy;
  std::once_flag read_once;
  SyncPoints::Get().SetCallback("TableCopier::CopyChunk:BeforeInsert", [&] {
    std::call_once(read_once, [&] { during_copy = IndexNames(*shadow_conn, db_, "t_ordo_new"); });
  });
  SyncPoints::Get().Enable();
  EngineSpec spec = Spec(kChange);
  spec.allow_instant = false;
  ORDO_ASSERT_OK_AND_ASSIGN(auto engine, NewEngine(spec));
  Status copied = engine->Copy();
  SyncPoints::Get().DisableAndClear();
  ORDO_ASSERT_OK(copied);
  // During the copy: the key and the unique key only; after the cutover (which joins
  // the build that started when the copy ended): every index.
  EXPECT_EQ(during_copy, (std::vector<std::string>{"PRIMARY", "uw"}));
  ORDO_ASSERT_OK(engine->Cutover().status());
  EXPECT_EQ(IndexNames(*conn_, db_, "t"), (std::vector<std::string>{"PRIMARY", "ks", "kx", "uw"}));
  EXPECT_EQ(Definition("t"), Definition("expected"));
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t FORCE INDEX (kx) WHERE x = 1"), "20000");
}

TEST_F(DeferredIndexes, AStopDuringTheBuildKillsItAndAResumedEngineFinishesIt) {
  ORDO_ASSERT_OK(Seed(5000));
  // An open transaction that read the shadow holds its metadata lock: the online ALTER
  // that adds the indexes back waits for it, so the stop comes while the build runs.
  ORDO_ASSERT_OK_AND_ASSIGN(auto blocker, NewConnection());
  SyncPoints::Get().SetCallback("MysqlEngine::BuildDeferredIndexes:BeforeAlter", [&] {
    ASSERT_TRUE(blocker->Execute("BEGIN").ok());
    ASSERT_TRUE(blocker->Query("SELECT * FROM t_ordo_new LIMIT 1").ok());
    std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      host_.stop = true;
    }).detach();
  });
  SyncPoints::Get().Enable();
  EngineSpec spec = Spec(kChange);
  spec.allow_instant = false;
  ORDO_ASSERT_OK_AND_ASSIGN(auto first, NewEngine(spec));
  // The build runs on after Copy() returns; the stop reaches it in Copy() or, at the
  // latest, in the Cutover() that waits for it.
  Status stopped = first->Copy();
  if (stopped.ok()) stopped = first->Cutover().status();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled) << stopped.ToString();
  ORDO_ASSERT_OK(blocker->Execute("COMMIT"));
  first.reset();
  // The build was killed: the indexes are still missing, and the checkpoint says so.
  EXPECT_EQ(IndexNames(*conn_, db_, "t_ordo_new"), (std::vector<std::string>{"PRIMARY", "uw"}));
  ORDO_ASSERT_OK_AND_ASSIGN(ResumeState saved, DecodeResumeState(host_.last_resume_state()));
  ASSERT_EQ(saved.tables.size(), 1u);
  EXPECT_EQ(saved.tables[0].deferred_indexes,
            (std::vector<std::string>{"KEY `ks` (`s`(8),`v` DESC) COMMENT 'prefix'",
                                      "KEY `kx` (`x`,`s`)"}));
  EXPECT_TRUE(saved.tables[0].copy.done);

  ORDO_ASSERT_OK(Exec("UPDATE t SET v = -1 WHERE id <= 10"));  // while stopped
  RecordingHost host2;
  spec.resume_state = host_.last_resume_state();
  ORDO_ASSERT_OK_AND_ASSIGN(auto second, Copied(spec, &host2));
  EXPECT_TRUE(host2.last_progress().resumed);
  EXPECT_EQ(host2.last_progress().rows_scanned_this_run, 0);  // the copy was done
  ORDO_ASSERT_OK(second->Cutover().status());
  EXPECT_EQ(IndexNames(*conn_, db_, "t"), (std::vector<std::string>{"PRIMARY", "ks", "kx", "uw"}));
  EXPECT_EQ(CellOf("SELECT COUNT(*) FROM t FORCE INDEX (ks) WHERE s LIKE 's%' AND v = -1"), "10");
}

}  // namespace
}  // namespace ordo::engine

// Engine pieces that need no server: DDL input, chunk sizing, resume-state encoding,
// SQL text builders, binlog position order, fence keys, deferred index clauses, the
// buffer pool notice.
#include <gtest/gtest.h>

#include "engine/mysql/chunk_sizer.h"
#include "engine/mysql/ddl.h"
#include "engine/mysql/deferred_indexes.h"
#include "engine/mysql/fence.h"
#include "engine/mysql/position.h"
#include "engine/mysql/resume_state.h"
#include "engine/mysql/server_hints.h"
#include "engine/mysql/sql_text.h"
#include "engine/mysql/table_plan.h"

namespace ordo::engine {
namespace {

TEST(ParseAlter, SplitsTableAndSpecification) {
  auto a = ParseAlter("ALTER TABLE `shop`.`orders` ADD COLUMN note TEXT, ADD INDEX (k);");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->schema_name, "shop");
  EXPECT_EQ(a->table_name, "orders");
  EXPECT_EQ(a->spec, "ADD COLUMN note TEXT, ADD INDEX (k)");
}

TEST(ParseAlter, AcceptsCommentsAndQuotedSemicolons) {
  auto a = ParseAlter("-- why\nalter /* x; */ table t ADD COLUMN c VARCHAR(3) DEFAULT ';'  ");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->table_name, "t");
  EXPECT_EQ(a->spec, "ADD COLUMN c VARCHAR(3) DEFAULT ';'");
}

TEST(ParseAlter, RefusesSeveralStatements) {
  auto a = ParseAlter("ALTER TABLE t ADD COLUMN c INT; DROP TABLE t");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("one statement"), std::string::npos);
  EXPECT_TRUE(ParseAlter("ALTER TABLE t ADD COLUMN c INT;").ok());
}

TEST(ParseAlter, RefusesOtherStatements) {
  for (const char* sql : {"TRUNCATE TABLE t", "CREATE TABLE t (id INT)", "UPDATE t SET a = 1",
                          "ALTER DATABASE d CHARACTER SET utf8mb4", "", "  -- only a comment"}) {
    auto a = ParseAlter(sql);
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << sql;
  }
}

TEST(ParseAlter, RefusesIgnoreRenameTableAndExecutableComments) {
  EXPECT_FALSE(ParseAlter("ALTER IGNORE TABLE t ADD UNIQUE KEY (a)").ok());
  EXPECT_FALSE(ParseAlter("ALTER TABLE t RENAME TO u").ok());
  EXPECT_FALSE(ParseAlter("ALTER TABLE t RENAME u").ok());
  EXPECT_FALSE(ParseAlter("ALTER TABLE t ADD COLUMN c INT /*!50000 , DROP COLUMN d */").ok());
  EXPECT_TRUE(ParseAlter("ALTER TABLE t RENAME INDEX a TO b").ok());
}

TEST(ParseAlter, FollowsColumnRenames) {
  auto a = ParseAlter(
      "ALTER TABLE t CHANGE COLUMN `old` `new` INT, RENAME COLUMN x TO y, "
      "CHANGE same same BIGINT, MODIFY z TEXT");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->renamed_columns.size(), 2u);
  EXPECT_EQ(a->renamed_columns["old"], "new");
  EXPECT_EQ(a->renamed_columns["x"], "y");
}

TEST(ParseChange, ReadsCreateAndDropTable) {
  auto c = ParseChange(
      "CREATE TABLE `shop`.`audit` (id BIGINT PRIMARY KEY, at DATETIME(6)) ENGINE=InnoDB;");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kind, ChangeKind::kCreate);
  EXPECT_EQ(c->schema_name, "shop");
  EXPECT_EQ(c->table_name, "audit");
  EXPECT_EQ(c->create_body, "(id BIGINT PRIMARY KEY, at DATETIME(6)) ENGINE=InnoDB");
  auto d = ParseChange("drop table old_stuff");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, ChangeKind::kDrop);
  EXPECT_EQ(d->table_name, "old_stuff");
  auto a = ParseChange("ALTER TABLE t ADD COLUMN x INT");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kind, ChangeKind::kAlter);
  EXPECT_EQ(a->alter.spec, "ADD COLUMN x INT");
  // Generated columns use AS inside the definition: still a plain CREATE.
  EXPECT_TRUE(ParseChange("CREATE TABLE g (a INT PRIMARY KEY, b INT AS (a + 1))").ok());
}

TEST(ParseChange, RefusesCreatesAndDropsThatHideWork) {
  for (const char* sql :
       {"CREATE TABLE t SELECT * FROM u", "CREATE TABLE t (id INT) AS SELECT 1",
        "CREATE OR REPLACE TABLE t (id INT)", "CREATE TEMPORARY TABLE t (id INT)",
        "CREATE TABLE IF NOT EXISTS t (id INT)", "DROP TABLE t, u", "DROP TABLE IF EXISTS t",
        "DROP TEMPORARY TABLE t", "CREATE TABLE t", "DROP TABLE t; DROP TABLE u"}) {
    auto c = ParseChange(sql);
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << sql;
  }
}

TEST(ChunkSizer, GrowsTowardTheTargetAtMostDoubling) {
  ChunkSizer sizer(500, 1000, 10, 100000);
  sizer.Observe(1000, 50);  // 10× too fast
  EXPECT_EQ(sizer.rows(), 2000);
  sizer.Observe(2000, 100);
  EXPECT_EQ(sizer.rows(), 4000);
}

TEST(ChunkSizer, ShrinksWhenChunksAreSlowAndStaysWithinBounds) {
  ChunkSizer sizer(500, 1000, 100, 1500);
  sizer.Observe(1000, 5000);  // 10× too slow: halve at most
  EXPECT_EQ(sizer.rows(), 500);
  sizer.Observe(500, 500);
  EXPECT_EQ(sizer.rows(), 500);
  for (int i = 0; i < 10; ++i) sizer.Observe(sizer.rows(), 1);
  EXPECT_EQ(sizer.rows(), 1500);
  for (int i = 0; i < 10; ++i) sizer.Observe(sizer.rows(), 100000);
  EXPECT_EQ(sizer.rows(), 100);
}

TEST(ResumeState, RoundTripsBinaryKeysAndPositions) {
  ResumeState s;
  s.position = {"binlog.000007", 1234, "0-1-99"};
  TableResumeState t;
  t.schema_name = "db";
  t.table_name = "t";
  t.copy.started = true;
  t.copy.watermark = Key{db::SqlValue::Text("a\"b"), db::SqlValue::Bytes(std::string("\0\xff", 2))};
  t.copy.end = Key{db::SqlValue::Text("z"), db::SqlValue::Bytes("q")};
  t.copy.rows_copied = 42;
  t.deferred_indexes = {"KEY `k` (`k`)", "KEY `a``b` (`c`(8)) COMMENT 'x'"};
  s.tables.push_back(t);
  auto back = DecodeResumeState(EncodeResumeState(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->position, s.position);
  ASSERT_EQ(back->tables.size(), 1u);
  EXPECT_EQ(back->tables[0].copy.watermark, t.copy.watermark);
  EXPECT_EQ(back->tables[0].copy.end, t.copy.end);
  EXPECT_EQ(back->tables[0].copy.rows_copied, 42);
  EXPECT_FALSE(back->tables[0].copy.done);
  EXPECT_EQ(back->tables[0].deferred_indexes, t.deferred_indexes);
}

TEST(DeferredIndexes, TakesOnlyPlainSecondaryKeysVerbatimFromShowCreateTable) {
  const std::string create =
      "CREATE TABLE `t` (\n"
      "  `id` int(11) NOT NULL,\n"
      "  `v` int(11) DEFAULT NULL,\n"
      "  `s` varchar(64) DEFAULT NULL,\n"
      "  `doc` text DEFAULT NULL,\n"
      "  PRIMARY KEY (`id`),\n"
      "  UNIQUE KEY `uv` (`v`),\n"
      "  KEY `kv` (`v`),\n"
      "  KEY `odd``name` (`s`(8),`v` DESC) COMMENT 'prefix, desc',\n"
      "  FULLTEXT KEY `ft` (`doc`),\n"
      "  KEY `last` (`s`) IGNORED\n"
      ") ENGINE=InnoDB DEFAULT CHARSET=latin1";
  std::vector<std::string> clauses = PlainIndexClauses(create);
  ASSERT_EQ(clauses.size(), 3u);
  EXPECT_EQ(clauses[0], "KEY `kv` (`v`)");
  EXPECT_EQ(clauses[1], "KEY `odd``name` (`s`(8),`v` DESC) COMMENT 'prefix, desc'");
  EXPECT_EQ(clauses[2], "KEY `last` (`s`) IGNORED");
  EXPECT_EQ(IndexName(clauses[0]), "kv");
  EXPECT_EQ(IndexName(clauses[1]), "odd`name");
  EXPECT_EQ(IndexName("KEY nothing quoted"), "");
}

TEST(DeferredIndexes, IndexPartsReadColumnsAndPrefixesOfAClause) {
  auto parts = IndexParts("KEY `odd``name` (`s`(8),`v` DESC,`a``b`) COMMENT 'x (y)'");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].column, "s");
  EXPECT_EQ(parts[0].prefix, 8);
  EXPECT_EQ(parts[1].column, "v");
  EXPECT_EQ(parts[1].prefix, 0);
  EXPECT_EQ(parts[2].column, "a`b");
  EXPECT_TRUE(IndexParts("KEY nothing quoted").empty());
}

// The sysbench table in utf8mb4: id and k INT (8 bytes each by the estimate), c
// CHAR(120) and pad CHAR(60) at 4 bytes a character: 736 bytes a row.
TableInfo Sysbench() {
  TableInfo t;
  auto column = [](const std::string& name, int64_t chars) {
    ColumnInfo c;
    c.name = name;
    if (chars > 0) {
      c.max_bytes = chars * 4;
      c.bytes_per_char = 4;
    }
    return c;
  };
  t.columns = {column("id", 0), column("k", 0), column("c", 120), column("pad", 60)};
  t.key_columns = {"id"};
  return t;
}

TEST(DeferredIndexes, TheBuildShareWeighsEachIndexEntryAgainstARow) {
  TableInfo t = Sysbench();
  EXPECT_EQ(DeferredBuildShare(t, {}), 0);
  // An entry of k: k and the key id, 16 of 736 bytes.
  EXPECT_NEAR(DeferredBuildShare(t, {"KEY `k_1` (`k`)"}), 16.0 / 736, 1e-9);
  // c: 480 + 8 bytes; with k, the sum.
  EXPECT_NEAR(DeferredBuildShare(t, {"KEY `k_1` (`k`)", "KEY `idx_c` (`c`)"}), (16.0 + 488) / 736,
              1e-9);
  // A prefix counts its characters' bytes only; an unknown column nothing.
  EXPECT_NEAR(DeferredBuildShare(t, {"KEY `p` (`c`(10),`gone`)"}), (40.0 + 8) / 736, 1e-9);
}

TEST(ResumeState, RoundTripsTheRevertWindow) {
  ResumeState s;
  s.position = {"binlog.000007", 1234, ""};
  s.stage = EngineStage::kSwapped;
  s.reverse_position = {"binlog.000008", 99, ""};
  s.revert_error = "revert unavailable: x";
  auto back = DecodeResumeState(EncodeResumeState(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->stage, EngineStage::kSwapped);
  EXPECT_EQ(back->reverse_position, s.reverse_position);
  EXPECT_EQ(back->revert_error, s.revert_error);
  EXPECT_FALSE(back->instant);
  s.stage = EngineStage::kFinished;
  s.instant = true;
  s.instant_definition = "0123456789abcdef";
  back = DecodeResumeState(EncodeResumeState(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stage, EngineStage::kFinished);
  EXPECT_TRUE(back->instant);
  EXPECT_EQ(back->instant_definition, "0123456789abcdef");
}

TEST(ResumeState, ReadsAVersionOneCheckpoint) {
  auto v1 =
      DecodeResumeState(R"({"engine":"mysql","version":1,"binlog":{"file":"f.000001","offset":4},)"
                        R"("swapped":true,"tables":[]})");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->stage, EngineStage::kSwapped);
  EXPECT_TRUE(v1->reverse_position.empty());
}

TEST(ResumeState, RefusesForeignOrMalformedText) {
  EXPECT_EQ(DecodeResumeState("{}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeResumeState("not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeResumeState(R"({"engine":"mysql","version":1,"binlog":{"file":"f","offset":1},)"
                              R"("tables":[{"schema":1,"table":"t","watermark":null,"end":null}]})")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(SqlText, KeyRangeIsLexicographicOverCompositeKeys) {
  Predicate p = KeyRange({"a", "b"}, Key{db::SqlValue::Int(1), db::SqlValue::Int(2)},
                         Key{db::SqlValue::Int(3), db::SqlValue::Int(4)});
  EXPECT_EQ(p.sql,
            "((`a` > ?) OR (`a` = ? AND `b` > ?)) AND ((`a` < ?) OR (`a` = ? AND `b` <= ?))");
  EXPECT_EQ(p.params.size(), 6u);
  EXPECT_EQ(KeyRange({"a"}, std::nullopt, std::nullopt).sql, "1");
}

TEST(SqlText, SplitBatchUsesFewDistinctSizes) {
  size_t total = 0;
  for (size_t n : SplitBatch(1000)) total += n;
  EXPECT_EQ(total, 1000u);
  EXPECT_EQ(SplitBatch(5), (std::vector<size_t>{4, 1}));
}

TEST(SqlText, ValueExpressionsConvertCharsetsWhereTheColumnsDiffer) {
  EXPECT_EQ(RowPlaceholders({"?", "CONVERT(? USING latin1)"}, 2),
            "(?, CONVERT(? USING latin1)), (?, CONVERT(? USING latin1))");
  EXPECT_EQ(KeyIn({"k"}, {"CONVERT(? USING latin1)"}, 2),
            "`k` IN (CONVERT(? USING latin1), CONVERT(? USING latin1))");
  EXPECT_EQ(KeyIn({"a", "b"}, 1), "(`a` = ? AND `b` = ?)");
}

TEST(Position, OrdersFilesByNumberThenOffset) {
  EXPECT_LT(ComparePositions({"binlog.000009", 900, ""}, {"binlog.000010", 4, ""}), 0);
  EXPECT_GT(ComparePositions({"binlog.000010", 5, ""}, {"binlog.000010", 4, ""}), 0);
  EXPECT_EQ(ComparePositions({"binlog.000010", 5, "x"}, {"binlog.000010", 5, ""}), 0);
}

TEST(TableNames, StayWithinSixtyFourCharacters) {
  std::string long_name(64, 'x');
  EXPECT_EQ(ShadowTableName("t"), "t_ordo_new");
  EXPECT_EQ(OldTableName("t"), "t_ordo_old");
  EXPECT_LE(ShadowTableName(long_name).size(), 64u);
  EXPECT_NE(ShadowTableName(long_name), OldTableName(long_name));
}

TEST(TableNames, BackupAndCheckNamesExtendTheTableName) {
  EXPECT_EQ(CheckTableName("t"), "t_ordo_chk");
  EXPECT_EQ(BackupTableName("t", "20261127101500"), "t_ordo_bak_20261127101500");
  EXPECT_LE(BackupTableName(std::string(64, 'y'), "20261127101500").size(), 64u);
}

TEST(TargetFence, KeysAnOperationByIdOrBySortedTables) {
  EXPECT_EQ(TargetFence::KeyFor("op-7", {{"s", "b"}}), "op-7");
  EXPECT_EQ(TargetFence::KeyFor("", {{"s", "b"}, {"s", "a"}}), "s.a,s.b");
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 40; ++i) many.emplace_back("schema", "table_" + std::to_string(i));
  std::string key = TargetFence::KeyFor("", many);
  EXPECT_LE(key.size(), 191u);
  EXPECT_NE(key, TargetFence::KeyFor("", {{"schema", "table_0"}}));
}

TEST(BufferPoolNotice, NamesThePoolAndTheTablesWhenTheyDoNotFitTwice) {
  std::string notice = BufferPoolNotice(256 << 20, {{"`shop`.`orders`", 240 << 20}});
  EXPECT_NE(notice.find("buffer pool (256 MiB)"), std::string::npos) << notice;
  EXPECT_NE(notice.find("`shop`.`orders` 240 MiB"), std::string::npos) << notice;
  // Two tables fit alone, not together.
  EXPECT_NE(BufferPoolNotice(1 << 30, {{"`a`.`t`", 300 << 20}, {"`a`.`u`", 300 << 20}}), "");
}

TEST(BufferPoolNotice, SaysNothingWhenEveryTableFitsTwiceOrSizesAreUnknown) {
  EXPECT_EQ(BufferPoolNotice(1 << 30, {{"`shop`.`orders`", 240 << 20}}), "");
  EXPECT_EQ(BufferPoolNotice(512 << 20, {{"`shop`.`orders`", 256 << 20}}), "");  // exactly twice
  EXPECT_EQ(BufferPoolNotice(256 << 20, {{"`shop`.`orders`", 0}}), "");
  EXPECT_EQ(BufferPoolNotice(0, {{"`shop`.`orders`", 240 << 20}}), "");
  EXPECT_EQ(BufferPoolNotice(256 << 20, {}), "");
}

}  // namespace
}  // namespace ordo::engine

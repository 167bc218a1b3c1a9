// Applier against a real server, fed hand-made RowChanges: application by key,
// idempotent replay, column mapping, composite and text keys, lossy changes.
#include <gtest/gtest.h>

#include "engine/mysql/applier.h"
#include "engine/mysql/mysql_engine.h"
#include "engine_test_support.h"

namespace ordo::engine {
namespace {

RowChange Insert(const std::string& db, std::vector<db::SqlValue> after) {
  return {RowChange::Kind::kInsert, db, "t", {}, std::move(after)};
}
RowChange Update(const std::string& db, std::vector<db::SqlValue> before,
                 std::vector<db::SqlValue> after) {
  return {RowChange::Kind::kUpdate, db, "t", std::move(before), std::move(after)};
}
RowChange Delete(const std::string& db, std::vector<db::SqlValue> before) {
  return {RowChange::Kind::kDelete, db, "t", std::move(before), {}};
}

BinlogEvent Rows(std::vector<RowChange> rows, uint64_t offset) {
  BinlogEvent e;
  e.kind = BinlogEvent::Kind::kRows;
  e.rows = std::move(rows);
  e.position = {"binlog.000001", offset, ""};
  return e;
}
BinlogEvent Commit(uint64_t offset) {
  BinlogEvent e;
  e.kind = BinlogEvent::Kind::kCommit;
  e.position = {"binlog.000001", offset, ""};
  return e;
}
// A statement event (`sql` run in `schema`).
BinlogEvent Statement(std::string sql, std::string schema, uint64_t offset) {
  BinlogEvent e;
  e.kind = BinlogEvent::Kind::kDdl;
  e.query = std::move(sql);
  e.query_schema = std::move(schema);
  e.position = {"binlog.000001", offset, ""};
  return e;
}
// How much `applier`'s statements_consumed() grows by consuming `event`.
int64_t StatementsCounted(ordo::engine::Applier& applier, const BinlogEvent& event) {
  int64_t before = applier.statements_consumed();
  applier.Consume(event);
  return applier.statements_consumed() - before;
}

db::SqlValue I(int64_t v) { return db::SqlValue::Int(v); }
db::SqlValue B(const std::string& s) { return db::SqlValue::Bytes(s); }

db::SqlRow R(std::initializer_list<const char*> cells) {
  db::SqlRow r;
  for (const char* c : cells) r.push_back(c ? std::optional<std::string>(c) : std::nullopt);
  return r;
}

// Each test's table t (its definition given), its shadow t_ordo_new (t altered by a
// specification given), the plan between them, and a connection as the engine makes
// them for the applier to write through.
class Applier : public testing::EngineTest {
 protected:
  Status Make(const std::string& create, const std::string& alter_spec) {
    ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(server_->Dsn(db_)));
    ORDO_ASSIGN_OR_RETURN(applier_conn_, db::MysqlConnection::Connect(dsn, EngineConnectOptions()));
    ORDO_RETURN_IF_ERROR(testing::Run(*applier_conn_, create));
    ORDO_RETURN_IF_ERROR(testing::Run(*applier_conn_, "CREATE TABLE t_ordo_new LIKE t"));
    ORDO_RETURN_IF_ERROR(testing::Run(*applier_conn_, "ALTER TABLE t_ordo_new " + alter_spec));
    ORDO_ASSIGN_OR_RETURN(TableInfo src, LoadTableInfo(*applier_conn_, db_, "t"));
    ORDO_ASSIGN_OR_RETURN(TableInfo dst, LoadTableInfo(*applier_conn_, db_, "t_ordo_new"));
    ORDO_ASSIGN_OR_RETURN(AlterStatement alter, ParseAlter("ALTER TABLE t " + alter_spec));
    ORDO_ASSIGN_OR_RETURN(TablePlan plan, BuildTablePlan(std::move(src), std::move(dst), alter));
    plan_ = std::make_unique<TablePlan>(std::move(plan));
    return Status::Ok();
  }

  // The shadow's rows: `cols`, sorted by `order`.
  std::vector<db::SqlRow> Shadow(const std::string& cols, const std::string& order) {
    auto rows = DumpOf("t_ordo_new", cols, order);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<db::SqlRow>{};
  }

  std::unique_ptr<db::MysqlConnection> applier_conn_;
  std::unique_ptr<TablePlan> plan_;
};

TEST_F(Applier, AppliesInsertsUpdatesAndDeletesByKeyMappingColumns) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10), b INT)",
                      "DROP COLUMN b, ADD COLUMN c INT NOT NULL DEFAULT 7"));
  ordo::engine::Applier applier({plan_.get()});
  applier.Start({"binlog.000001", 4, ""});
  std::string db = db_;
  applier.Consume(Rows({Insert(db, {I(1), B("x"), I(5)}), Insert(db, {I(2), B("y"), I(6)})}, 100));
  applier.Consume(Commit(120));
  applier.Consume(
      Rows({Update(db, {I(1), B("x"), I(5)}, {I(1), B("z"), I(5)}),
            Delete(db, {I(2), B("y"), I(6)}), Insert(db, {I(3), db::SqlValue::Null(), I(0)})},
           200));
  applier.Consume(Commit(220));
  ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
  EXPECT_EQ(Shadow("id, a, c", "id"),
            (std::vector<db::SqlRow>{R({"1", "z", "7"}), R({"3", nullptr, "7"})}));
  EXPECT_EQ(applier.applied_position().offset, 220u);
  EXPECT_EQ(applier.rows_applied(), 3);
}

TEST_F(Applier, ReplayingAnAppliedSuffixIsHarmless) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10))", "ADD INDEX (a)"));
  std::string db = db_;
  std::vector<BinlogEvent> stream = {
      Rows({Insert(db, {I(1), B("a")}), Insert(db, {I(2), B("b")})}, 10),
      Commit(20),
      Rows({Update(db, {I(1), B("a")}, {I(1), B("aa")}), Delete(db, {I(2), B("b")})}, 30),
      Commit(40),
      Rows({Insert(db, {I(2), B("again")})}, 50),
      Commit(60)};
  for (size_t from : {0u, 2u, 4u, 0u}) {  // the whole stream, then suffixes, then again
    ordo::engine::Applier applier({plan_.get()});
    for (size_t i = from; i < stream.size(); ++i) applier.Consume(stream[i]);
    ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
    EXPECT_EQ(Shadow("id, a", "id"), (std::vector<db::SqlRow>{R({"1", "aa"}), R({"2", "again"})}))
        << "replay from event " << from;
  }
}

TEST_F(Applier, HandlesCompositeTextKeysAndKeyChanges) {
  ORDO_ASSERT_OK(
      Make("CREATE TABLE t (region VARCHAR(8), n BIGINT, v INT, PRIMARY KEY (region, n))",
           "MODIFY v BIGINT"));
  std::string db = db_;
  ordo::engine::Applier applier({plan_.get()});
  applier.Consume(Rows({Insert(db, {B("eu"), I(1), I(10)}), Insert(db, {B("us"), I(1), I(20)}),
                        Insert(db, {B("eu"), I(2), I(30)})},
                       10));
  applier.Consume(Commit(20));
  // Moves (eu,2) to (asia,2): the old key disappears, the new one holds the row.
  applier.Consume(Rows({Update(db, {B("eu"), I(2), I(30)}, {B("asia"), I(2), I(31)})}, 30));
  applier.Consume(Commit(40));
  ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
  EXPECT_EQ(Shadow("region, n, v", "region, n"),
            (std::vector<db::SqlRow>{R({"asia", "2", "31"}), R({"eu", "1", "10"}),
                                     R({"us", "1", "20"})}));
}

TEST_F(Applier, FollowsRenamedColumns) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, old_name INT, gone INT)",
                      "CHANGE old_name new_name INT, DROP COLUMN gone"));
  ordo::engine::Applier applier({plan_.get()});
  applier.Consume(Rows({Insert(db_, {I(1), I(42), I(9)})}, 10));
  applier.Consume(Commit(20));
  ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
  EXPECT_EQ(Shadow("id, new_name", "id"), (std::vector<db::SqlRow>{R({"1", "42"})}));
}

TEST_F(Applier, LeavesOpenTransactionsAndOtherTablesAlone) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY)", "ADD COLUMN x INT"));
  ordo::engine::Applier applier({plan_.get()});
  RowChange other = Insert(db_, {I(5)});
  other.table_name = "t_ordo_new";  // ordo's own shadow writes come back in the stream
  applier.Consume(Rows({other}, 10));
  applier.Consume(Commit(20));
  applier.Consume(Rows({Insert(db_, {I(1)})}, 30));  // no commit yet
  ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
  EXPECT_TRUE(Shadow("id", "id").empty());
  EXPECT_EQ(applier.applied_position().offset, 20u);
}

TEST_F(Applier, CountsStatementsItCannotApplyButNotRowsEventsNorItsOwnShadowAlters) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY)", "ADD COLUMN x INT"));
  ordo::engine::Applier applier({plan_.get()});
  auto statement = [this](std::string sql, uint64_t offset) {
    return Statement(std::move(sql), db_, offset);
  };
  RowChange other = Insert(db_, {I(5)});
  other.table_name = "t_ordo_new";  // the copy's own writes
  applier.Consume(Rows({other}, 10));
  applier.Consume(Commit(20));
  applier.Consume(
      statement("ALTER TABLE `" + db_ + "`.`t_ordo_new` ADD INDEX k (x), ALGORITHM=INPLACE", 30));
  EXPECT_EQ(applier.statements_consumed(), 0);
  // The table's rows events reach the shadow through the applier itself.
  applier.Consume(Rows({Insert(db_, {I(1)})}, 40));
  applier.Consume(Commit(50));
  EXPECT_EQ(applier.statements_consumed(), 0);
  // A statement-format change of the table carries no rows events.
  applier.Consume(statement("UPDATE t SET id = id + 10", 60));
  EXPECT_EQ(applier.statements_consumed(), 1);
  applier.Consume(statement("TRUNCATE TABLE t", 70));
  EXPECT_EQ(applier.statements_consumed(), 2);
}

TEST_F(Applier, OrdosOwnDdlOfAnyOperationsTablesIsNotCountedButAnyOtherStatementIs) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY)", "ADD COLUMN x INT"));
  ordo::engine::Applier applier({plan_.get()});
  uint64_t offset = 0;
  auto count_of = [&](const std::string& sql) {
    return StatementsCounted(applier, Statement(sql, db_, offset += 10));
  };
  const std::string q = "`" + db_ + "`.";
  // Another operation's, of another table of the schema.
  EXPECT_EQ(count_of("CREATE TABLE " + q + "`u_ordo_new` LIKE " + q + "`u`"), 0);
  EXPECT_EQ(count_of("ALTER TABLE " + q + "`u_ordo_new` ADD COLUMN y INT"), 0);
  EXPECT_EQ(count_of("CREATE TABLE " + q + "`u_ordo_own` (`table` VARCHAR(64)) SELECT 1"), 0);
  EXPECT_EQ(count_of("DROP TABLE IF EXISTS " + q + "`u_ordo_chk` /* generated by server */"), 0);
  EXPECT_EQ(count_of("DROP TABLE " + q + "`u_ordo_old`"), 0);
  EXPECT_EQ(count_of("DROP TABLE IF EXISTS `u_ordo_new` /* generated by server */"), 0);
  EXPECT_EQ(count_of("SET STATEMENT lock_wait_timeout=86400 FOR ALTER TABLE " + q +
                     "`t_ordo_new` ADD KEY `v` (`v`), ALGORITHM=INPLACE, LOCK=NONE"),
            0);
  EXPECT_EQ(count_of("SET STATEMENT max_statement_time=1 FOR UPDATE t SET id = id + 1"), 1);
  // A rename can move a table under the operation's name; several tables, another
  // form or a user's table are not ordo's alone.
  EXPECT_EQ(count_of("ALTER TABLE " + q + "`u_ordo_new` RENAME TO `" + db_ + "`.`t`"), 1);
  EXPECT_EQ(count_of("DROP TABLE " + q + "`u_ordo_old`, `" + db_ + "`.`t`"), 1);
  EXPECT_EQ(count_of("drop table " + db_ + ".u_ordo_old"), 1);
  EXPECT_EQ(count_of("CREATE TABLE " + q + "`u` (id INT)"), 1);
  EXPECT_EQ(count_of("RENAME TABLE `" + db_ + "`.`t` TO `" + db_ + "`.`t_ordo_old`"), 1);
  EXPECT_EQ(count_of("INSERT INTO " + q + "`u_ordo_new` SELECT * FROM `" + db_ + "`.`t`"), 1);
}

TEST_F(Applier, DdlOfOtherSchemasOnlyIsNotCounted) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY)", "ADD COLUMN x INT"));
  ordo::engine::Applier applier({plan_.get()});
  uint64_t offset = 0;
  auto count_of = [&](const std::string& sql, const std::string& schema) {
    return StatementsCounted(applier, Statement(sql, schema, offset += 10));
  };
  EXPECT_EQ(count_of("CREATE TABLE t (id INT PRIMARY KEY)", "other"), 0);
  EXPECT_EQ(count_of("TRUNCATE TABLE t", "other"), 0);
  EXPECT_EQ(count_of("DROP DATABASE other", ""), 0);
  // Run in the operation's schema, naming it, or with a SELECT that could call a
  // function writing anywhere; and any statement that is not DDL.
  EXPECT_EQ(count_of("TRUNCATE TABLE t", db_), 1);
  EXPECT_EQ(count_of("TRUNCATE TABLE `" + db_ + "`.t", "other"), 1);
  EXPECT_EQ(count_of("RENAME TABLE other.t TO " + db_ + ".t", ""), 1);
  EXPECT_EQ(count_of("CREATE TABLE u SELECT f()", "other"), 1);
  EXPECT_EQ(count_of("UPDATE u SET id = id + 1", "other"), 1);
}

TEST_F(Applier, DuplicateOnANewUniqueKeyIsDataLossNamingTheValue) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, email VARCHAR(20))",
                      "ADD UNIQUE KEY uk_email (email)"));
  ordo::engine::Applier applier({plan_.get()});
  applier.Consume(Rows({Insert(db_, {I(1), B("a@x")}), Insert(db_, {I(2), B("a@x")})}, 10));
  applier.Consume(Commit(20));
  Status s = applier.Flush(*applier_conn_);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("a@x"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("uk_email"), std::string::npos) << s.message();
  EXPECT_TRUE(Shadow("id", "id").empty());  // nothing half-applied
}

TEST_F(Applier, NullIntoNotNullIsDataLoss) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "MODIFY v INT NOT NULL"));
  ordo::engine::Applier applier({plan_.get()});
  applier.Consume(Rows({Insert(db_, {I(1), db::SqlValue::Null()})}, 10));
  applier.Consume(Commit(20));
  EXPECT_EQ(applier.Flush(*applier_conn_).code(), StatusCode::kDataLoss);
}

TEST_F(Applier, DeletesOvertakenByAChunkAreReappliedWhenTheChunkEnds) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "ADD COLUMN w INT"));
  ordo::engine::Applier applier({plan_.get()});
  uint64_t chunk = applier.BeginChunk();
  // Row 1 was deleted from the source after the chunk's snapshot; the delete is
  // applied first (nothing to delete yet) and the chunk then stores the stale row.
  applier.Consume(Rows({Delete(db_, {I(1), I(10)})}, 10));
  applier.Consume(Commit(20));
  ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
  EXPECT_EQ(applier.SafeResumePosition().offset, 0u);  // the chunk's start bounds replay
  ASSERT_TRUE(testing::Run(*applier_conn_,
                           "INSERT INTO t_ordo_new (id, v) VALUES (1, 10), (2, 20);"
                           "INSERT INTO t VALUES (2, 20)")
                  .ok());
  applier.EndChunk(chunk);
  EXPECT_FALSE(applier.ChunksSettled());
  ASSERT_TRUE(applier.Flush(*applier_conn_).ok());
  EXPECT_TRUE(applier.ChunksSettled());
  EXPECT_EQ(Shadow("id, v", "id"), (std::vector<db::SqlRow>{R({"2", "20"})}));
  EXPECT_EQ(applier.SafeResumePosition().offset, 20u);
}

TEST_F(Applier, ABatchSpreadOverSessionsAppliesEveryKeyAndSettlesItsChunks) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, v INT)", "ADD INDEX (v)"));
  auto second = NewConnection();
  auto third = NewConnection();
  ASSERT_TRUE(second.ok() && third.ok());
  ordo::engine::Applier applier({plan_.get()});
  applier.Start({"binlog.000001", 4, ""});
  uint64_t chunk = applier.BeginChunk();
  // 3,000 inserts; then every third row updated and every fifth deleted; row 0 was
  // deleted after a chunk's snapshot that then stores it (its fix-up).
  std::vector<RowChange> inserts, changes;
  for (int i = 1; i <= 3000; ++i) inserts.push_back(Insert(db_, {I(i), I(i)}));
  for (int i = 1; i <= 3000; ++i) {
    if (i % 5 == 0)
      changes.push_back(Delete(db_, {I(i), I(i)}));
    else if (i % 3 == 0)
      changes.push_back(Update(db_, {I(i), I(i)}, {I(i), I(-i)}));
  }
  changes.push_back(Delete(db_, {I(0), I(0)}));
  applier.Consume(Rows(inserts, 10));
  applier.Consume(Commit(20));
  applier.Consume(Rows(changes, 30));
  applier.Consume(Commit(40));
  ASSERT_TRUE(testing::Run(*applier_conn_, "INSERT INTO t_ordo_new VALUES (0, 0)").ok());
  applier.EndChunk(chunk);
  Status s = applier.FlushParallel({applier_conn_.get(), second->get(), third->get()});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(applier.ChunksSettled());
  EXPECT_EQ(applier.applied_position().offset, 40u);
  EXPECT_EQ(applier.rows_applied(), 3001);
  EXPECT_EQ(applier.pending_rows(), 0u);
  std::vector<db::SqlRow> expected;
  for (int i = 1; i <= 3000; ++i) {
    if (i % 5 == 0) continue;
    std::string v = std::to_string(i % 3 == 0 ? -i : i);
    expected.push_back(db::SqlRow{std::to_string(i), v});
  }
  EXPECT_EQ(Shadow("id, v", "id"), expected);
}

TEST_F(Applier, ATableWithASecondUniqueKeyIsNotSpreadSoAValueMovingBetweenRowsApplies) {
  ORDO_ASSERT_OK(Make("CREATE TABLE t (id INT PRIMARY KEY, u INT)", "ADD UNIQUE KEY uk_u (u)"));
  auto second = NewConnection();
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(
      testing::Run(*applier_conn_, "INSERT INTO t_ordo_new SELECT seq, seq FROM seq_1_to_2000")
          .ok());
  // Each of rows 1..2000 hands its value on to row id + 2000: the delete must reach the
  // server before the insert that reuses the value, whichever sessions hold them.
  ordo::engine::Applier applier({plan_.get()});
  std::vector<RowChange> moves;
  for (int i = 1; i <= 2000; ++i) {
    moves.push_back(Delete(db_, {I(i), I(i)}));
    moves.push_back(Insert(db_, {I(i + 2000), I(i)}));
  }
  applier.Consume(Rows(moves, 10));
  applier.Consume(Commit(20));
  Status s = applier.FlushParallel({applier_conn_.get(), second->get()});
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto rows = Shadow("COUNT(*), MIN(id), MIN(u), MAX(u)", "1");
  EXPECT_EQ(rows, (std::vector<db::SqlRow>{R({"2000", "2001", "1", "2000"})}));
}

}  // namespace
}  // namespace ordo::engine

// Applier against a real server, fed hand-made RowChanges: application by key,
// idempotent replay, column mapping, composite and text keys, lossy changes.
#include <gtest/gtest.h>

#include "engine/mysql/applier.h"
#include "engine/mysql/mysql_engine.h"
#include "engine_test_support.h"

namespace ordo {
namespace {

using testing::Connect;
using testing::Dump;

struct Fixture {
  std::string db;
  std::unique_ptr<MysqlConnection> conn;
  std::unique_ptr<TablePlan> plan;
};

// Creates `table` with `create`, its shadow with `alter_spec`, and the plan.
Result<Fixture> Make(testing::MariaDbServer* server, const std::string& create,
                     const std::string& alter_spec) {
  Fixture f;
  ORDO_ASSIGN_OR_RETURN(f.db, testing::NewDatabase(server));
  ORDO_ASSIGN_OR_RETURN(Dsn dsn, ParseDsn(server->Dsn(f.db)));
  ORDO_ASSIGN_OR_RETURN(f.conn, MysqlConnection::Connect(dsn, EngineConnectOptions()));
  ORDO_RETURN_IF_ERROR(testing::Run(*f.conn, create));
  ORDO_RETURN_IF_ERROR(testing::Run(*f.conn, "CREATE TABLE t_ordo_new LIKE t"));
  ORDO_RETURN_IF_ERROR(testing::Run(*f.conn, "ALTER TABLE t_ordo_new " + alter_spec));
  ORDO_ASSIGN_OR_RETURN(TableInfo src, LoadTableInfo(*f.conn, f.db, "t"));
  ORDO_ASSIGN_OR_RETURN(TableInfo dst, LoadTableInfo(*f.conn, f.db, "t_ordo_new"));
  ORDO_ASSIGN_OR_RETURN(AlterStatement alter, ParseAlter("ALTER TABLE t " + alter_spec));
  ORDO_ASSIGN_OR_RETURN(TablePlan plan, BuildTablePlan(std::move(src), std::move(dst), alter));
  f.plan = std::make_unique<TablePlan>(std::move(plan));
  return f;
}

RowChange Insert(const std::string& db, std::vector<SqlValue> after) {
  return {RowChange::Kind::kInsert, db, "t", {}, std::move(after)};
}
RowChange Update(const std::string& db, std::vector<SqlValue> before, std::vector<SqlValue> after) {
  return {RowChange::Kind::kUpdate, db, "t", std::move(before), std::move(after)};
}
RowChange Delete(const std::string& db, std::vector<SqlValue> before) {
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

SqlValue I(int64_t v) { return SqlValue::Int(v); }
SqlValue B(const std::string& s) { return SqlValue::Bytes(s); }

std::vector<SqlRow> Table(Fixture& f, const std::string& cols, const std::string& order) {
  auto rows = Dump(*f.conn, f.db, "t_ordo_new", cols, order);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? *rows : std::vector<SqlRow>{};
}

SqlRow R(std::initializer_list<const char*> cells) {
  SqlRow r;
  for (const char* c : cells) r.push_back(c ? std::optional<std::string>(c) : std::nullopt);
  return r;
}

TEST(Applier, AppliesInsertsUpdatesAndDeletesByKeyMappingColumns) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10), b INT)",
                "DROP COLUMN b, ADD COLUMN c INT NOT NULL DEFAULT 7");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  applier.Start({"binlog.000001", 4, ""});
  std::string db = f->db;
  applier.Consume(Rows({Insert(db, {I(1), B("x"), I(5)}), Insert(db, {I(2), B("y"), I(6)})}, 100));
  applier.Consume(Commit(120));
  applier.Consume(Rows({Update(db, {I(1), B("x"), I(5)}, {I(1), B("z"), I(5)}),
                        Delete(db, {I(2), B("y"), I(6)}), Insert(db, {I(3), SqlValue::Null(), I(0)})},
                       200));
  applier.Consume(Commit(220));
  ASSERT_TRUE(applier.Flush(*f->conn).ok());
  EXPECT_EQ(Table(*f, "id, a, c", "id"), (std::vector<SqlRow>{R({"1", "z", "7"}), R({"3", nullptr, "7"})}));
  EXPECT_EQ(applier.applied_position().offset, 220u);
  EXPECT_EQ(applier.rows_applied(), 3);
}

TEST(Applier, ReplayingAnAppliedSuffixIsHarmless) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10))", "ADD INDEX (a)");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string db = f->db;
  std::vector<BinlogEvent> stream = {
      Rows({Insert(db, {I(1), B("a")}), Insert(db, {I(2), B("b")})}, 10), Commit(20),
      Rows({Update(db, {I(1), B("a")}, {I(1), B("aa")}), Delete(db, {I(2), B("b")})}, 30), Commit(40),
      Rows({Insert(db, {I(2), B("again")})}, 50), Commit(60)};
  for (size_t from : {0u, 2u, 4u, 0u}) {  // the whole stream, then suffixes, then again
    Applier applier({f->plan.get()});
    for (size_t i = from; i < stream.size(); ++i) applier.Consume(stream[i]);
    ASSERT_TRUE(applier.Flush(*f->conn).ok());
    EXPECT_EQ(Table(*f, "id, a", "id"), (std::vector<SqlRow>{R({"1", "aa"}), R({"2", "again"})}))
        << "replay from event " << from;
  }
}

TEST(Applier, HandlesCompositeTextKeysAndKeyChanges) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (region VARCHAR(8), n BIGINT, v INT, PRIMARY KEY (region, n))",
                "MODIFY v BIGINT");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string db = f->db;
  Applier applier({f->plan.get()});
  applier.Consume(Rows({Insert(db, {B("eu"), I(1), I(10)}), Insert(db, {B("us"), I(1), I(20)}),
                        Insert(db, {B("eu"), I(2), I(30)})},
                       10));
  applier.Consume(Commit(20));
  // Moves (eu,2) to (asia,2): the old key disappears, the new one holds the row.
  applier.Consume(Rows({Update(db, {B("eu"), I(2), I(30)}, {B("asia"), I(2), I(31)})}, 30));
  applier.Consume(Commit(40));
  ASSERT_TRUE(applier.Flush(*f->conn).ok());
  EXPECT_EQ(Table(*f, "region, n, v", "region, n"),
            (std::vector<SqlRow>{R({"asia", "2", "31"}), R({"eu", "1", "10"}), R({"us", "1", "20"})}));
}

TEST(Applier, FollowsRenamedColumns) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, old_name INT, gone INT)",
                "CHANGE old_name new_name INT, DROP COLUMN gone");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  applier.Consume(Rows({Insert(f->db, {I(1), I(42), I(9)})}, 10));
  applier.Consume(Commit(20));
  ASSERT_TRUE(applier.Flush(*f->conn).ok());
  EXPECT_EQ(Table(*f, "id, new_name", "id"), (std::vector<SqlRow>{R({"1", "42"})}));
}

TEST(Applier, LeavesOpenTransactionsAndOtherTablesAlone) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY)", "ADD COLUMN x INT");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  RowChange other = Insert(f->db, {I(5)});
  other.table_name = "t_ordo_new";  // ordo's own shadow writes come back in the stream
  applier.Consume(Rows({other}, 10));
  applier.Consume(Commit(20));
  applier.Consume(Rows({Insert(f->db, {I(1)})}, 30));  // no commit yet
  ASSERT_TRUE(applier.Flush(*f->conn).ok());
  EXPECT_TRUE(Table(*f, "id", "id").empty());
  EXPECT_EQ(applier.applied_position().offset, 20u);
}

TEST(Applier, CountsChangesOfItsTablesAndForeignStatementsButNotItsOwnShadowAlters) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY)", "ADD COLUMN x INT");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  auto statement = [](std::string sql, uint64_t offset) {
    BinlogEvent e;
    e.kind = BinlogEvent::Kind::kDdl;
    e.query = std::move(sql);
    e.position = {"binlog.000001", offset, ""};
    return e;
  };
  RowChange other = Insert(f->db, {I(5)});
  other.table_name = "t_ordo_new";  // the copy's own writes
  applier.Consume(Rows({other}, 10));
  applier.Consume(Commit(20));
  applier.Consume(statement("ALTER TABLE `" + f->db + "`.`t_ordo_new` ADD INDEX k (x), ALGORITHM=INPLACE", 30));
  EXPECT_EQ(applier.changes_consumed(), 0);
  applier.Consume(Rows({Insert(f->db, {I(1)})}, 40));
  EXPECT_EQ(applier.changes_consumed(), 0);  // counted at its commit
  applier.Consume(Commit(50));
  EXPECT_EQ(applier.changes_consumed(), 1);
  // A statement-format change of the table carries no rows events.
  applier.Consume(statement("UPDATE t SET id = id + 10", 60));
  EXPECT_EQ(applier.changes_consumed(), 2);
}

TEST(Applier, DuplicateOnANewUniqueKeyIsDataLossNamingTheValue) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, email VARCHAR(20))",
                "ADD UNIQUE KEY uk_email (email)");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  applier.Consume(Rows({Insert(f->db, {I(1), B("a@x")}), Insert(f->db, {I(2), B("a@x")})}, 10));
  applier.Consume(Commit(20));
  Status s = applier.Flush(*f->conn);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("a@x"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("uk_email"), std::string::npos) << s.message();
  EXPECT_TRUE(Table(*f, "id", "id").empty());  // nothing half-applied
}

TEST(Applier, NullIntoNotNullIsDataLoss) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, v INT)", "MODIFY v INT NOT NULL");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  applier.Consume(Rows({Insert(f->db, {I(1), SqlValue::Null()})}, 10));
  applier.Consume(Commit(20));
  EXPECT_EQ(applier.Flush(*f->conn).code(), StatusCode::kDataLoss);
}

TEST(Applier, DeletesOvertakenByAChunkAreReappliedWhenTheChunkEnds) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, v INT)", "ADD COLUMN w INT");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  Applier applier({f->plan.get()});
  uint64_t chunk = applier.BeginChunk();
  // Row 1 was deleted from the source after the chunk's snapshot; the delete is
  // applied first (nothing to delete yet) and the chunk then stores the stale row.
  applier.Consume(Rows({Delete(f->db, {I(1), I(10)})}, 10));
  applier.Consume(Commit(20));
  ASSERT_TRUE(applier.Flush(*f->conn).ok());
  EXPECT_EQ(applier.SafeResumePosition().offset, 0u);  // the chunk's start bounds replay
  ASSERT_TRUE(testing::Run(*f->conn, "INSERT INTO t_ordo_new (id, v) VALUES (1, 10), (2, 20);"
                            "INSERT INTO t VALUES (2, 20)").ok());
  applier.EndChunk(chunk);
  EXPECT_FALSE(applier.ChunksSettled());
  ASSERT_TRUE(applier.Flush(*f->conn).ok());
  EXPECT_TRUE(applier.ChunksSettled());
  EXPECT_EQ(Table(*f, "id, v", "id"), (std::vector<SqlRow>{R({"2", "20"})}));
  EXPECT_EQ(applier.SafeResumePosition().offset, 20u);
}

TEST(Applier, ABatchSpreadOverSessionsAppliesEveryKeyAndSettlesItsChunks) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, v INT)", "ADD INDEX (v)");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto second = testing::Connect(server, f->db);
  auto third = testing::Connect(server, f->db);
  ASSERT_TRUE(second.ok() && third.ok());
  Applier applier({f->plan.get()});
  applier.Start({"binlog.000001", 4, ""});
  uint64_t chunk = applier.BeginChunk();
  // 3,000 inserts; then every third row updated and every fifth deleted; row 0 was
  // deleted after a chunk's snapshot that then stores it (its fix-up).
  std::vector<RowChange> inserts, changes;
  for (int i = 1; i <= 3000; ++i) inserts.push_back(Insert(f->db, {I(i), I(i)}));
  for (int i = 1; i <= 3000; ++i) {
    if (i % 5 == 0)
      changes.push_back(Delete(f->db, {I(i), I(i)}));
    else if (i % 3 == 0)
      changes.push_back(Update(f->db, {I(i), I(i)}, {I(i), I(-i)}));
  }
  changes.push_back(Delete(f->db, {I(0), I(0)}));
  applier.Consume(Rows(inserts, 10));
  applier.Consume(Commit(20));
  applier.Consume(Rows(changes, 30));
  applier.Consume(Commit(40));
  ASSERT_TRUE(testing::Run(*f->conn, "INSERT INTO t_ordo_new VALUES (0, 0)").ok());
  applier.EndChunk(chunk);
  Status s = applier.FlushParallel({f->conn.get(), second->get(), third->get()});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(applier.ChunksSettled());
  EXPECT_EQ(applier.applied_position().offset, 40u);
  EXPECT_EQ(applier.rows_applied(), 3001);
  EXPECT_EQ(applier.pending_rows(), 0u);
  std::vector<SqlRow> expected;
  for (int i = 1; i <= 3000; ++i) {
    if (i % 5 == 0) continue;
    std::string v = std::to_string(i % 3 == 0 ? -i : i);
    expected.push_back(SqlRow{std::to_string(i), v});
  }
  EXPECT_EQ(Table(*f, "id, v", "id"), expected);
}

TEST(Applier, ATableWithASecondUniqueKeyIsNotSpreadSoAValueMovingBetweenRowsApplies) {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  auto f = Make(server, "CREATE TABLE t (id INT PRIMARY KEY, u INT)", "ADD UNIQUE KEY uk_u (u)");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto second = testing::Connect(server, f->db);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(testing::Run(*f->conn, "INSERT INTO t_ordo_new SELECT seq, seq FROM seq_1_to_2000").ok());
  // Each of rows 1..2000 hands its value on to row id + 2000: the delete must reach the
  // server before the insert that reuses the value, whichever sessions hold them.
  Applier applier({f->plan.get()});
  std::vector<RowChange> moves;
  for (int i = 1; i <= 2000; ++i) {
    moves.push_back(Delete(f->db, {I(i), I(i)}));
    moves.push_back(Insert(f->db, {I(i + 2000), I(i)}));
  }
  applier.Consume(Rows(moves, 10));
  applier.Consume(Commit(20));
  Status s = applier.FlushParallel({f->conn.get(), second->get()});
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto rows = Table(*f, "COUNT(*), MIN(id), MIN(u), MAX(u)", "1");
  EXPECT_EQ(rows, (std::vector<SqlRow>{R({"2000", "2001", "1", "2000"})}));
}

}  // namespace
}  // namespace ordo

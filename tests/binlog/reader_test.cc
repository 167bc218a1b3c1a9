// The binlog reader as a stream: resume positions, filtering, DDL, rotation,
// heartbeats, interruption, lost connections and refusals.
#include <chrono>
#include <thread>

#include "binlog/preflight.h"
#include "ordo/sync_point.h"
#include "test_support.h"

namespace ordo::testing {
namespace {

using Kind = RowChange::Kind;
using std::chrono::milliseconds;
db::SqlValue I(int64_t v) { return db::SqlValue::Int(v); }

using BinlogReaderTest = BinlogTest;

std::vector<int64_t> Ids(const std::vector<RowChange>& rows) {
  std::vector<int64_t> ids;
  for (const auto& r : rows) ids.push_back((r.after.empty() ? r.before : r.after)[0].i);
  return ids;
}

TEST_F(BinlogReaderTest, CommitCarriesTheServersPositionAndGtid) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Insert("t", {I(1)});
  BinlogPosition after_insert = Now();
  auto commit = ReadUntil(
      **reader, [](const BinlogEvent& e) { return e.kind == BinlogEvent::Kind::kCommit; });
  ASSERT_TRUE(commit.ok()) << commit.status().ToString();
  // The test's server sees no other writes: the insert was the binlog's last
  // transaction, so its commit is exactly where SHOW MASTER STATUS and
  // @@gtid_binlog_pos stood afterwards.
  EXPECT_EQ(commit->position, after_insert);
  EXPECT_EQ((*reader)->committed(), commit->position);
  EXPECT_EQ((*reader)->position(), commit->position);
}

TEST_F(BinlogReaderTest, ResumingFromACommitPositionLosesAndRepeatsNothing) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY)");
  BinlogPosition start = Now();
  auto first = OpenReader({"t"}, start);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  for (int id = 1; id <= 3; ++id) Insert("t", {I(id)});
  // Read through the second transaction's commit and remember it.
  auto rows = ReadRowChanges(**first, 2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(Ids(*rows), (std::vector<int64_t>{1, 2}));
  BinlogPosition resume = (*first)->committed();
  first->reset();
  // Written while no reader runs.
  Exec("INSERT INTO " + Table("t") + " VALUES (4), (5)");
  Delete("t", I(1));
  auto second = OpenReader({"t"}, resume);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto rest = ReadRowChanges(**second, 4);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(Ids(*rest), (std::vector<int64_t>{3, 4, 5, 1}));
  EXPECT_EQ((*rest)[3].kind, Kind::kDelete);
}

TEST_F(BinlogReaderTest, UnwatchedTablesAreSkippedWithoutLookingThemUp) {
  Exec("CREATE TABLE " + Table("watched") + " (id INT PRIMARY KEY)");
  Exec("CREATE TABLE " + Table("other") + " (id INT PRIMARY KEY, v VARCHAR(10))");
  auto reader = OpenReader({"watched"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Exec("INSERT INTO " + Table("other") + " VALUES (1, 'a')");
  Exec("START TRANSACTION");
  Exec("INSERT INTO " + Table("other") + " VALUES (2, 'b')");
  Insert("watched", {I(10)});
  Exec("UPDATE " + Table("other") + " SET v = 'c'");
  Exec("COMMIT");
  Insert("watched", {I(11)});
  auto rows = ReadRowChanges(**reader, 2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(Ids(*rows), (std::vector<int64_t>{10, 11}));
  for (const auto& r : *rows) EXPECT_EQ(r.table_name, "watched");
  BinlogReaderStats stats = (*reader)->stats();
  EXPECT_GE(stats.rows_events_skipped, 3u);
  EXPECT_EQ(stats.catalog_lookups, 1);  // the watched table, once for its table_id
}

TEST_F(BinlogReaderTest, DdlIsReportedWithItsSchema) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Exec("ALTER TABLE " + Table("t") + " ADD COLUMN v INT");
  auto ddl = ReadUntil(**reader, [](const BinlogEvent& e) {
    return e.kind == BinlogEvent::Kind::kDdl && e.query.find("ADD COLUMN v") != std::string::npos;
  });
  ASSERT_TRUE(ddl.ok()) << ddl.status().ToString();
  EXPECT_EQ(ddl->query_schema, db_);
  // A DDL statement is a transaction of its own: a safe resume point.
  EXPECT_EQ((*reader)->committed(), ddl->position);
  // Rows after the change decode with the new layout.
  Insert("t", {I(1), I(2)});
  auto rows = ReadRowChanges(**reader, 1);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0].after, (std::vector<db::SqlValue>{I(1), I(2)}));
}

TEST_F(BinlogReaderTest, RotationMovesToTheNextFileAndReadingContinues) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  BinlogPosition before = Now();
  Exec("FLUSH BINARY LOGS");
  auto rotate = ReadUntil(
      **reader, [](const BinlogEvent& e) { return e.kind == BinlogEvent::Kind::kRotate; });
  ASSERT_TRUE(rotate.ok()) << rotate.status().ToString();
  EXPECT_GT(rotate->position.file, before.file);
  EXPECT_EQ(rotate->position.offset, 4u);
  Insert("t", {I(1)});
  auto rows = ReadRowChanges(**reader, 1);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*reader)->committed().file, rotate->position.file);
}

TEST_F(BinlogReaderTest, IdleStreamTimesOutAndThenHeartbeats) {
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  // Drain what is queued, then an idle stream reports a heartbeat (every 200 ms).
  auto heartbeat = ReadUntil(
      **reader, [](const BinlogEvent& e) { return e.kind == BinlogEvent::Kind::kHeartbeat; });
  ASSERT_TRUE(heartbeat.ok()) << heartbeat.status().ToString();
  EXPECT_FALSE(heartbeat->position.file.empty());
  auto quick = (*reader)->Next(milliseconds(0));
  if (!quick.ok()) {
    EXPECT_EQ(quick.status().code(), StatusCode::kTimeout);
    EXPECT_TRUE(quick.status().retryable());
  }
}

TEST_F(BinlogReaderTest, InterruptFromAnotherThreadWakesABlockedNext) {
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  // Drain the start of the stream so Next really blocks.
  ASSERT_TRUE(ReadUntil(**reader, [](const BinlogEvent& e) {
                return e.kind == BinlogEvent::Kind::kHeartbeat;
              }).ok());
  SyncPoints::Get().Enable();
  Status result;
  auto started = std::chrono::steady_clock::now();
  std::thread consumer([&] {
    while (true) {
      auto event = (*reader)->Next(std::chrono::minutes(5));
      if (!event.ok()) {
        result = event.status();
        return;
      }
    }
  });
  EXPECT_TRUE(PollUntil([] { return SyncPoints::Get().Passed("BinlogFetcher::Next:BeforeWait"); },
                        std::chrono::seconds(10)));
  (*reader)->Interrupt();
  consumer.join();
  SyncPoints::Get().DisableAndClear();
  EXPECT_EQ(result.code(), StatusCode::kCancelled) << result.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  // The reader stays stopped.
  EXPECT_EQ((*reader)->Next(milliseconds(0)).status().code(), StatusCode::kCancelled);
}

TEST_F(BinlogReaderTest, KillingTheReplicationConnectionIsUnavailableAndRetryable) {
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Exec("KILL CONNECTION ?", {db::SqlValue::UInt((*reader)->connection_id())});
  auto lost = ReadUntil(**reader, [](const BinlogEvent&) { return false; });
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable) << lost.status().ToString();
  EXPECT_TRUE(lost.status().retryable());
}

TEST_F(BinlogReaderTest, UnknownStartFileIsRefusedUpFront) {
  BinlogPosition missing{"binlog.999999", 4, ""};
  auto reader = OpenReader({"t"}, missing);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kFailedPrecondition) << reader.status().ToString();
  EXPECT_NE(reader.status().message().find("retained"), std::string::npos);
}

TEST_F(BinlogReaderTest, PartialRowImagesOfWatchedTablesAreRefused) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, v INT)");
  Insert("t", {I(1), I(1)});
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Exec("SET SESSION binlog_row_image = 'MINIMAL'");
  Exec("UPDATE " + Table("t") + " SET v = 2");
  Exec("SET SESSION binlog_row_image = 'FULL'");
  auto rows = ReadRowChanges(**reader, 1);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rows.status().message().find("binlog_row_image"), std::string::npos);
}

TEST_F(BinlogReaderTest, TableChangedAfterItsEventsIsRefusedNotMisread) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, v INT)");
  BinlogPosition start = Now();
  Insert("t", {I(1), I(1)});
  Exec("ALTER TABLE " + Table("t") + " MODIFY v BIGINT");
  auto reader = OpenReader({"t"}, start);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto rows = ReadRowChanges(**reader, 1);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rows.status().message().find("changed"), std::string::npos) << rows.status().ToString();
}

// Under LOCK TABLES the server maps every locked table in each event group, rows or
// not. Such a map of a table altered afterwards (the cutover locks the table it then
// renames away) must not fail a stream that starts before it: only rows are checked.
TEST_F(BinlogReaderTest, AMapWithoutRowsOfATableAlteredLaterDoesNotFailTheStream) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, v INT)");
  Exec("CREATE TABLE " + Table("other") + " (id INT PRIMARY KEY)");
  BinlogPosition start = Now();
  Exec("LOCK TABLES " + Table("t") + " WRITE, " + Table("other") + " WRITE");
  Exec("INSERT INTO " + Table("other") + " VALUES (1)");
  Exec("UNLOCK TABLES");
  Exec("ALTER TABLE " + Table("t") + " ADD COLUMN w INT");
  Insert("t", {I(1), I(2), I(3)});
  auto reader = OpenReader({"t"}, start);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto rows = ReadRowChanges(**reader, 1);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0].after, (std::vector<db::SqlValue>{I(1), I(2), I(3)}));
}

TEST_F(BinlogReaderTest, MissingReplicationPrivilegeIsNamed) {
  std::string user = UniqueName("noslave");
  // Account names cannot be bound; the name is quoted as an identifier.
  const std::string account = db::QuoteIdentifier(user) + "@'%'";
  Exec("CREATE USER " + account + " IDENTIFIED BY 'pw'");
  Exec("GRANT SELECT ON *.* TO " + account);
  db::Dsn dsn = dsn_;
  dsn.user = user;
  dsn.password = "pw";
  BinlogReaderOptions options;
  options.server_id = UniqueServerId();
  options.start = Now();
  auto reader = BinlogReader::Open(dsn, options);
  Exec("DROP USER " + account);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reader.status().message().find("REPLICATION SLAVE"), std::string::npos)
      << reader.status().ToString();
}

}  // namespace
}  // namespace ordo::testing

#include "test_support.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iomanip>

#include "binlog/preflight.h"

namespace ordo::db {

void PrintTo(const SqlValue& v, std::ostream* os) {
  switch (v.kind) {
    case SqlValue::Kind::kNull:
      *os << "NULL";
      return;
    case SqlValue::Kind::kInt:
      *os << "Int(" << v.i << ")";
      return;
    case SqlValue::Kind::kUInt:
      *os << "UInt(" << v.u << ")";
      return;
    case SqlValue::Kind::kDouble: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", v.d);
      *os << "Double(" << buf << ")";
      return;
    }
    case SqlValue::Kind::kText:
    case SqlValue::Kind::kBytes: {
      *os << (v.kind == SqlValue::Kind::kText ? "Text(\"" : "Bytes(\"");
      size_t shown = 0;
      for (unsigned char c : v.s) {
        if (++shown > 80) {
          *os << "…";
          break;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
          *os << c;
        else
          *os << "\\x" << std::hex << std::setw(2) << std::setfill('0') << int(c) << std::dec;
      }
      *os << "\" " << v.s.size() << "B)";
      return;
    }
  }
}

}  // namespace ordo::db

namespace ordo {

void PrintTo(const RowChange& c, std::ostream* os) {
  static const char* kKinds[] = {"insert", "update", "delete"};
  *os << kKinds[static_cast<int>(c.kind)] << " " << c.schema_name << "." << c.table_name;
  auto image = [&](const char* name, const std::vector<db::SqlValue>& values) {
    *os << " " << name << "(";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) *os << ", ";
      PrintTo(values[i], os);
    }
    *os << ")";
  };
  if (!c.before.empty()) image("before", c.before);
  if (!c.after.empty()) image("after", c.after);
}

namespace testing {

uint32_t UniqueServerId() {
  static std::atomic<uint32_t> counter{0};
  // Above the test servers' own id (1); distinct per process and per reader.
  return 0x10000000u | ((static_cast<uint32_t>(getpid()) & 0xFFFFF) << 8) |
         (counter.fetch_add(1) & 0xFF);
}

void BinlogTest::SetUp() {
  ORDO_ASSIGN_SERVER_OR_SKIP(server);
  SetUpOn(server);
}

void BinlogTest::SetUpOn(MariaDbServer* server) {
  server_ = server;
  db_ = UniqueName("binlog");
  auto dsn = db::ParseDsn(server_->Dsn());
  ASSERT_TRUE(dsn.ok()) << dsn.status().ToString();
  dsn_ = *dsn;
  auto conn = db::MysqlConnection::Connect(dsn_, {});
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE((*conn)->Execute("CREATE DATABASE " + db::QuoteIdentifier(db_)).ok());
  dsn_.database = db_;
  auto scoped = Connect({"SET SESSION time_zone = '+00:00'"});
  ASSERT_TRUE(scoped.ok()) << scoped.status().ToString();
  conn_ = std::move(*scoped);
}

void BinlogTest::TearDown() {
  if (conn_) (void)conn_->Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(db_));
}

std::string BinlogTest::Table(const std::string& name) const { return db::QuoteTable(db_, name); }

void BinlogTest::Exec(const std::string& sql, const std::vector<db::SqlValue>& params) {
  auto done = conn_->Execute(sql, params);
  ASSERT_TRUE(done.ok()) << sql << ": " << done.status().ToString();
}

void BinlogTest::Insert(const std::string& name, const std::vector<db::SqlValue>& values) {
  std::string sql = "INSERT INTO " + Table(name) + " VALUES (";
  for (size_t i = 0; i < values.size(); ++i) sql += i ? ", ?" : "?";
  Exec(sql + ")", values);
}

void BinlogTest::Update(const std::string& name, const db::SqlValue& id,
                        const std::vector<db::SqlValue>& values) {
  auto columns = conn_->Query(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      {db::SqlValue::Text(db_), db::SqlValue::Text(name)});
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(columns->rows.size(), values.size());
  std::string sql = "UPDATE " + Table(name) + " SET ";
  for (size_t i = 0; i < values.size(); ++i)
    sql += (i ? ", " : "") + db::QuoteIdentifier(*columns->rows[i][0]) + " = ?";
  sql += " WHERE " + db::QuoteIdentifier(*columns->rows[0][0]) + " = ?";
  std::vector<db::SqlValue> params = values;
  params.push_back(id);
  Exec(sql, params);
}

void BinlogTest::Delete(const std::string& name, const db::SqlValue& id) {
  auto columns = conn_->Query(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = ? ORDER BY ORDINAL_POSITION LIMIT 1",
      {db::SqlValue::Text(db_), db::SqlValue::Text(name)});
  ASSERT_TRUE(columns.ok() && !columns->rows.empty());
  Exec(
      "DELETE FROM " + Table(name) + " WHERE " + db::QuoteIdentifier(*columns->rows[0][0]) + " = ?",
      {id});
}

Result<std::unique_ptr<db::MysqlConnection>> BinlogTest::Connect(
    std::vector<std::string> init) const {
  db::MysqlConnectOptions options;
  options.init_statements = std::move(init);
  return db::MysqlConnection::Connect(dsn_, options);
}

BinlogPosition BinlogTest::Now() {
  auto now = ReadServerBinlogPosition(*conn_);
  EXPECT_TRUE(now.ok()) << now.status().ToString();
  return now.ok() ? *now : BinlogPosition{};
}

Result<std::unique_ptr<BinlogReader>> BinlogTest::OpenReader(const std::vector<std::string>& tables,
                                                             BinlogPosition start) {
  BinlogReaderOptions options;
  options.server_id = UniqueServerId();
  options.start = start.empty() ? Now() : start;
  for (const auto& t : tables) options.tables.emplace_back(db_, t);
  options.heartbeat_period = std::chrono::milliseconds(200);
  options.read_timeout_s = 10;
  return BinlogReader::Open(dsn_, options);
}

Result<BinlogEvent> ReadUntil(BinlogReader& reader,
                              const std::function<bool(const BinlogEvent&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = reader.Next(std::chrono::milliseconds(200));
    if (!event.ok()) {
      if (event.status().Is(StatusCode::kTimeout)) continue;
      return event.status();
    }
    if (done(*event)) return event;
  }
  return Timeout("the awaited binlog event did not arrive within 30 s");
}

Result<std::vector<RowChange>> ReadRowChanges(BinlogReader& reader, size_t count) {
  std::vector<RowChange> rows;
  auto last = ReadUntil(reader, [&](const BinlogEvent& e) {
    if (e.kind == BinlogEvent::Kind::kRows)
      for (const RowChange& r : e.rows) rows.push_back(r);
    return rows.size() >= count && e.kind == BinlogEvent::Kind::kCommit;
  });
  if (!last.ok())
    return Status(last.status().code(),
                  last.status().message() + " (" + std::to_string(rows.size()) + " of " +
                      std::to_string(count) + " row changes seen)",
                  last.status().retryable());
  return rows;
}

void ExpectChange(const RowChange& c, RowChange::Kind kind, const std::vector<db::SqlValue>& before,
                  const std::vector<db::SqlValue>& after) {
  EXPECT_EQ(c.kind, kind);
  EXPECT_EQ(c.before, before);
  EXPECT_EQ(c.after, after);
}

std::string TemporalColumnsOfEveryPrecision() {
  std::string out;
  for (int n = 0; n <= 6; ++n) {
    std::string s = std::to_string(n);
    out += ", t" + s + " TIME(" + s + "), dt" + s + " DATETIME(" + s + "), ts" + s + " TIMESTAMP(" +
           s + ") NULL";
  }
  return out;
}

void ExpectRound(BinlogReader& reader, const ExpectedRound& round) {
  const size_t count = round.inserted.size() + (round.updated ? 1 : 0) + (round.deleted ? 1 : 0);
  auto rows = ReadRowChanges(reader, count);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), count);
  size_t i = 0;
  for (const auto& row : round.inserted)
    ExpectChange((*rows)[i++], RowChange::Kind::kInsert, {}, row);
  if (round.updated)
    ExpectChange((*rows)[i++], RowChange::Kind::kUpdate, round.updated->first,
                 round.updated->second);
  if (round.deleted) ExpectChange((*rows)[i], RowChange::Kind::kDelete, *round.deleted, {});
}

}  // namespace testing
}  // namespace ordo

// The reader on servers configured unlike the default: pre-10.1 temporal formats
// without event checksums; compressed binlog events; missing binlog settings.
#include "binlog/preflight.h"
#include "test_support.h"

namespace ordo::testing {
namespace {

using Kind = RowChange::Kind;
db::SqlValue I(int64_t v) { return db::SqlValue::Int(v); }
db::SqlValue T(std::string v) { return db::SqlValue::Text(std::move(v)); }
db::SqlValue B(std::string v) { return db::SqlValue::Bytes(std::move(v)); }

std::string Frac(const std::string& whole, const std::string& digits, int n) {
  return n == 0 ? whole : whole + "." + digits.substr(0, static_cast<size_t>(n));
}

// A private server per suite, started with `Options()`.
template <typename Derived>
class PrivateServerTest : public BinlogTest {
 protected:
  static void SetUpTestSuite() {
    auto started = MariaDbServer::StartPrivate(Derived::Options());
    if (started.ok())
      server() = std::move(*started);
    else
      failure() = started.status().ToString();
  }
  static void TearDownTestSuite() { server().reset(); }
  void SetUp() override {
    if (!server()) {
      if (ServersRequired()) FAIL() << "private MariaDB server required: " << failure();
      GTEST_SKIP() << "no private MariaDB server: " << failure();
    }
    SetUpOn(server().get());
  }
  static std::unique_ptr<MariaDbServer>& server() {
    static std::unique_ptr<MariaDbServer> s;
    return s;
  }
  static std::string& failure() {
    static std::string f;
    return f;
  }
};

// Tables in the pre-10.1 temporal formats, and a binlog without event checksums.
class BinlogOnLegacyServer : public PrivateServerTest<BinlogOnLegacyServer> {
 public:
  static std::string Options() { return "--mysql56-temporal-format=OFF --binlog-checksum=NONE"; }
};

TEST_F(BinlogOnLegacyServer, OldTemporalFormatsDecodeAtEveryPrecisionWithoutChecksums) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY" + TemporalColumnsOfEveryPrecision() +
       ")");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto row = [](int id, auto time, auto datetime, auto timestamp) {
    std::vector<db::SqlValue> r = {I(id)};
    for (int n = 0; n <= 6; ++n) {
      r.push_back(T(time(n)));
      r.push_back(T(datetime(n)));
      r.push_back(T(timestamp(n)));
    }
    return r;
  };
  const auto high = row(
      1, [](int n) { return Frac("838:59:59", "999999", n); },
      [](int n) { return Frac("9999-12-31 23:59:59", "999999", n); },
      [](int n) { return Frac("2038-01-19 03:14:07", "999999", n); });
  const auto low = row(
      2, [](int n) { return Frac("-838:59:59", "999999", n); },
      [](int n) { return Frac("1000-01-01 00:00:00", "000001", n); },
      [](int n) { return Frac("1970-01-01 00:00:01", "000001", n); });
  const auto mid = row(
      2,
      [](int n) {
        return n == 0 ? std::string("-00:00:01")
                      : "-00:00:00." + std::string(static_cast<size_t>(n - 1), '0') + "1";
      },
      [](int n) { return Frac("2024-02-29 12:34:56", "654321", n); },
      [](int n) { return Frac("2001-02-03 04:05:06", "123456", n); });
  Insert("t", high);
  Insert("t", low);
  Update("t", I(2), mid);
  ExpectRound(**reader, {{high, low}, {{low, mid}}});
}

class BinlogOnCompressingServer : public PrivateServerTest<BinlogOnCompressingServer> {
 public:
  static std::string Options() { return "--log-bin-compress=ON --log-bin-compress-min-len=10"; }
};

TEST_F(BinlogOnCompressingServer, CompressedRowAndQueryEventsDecode) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, v TEXT)");
  BinlogPosition start = Now();
  auto reader = OpenReader({"t"}, start);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::string text(5000, 'q');
  Insert("t", {I(1), T(text)});
  Update("t", I(1), {I(1), T(text + "r")});
  auto rows = ReadRowChanges(**reader, 2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ExpectChange((*rows)[0], Kind::kInsert, {}, {I(1), B(text)});
  ExpectChange((*rows)[1], Kind::kUpdate, {I(1), B(text)}, {I(1), B(text + "r")});
  // Altered only after its rows were decoded: the reader looks a table up when it
  // first meets its events, and refuses events older than the table's definition.
  Exec("ALTER TABLE " + Table("t") + " ADD COLUMN w INT");
  auto ddl =
      ReadUntil(**reader, [](const BinlogEvent& e) { return e.kind == BinlogEvent::Kind::kDdl; });
  ASSERT_TRUE(ddl.ok()) << ddl.status().ToString();
  EXPECT_NE(ddl->query.find("ADD COLUMN w INT"), std::string::npos) << ddl->query;
  // The events really were compressed.
  auto events = conn_->Query("SHOW BINLOG EVENTS IN '" + start.file + "'");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  int compressed = 0;
  for (const auto& e : events->rows)
    if (e[2] && e[2]->find("ompressed") != std::string::npos) ++compressed;
  EXPECT_GE(compressed, 3);
}

class BinlogOnMisconfiguredServer : public PrivateServerTest<BinlogOnMisconfiguredServer> {
 public:
  static std::string Options() {
    return "--skip-log-bin --binlog-format=STATEMENT --binlog-row-image=MINIMAL "
           "--log-bin-compress=ON --binlog-checksum=NONE";
  }
};

TEST_F(BinlogOnMisconfiguredServer, EveryMissingSettingIsNamed) {
  Status check = CheckBinlogPrerequisites(*conn_);
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(check.message().find("log_bin=ON (it is OFF)"), std::string::npos) << check.message();
  EXPECT_NE(check.message().find("binlog_format=ROW (it is STATEMENT)"), std::string::npos);
  EXPECT_NE(check.message().find("binlog_row_image=FULL (it is MINIMAL)"), std::string::npos);
  EXPECT_NE(check.message().find("binlog_checksum=CRC32 while log_bin_compress=ON"),
            std::string::npos);
  BinlogReaderOptions options;
  options.server_id = UniqueServerId();
  options.start = {"binlog.000001", 4, ""};
  auto reader = BinlogReader::Open(dsn_, options);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadServerBinlogPosition(*conn_).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ordo::testing

// The binlog reader's pure decoding pieces against bytes taken from a MariaDB 10.11
// binlog: TABLE_MAP metadata, DECIMAL, temporal formats, row images, statements and
// the catalog check. No server needed.
#include <gtest/gtest.h>
#include <mysql.h>

#include <string>
#include <vector>

#include "binlog/bytes.h"
#include "binlog/catalog.h"
#include "binlog/column.h"
#include "binlog/decimal.h"
#include "binlog/rows.h"
#include "binlog/statement.h"
#include "binlog/temporal.h"
#include "binlog/value.h"

namespace ordo::binlog {
namespace {

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Decodes `hex` with `decode`; the whole input must be consumed.
template <typename F>
std::string Decode(std::string_view hex, F decode) {
  std::string bytes = Hex(hex), out;
  ByteReader in(U8(bytes), bytes.size());
  if (!decode(in, out)) return "<invalid>";
  return in.empty() ? out : "<left " + std::to_string(in.remaining()) + " bytes>";
}

TEST(BinlogColumns, TableMapMetadataResolvesEveryLayout) {
  // A MariaDB 10.11 map of (INT, TINYINT, CHAR(10) latin1, CHAR(255) utf8mb4,
  // DECIMAL(5,2), DATETIME(3), TIME(2), ENUM, SET, BIT(10), JSON, BLOB,
  // VARCHAR(300) utf8mb4, BINARY(4)).
  auto columns = ParseTableMapColumns(Hex("0301fefef61213fefe10fcfc0ffe"),
                                      Hex("fe0acefc05020302f701f80102010402b004fe04"));
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  const auto& c = *columns;
  ASSERT_EQ(c.size(), 14u);
  EXPECT_EQ(c[2].type, MYSQL_TYPE_STRING);
  EXPECT_EQ(c[2].max_bytes, 10u);
  EXPECT_EQ(c[3].type, MYSQL_TYPE_STRING);
  EXPECT_EQ(c[3].max_bytes, 1020u);  // length bits borrowed from the type byte
  EXPECT_EQ(c[4].precision, 5);
  EXPECT_EQ(c[4].scale, 2);
  EXPECT_EQ(c[5].fsp, 3);
  EXPECT_EQ(c[6].fsp, 2);
  EXPECT_EQ(c[7].type, MYSQL_TYPE_ENUM);
  EXPECT_EQ(c[7].length_bytes, 1);
  EXPECT_EQ(c[8].type, MYSQL_TYPE_SET);
  EXPECT_EQ(c[9].bits, 10);
  EXPECT_EQ(c[10].length_bytes, 4);
  EXPECT_EQ(c[11].length_bytes, 2);
  EXPECT_EQ(c[12].max_bytes, 1200u);
  EXPECT_EQ(c[13].max_bytes, 4u);
}

TEST(BinlogColumns, MalformedOrUnknownMapsAreErrorsNotGuesses) {
  EXPECT_EQ(ParseTableMapColumns(Hex("f6"), Hex("05")).status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseTableMapColumns(Hex("03"), Hex("00")).status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseTableMapColumns(Hex("f5"), Hex("04")).status().code(),
            StatusCode::kFailedPrecondition);  // MySQL's binary JSON
  EXPECT_EQ(ParseTableMapColumns(Hex("00"), "").status().code(), StatusCode::kFailedPrecondition);
}

TEST(BinlogDecimal, SignGroupsAndScaleFollowTheBinaryFormat) {
  EXPECT_EQ(DecimalBinarySize(5, 2), 3u);
  EXPECT_EQ(DecimalBinarySize(10, 0), 5u);
  EXPECT_EQ(DecimalBinarySize(65, 30), 30u);
  auto decode = [](std::string_view hex, int p, int s) {
    std::string bytes = Hex(hex), out;
    return DecodeDecimal(U8(bytes), p, s, out) ? out : "<invalid>";
  };
  EXPECT_EQ(decode("7ffecd", 5, 2), "-1.50");
  EXPECT_EQ(decode("800132", 5, 2), "1.50");
  EXPECT_EQ(decode("800000", 5, 2), "0.00");
  EXPECT_EQ(decode("7fffff", 5, 2), "0.00");       // negative zero prints as zero
  EXPECT_EQ(decode("80ffff", 5, 2), "<invalid>");  // fraction group above 99
  EXPECT_EQ(decode("8000000001", 10, 0), "1");
  EXPECT_EQ(decode("81", 1, 1), "0.1");
}

TEST(BinlogTemporal, CurrentFormatsMatchTheServersText) {
  EXPECT_EQ(Decode("43c80f", DecodeDate), "2020-02-03");
  EXPECT_EQ(Decode("000000", DecodeDate), "0000-00-00");
  EXPECT_EQ(Decode("ff", DecodeYear), "2155");
  EXPECT_EQ(Decode("00", DecodeYear), "0000");
  auto dt3 = [](ByteReader& in, std::string& out) { return DecodeDateTime2(in, 3, out); };
  EXPECT_EQ(Decode("99a54431051a7c", dt3), "2020-01-02 03:04:05.678");
  auto t2 = [](ByteReader& in, std::string& out) { return DecodeTime2(in, 2, out); };
  EXPECT_EQ(Decode("7ffffeff", t2), "-00:00:01.01");
  EXPECT_EQ(Decode("80000000", t2), "00:00:00.00");
  auto t6 = [](ByteReader& in, std::string& out) { return DecodeTime2(in, 6, out); };
  EXPECT_EQ(Decode("7fffffffffff", t6), "-00:00:00.000001");
  auto ts1 = [](ByteReader& in, std::string& out) { return DecodeTimestamp2(in, 1, out); };
  EXPECT_EQ(Decode("0000000132", ts1), "1970-01-01 00:00:01.5");
  EXPECT_EQ(Decode("0000000000", ts1), "0000-00-00 00:00:00.0");
}

TEST(BinlogTemporal, PreMariaDb101FormatsMatchTheServersText) {
  auto dt = [](int fsp) {
    return [fsp](ByteReader& in, std::string& out) { return DecodeLegacyDateTime(in, fsp, out); };
  };
  auto tm = [](int fsp) {
    return [fsp](ByteReader& in, std::string& out) { return DecodeLegacyTime(in, fsp, out); };
  };
  auto ts = [](int fsp) {
    return [fsp](ByteReader& in, std::string& out) { return DecodeLegacyTimestamp(in, fsp, out); };
  };
  EXPECT_EQ(Decode("0042090a66c32e", dt(3)), "2020-01-02 03:04:05.678");
  EXPECT_EQ(Decode("45ece7335f120000", dt(0)), "2020-01-02 03:04:05");
  EXPECT_EQ(Decode("1200c35b", tm(2)), "-00:00:01.01");
  EXPECT_EQ(Decode("5f79fe", tm(0)), "-10:00:01");
  EXPECT_EQ(Decode("0000000107a120", ts(6)), "1970-01-01 00:00:01.500000");
  EXPECT_EQ(Decode("80436d38", ts(0)), "2000-01-01 00:00:00");
}

TEST(BinlogTemporal, ShortInputIsRejected) {
  auto dt3 = [](ByteReader& in, std::string& out) { return DecodeDateTime2(in, 3, out); };
  EXPECT_EQ(Decode("99a5443105", dt3), "<invalid>");
  EXPECT_EQ(Decode("43c8", DecodeDate), "<invalid>");
}

BinlogTable TwoColumnTable() {
  BinlogTable t;
  t.schema_name = "s";
  t.table_name = "t";
  auto columns = ParseTableMapColumns(Hex("030f"), Hex("1400"));  // INT, VARCHAR(20)
  t.columns = *columns;
  t.columns[0].name = "id";
  t.columns[1].name = "v";
  return t;
}

TEST(BinlogRows, ImagesDecodeWithNullsAndTruncationIsAnError) {
  BinlogTable table = TwoColumnTable();
  const std::string bitmap = Hex("03");
  // Row 1: id=1, v='ab'; row 2: id=2, v=NULL.
  const std::string data =
      Hex("0001000000026162"
          "0202000000");
  RowsEventView view{RowChange::Kind::kInsert, 2, U8(bitmap), nullptr, U8(data), data.size()};
  std::vector<RowChange> rows;
  bool partial = false;
  ASSERT_TRUE(DecodeRowsEvent(table, view, rows, &partial).ok());
  EXPECT_FALSE(partial);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].after,
            (std::vector<db::SqlValue>{db::SqlValue::Int(1), db::SqlValue::Bytes("ab")}));
  EXPECT_EQ(rows[1].after, (std::vector<db::SqlValue>{db::SqlValue::Int(2), db::SqlValue::Null()}));
  for (size_t cut = 1; cut < data.size(); ++cut) {
    if (cut == 8) continue;  // a whole first row
    RowsEventView shorter = view;
    shorter.size = cut;
    std::vector<RowChange> out;
    EXPECT_EQ(DecodeRowsEvent(table, shorter, out, &partial).code(), StatusCode::kInternal)
        << "cut at " << cut;
  }
}

TEST(BinlogRows, ImagesWithoutEveryColumnAreReportedPartial) {
  BinlogTable table = TwoColumnTable();
  const std::string bitmap = Hex("01");  // only id
  const std::string data = Hex("0007000000");
  RowsEventView view{RowChange::Kind::kDelete, 2, U8(bitmap), nullptr, U8(data), data.size()};
  std::vector<RowChange> rows;
  bool partial = false;
  ASSERT_TRUE(DecodeRowsEvent(table, view, rows, &partial).ok());
  EXPECT_TRUE(partial);
  EXPECT_EQ(rows[0].before,
            (std::vector<db::SqlValue>{db::SqlValue::Int(7), db::SqlValue::Null()}));
}

TEST(BinlogStatements, TransactionControlIsToldApartFromDdl) {
  EXPECT_EQ(ClassifyStatement("BEGIN"), StatementRole::kFraming);
  EXPECT_EQ(ClassifyStatement("COMMIT"), StatementRole::kEndsGroup);
  EXPECT_EQ(ClassifyStatement("commit"), StatementRole::kEndsGroup);
  EXPECT_EQ(ClassifyStatement("ROLLBACK"), StatementRole::kEndsGroup);
  EXPECT_EQ(ClassifyStatement("ROLLBACK TO `sp`"), StatementRole::kFraming);
  EXPECT_EQ(ClassifyStatement("SAVEPOINT `sp`"), StatementRole::kFraming);
  EXPECT_EQ(ClassifyStatement("XA START X'01',X'',1"), StatementRole::kFraming);
  EXPECT_EQ(ClassifyStatement("XA PREPARE X'01',X'',1"), StatementRole::kEndsGroup);
  EXPECT_EQ(ClassifyStatement("ALTER TABLE t ADD c INT"), StatementRole::kDdl);
  EXPECT_EQ(ClassifyStatement("COMMITTED_TABLE_RENAME"), StatementRole::kDdl);
}

TEST(BinlogCatalogCheck, SignednessPaddingAndChangedTablesComeFromTheCatalog) {
  BinlogTable table;
  table.schema_name = "s";
  table.table_name = "t";
  table.columns = *ParseTableMapColumns(Hex("08fe"), Hex("fe04"));  // BIGINT, CHAR/BINARY(4)
  std::vector<CatalogColumn> catalog(2);
  catalog[0] = {"id", "bigint", "bigint(20) unsigned", 0, 20, 0, 0};
  catalog[1] = {"b", "binary", "binary(4)", 4, 0, 0, 0};
  ASSERT_TRUE(ApplyCatalog(catalog, table).ok());
  EXPECT_TRUE(table.columns[0].is_unsigned);
  EXPECT_EQ(table.columns[1].pad_to, 4u);

  catalog[0] = {"id", "int", "int(11)", 0, 10, 0, 0};  // altered since
  Status changed = ApplyCatalog(catalog, table);
  EXPECT_EQ(changed.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(changed.message().find("`s`.`t` column `id`"), std::string::npos) << changed.message();
  catalog.pop_back();
  EXPECT_EQ(ApplyCatalog(catalog, table).code(), StatusCode::kFailedPrecondition);
  catalog = {{"id", "bigint", "bigint(20)", 0, 20, 0, 0}, {"u", "uuid", "uuid", 0, 0, 0, 0}};
  Status unsupported = ApplyCatalog(catalog, table);
  EXPECT_NE(unsupported.message().find("does not support"), std::string::npos);
}

}  // namespace
}  // namespace ordo::binlog

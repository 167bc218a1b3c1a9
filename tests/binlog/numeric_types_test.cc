// Integers, DECIMAL, FLOAT and DOUBLE written with boundary values and read back
// from the binlog as exact SqlValues.
#include <cfloat>
#include <cstdint>
#include <limits>

#include "test_support.h"

namespace ordo::testing {
namespace {

using Kind = RowChange::Kind;
db::SqlValue I(int64_t v) { return db::SqlValue::Int(v); }
db::SqlValue U(uint64_t v) { return db::SqlValue::UInt(v); }
db::SqlValue T(std::string v) { return db::SqlValue::Text(std::move(v)); }
db::SqlValue D(double v) { return db::SqlValue::Double(v); }

using BinlogNumericTypes = BinlogTest;

TEST_F(BinlogNumericTypes, IntegersOfEveryWidthKeepTheirSignAndFullRange) {
  Exec("CREATE TABLE " + Table("t") +
       " (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,"
       " mi MEDIUMINT, mu MEDIUMINT UNSIGNED, ii INT, iu INT UNSIGNED, bi BIGINT,"
       " bu BIGINT UNSIGNED)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<db::SqlValue> mins = {I(1), I(-128),
                                          U(0), I(-32768),
                                          U(0), I(-8388608),
                                          U(0), I(std::numeric_limits<int32_t>::min()),
                                          U(0), I(std::numeric_limits<int64_t>::min()),
                                          U(0)};
  const std::vector<db::SqlValue> maxs = {I(2),
                                          I(127),
                                          U(255),
                                          I(32767),
                                          U(65535),
                                          I(8388607),
                                          U(16777215),
                                          I(std::numeric_limits<int32_t>::max()),
                                          U(std::numeric_limits<uint32_t>::max()),
                                          I(std::numeric_limits<int64_t>::max()),
                                          U(std::numeric_limits<uint64_t>::max())};
  const std::vector<db::SqlValue> ones = {I(1), I(-1), U(1), I(-1), U(1), I(-1),
                                          U(1), I(-1), U(1), I(-1), U(1)};
  Insert("t", mins);
  Insert("t", maxs);
  Update("t", I(1), ones);
  Delete("t", I(2));
  auto rows = ReadRowChanges(**reader, 4);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  ExpectChange((*rows)[0], Kind::kInsert, {}, mins);
  ExpectChange((*rows)[1], Kind::kInsert, {}, maxs);
  ExpectChange((*rows)[2], Kind::kUpdate, mins, ones);
  ExpectChange((*rows)[3], Kind::kDelete, maxs, {});
  EXPECT_EQ((*rows)[0].schema_name, db_);
  EXPECT_EQ((*rows)[0].table_name, "t");
}

TEST_F(BinlogNumericTypes, DecimalsAreExactTextWithTheirScaleAtEveryPrecision) {
  Exec("CREATE TABLE " + Table("t") +
       " (id INT PRIMARY KEY, d65_30 DECIMAL(65,30), d5_2 DECIMAL(5,2), d10_0 DECIMAL(10,0),"
       " d38_38 DECIMAL(38,38), d18_9 DECIMAL(18,9), d1_0 DECIMAL(1,0), d65_0 DECIMAL(65,0),"
       " du DECIMAL(20,10) UNSIGNED, d9_4 DECIMAL(9,4))");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::string nines35 = std::string(35, '9'), nines30 = std::string(30, '9');
  const std::vector<db::SqlValue> high = {I(1),
                                          T(nines35 + "." + nines30),
                                          T("999.99"),
                                          T("9999999999"),
                                          T("0." + std::string(38, '9')),
                                          T("999999999.999999999"),
                                          T("9"),
                                          T(std::string(65, '9')),
                                          T("9999999999.9999999999"),
                                          T("12345.6789")};
  const std::vector<db::SqlValue> low = {I(2),
                                         T("-" + nines35 + "." + nines30),
                                         T("-999.99"),
                                         T("-1234567890"),
                                         T("-0.12345678901234567890123456789012345678"),
                                         T("-123456789.123456789"),
                                         T("-9"),
                                         T("-" + std::string(65, '9')),
                                         T("0.0000000001"),
                                         T("-0.0001")};
  const std::vector<db::SqlValue> small = {I(1),
                                           T("-0." + std::string(29, '0') + "1"),
                                           T("-1.50"),
                                           T("0"),
                                           T("0." + std::string(38, '0')),
                                           T("0.000000000"),
                                           T("0"),
                                           T("-1"),
                                           T("0.0000000000"),
                                           T("-1000.0000")};
  Insert("t", high);
  Insert("t", low);
  Update("t", I(1), small);
  Delete("t", I(2));
  ExpectRound(**reader, {{high, low}, {{high, small}}, low});
}

TEST_F(BinlogNumericTypes, FloatsAndDoublesRoundTripBitForBit) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, f FLOAT, d DOUBLE)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto f = [](float v) { return D(static_cast<double>(v)); };
  const std::vector<std::vector<db::SqlValue>> values = {
      {I(1), f(FLT_MAX), D(DBL_MAX)},
      {I(2), f(-FLT_MAX), D(-DBL_MAX)},
      {I(3), f(FLT_MIN), D(DBL_MIN)},
      {I(4), f(std::numeric_limits<float>::denorm_min()),
       D(std::numeric_limits<double>::denorm_min())},
      {I(5), f(0.1f), D(0.1)},
      {I(6), f(-1.5f), D(-123456789.123456789)},
      {I(7), f(-std::numeric_limits<float>::denorm_min()),
       D(-std::numeric_limits<double>::denorm_min())},
  };
  for (const auto& row : values) Insert("t", row);
  Update("t", I(5), {I(5), f(3.14159274f), D(2.718281828459045)});
  Delete("t", I(1));
  auto rows = ReadRowChanges(**reader, values.size() + 2);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), values.size() + 2);
  for (size_t i = 0; i < values.size(); ++i) ExpectChange((*rows)[i], Kind::kInsert, {}, values[i]);
  ExpectChange((*rows)[7], Kind::kUpdate, values[4], {I(5), f(3.14159274f), D(2.718281828459045)});
  ExpectChange((*rows)[8], Kind::kDelete, values[0], {});
}

}  // namespace
}  // namespace ordo::testing

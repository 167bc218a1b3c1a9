// Character and binary strings, BLOB/TEXT of every size, ENUM, SET, BIT, JSON and
// NULLs read back from the binlog: raw bytes in the column's charset, indexes and
// bitmasks as unsigned integers.
#include "test_support.h"

namespace ordo::testing {
namespace {

using Kind = RowChange::Kind;
db::SqlValue I(int64_t v) { return db::SqlValue::Int(v); }
db::SqlValue U(uint64_t v) { return db::SqlValue::UInt(v); }
db::SqlValue T(std::string v) { return db::SqlValue::Text(std::move(v)); }
db::SqlValue B(std::string v) { return db::SqlValue::Bytes(std::move(v)); }
db::SqlValue N() { return db::SqlValue::Null(); }

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::string kEAcuteUtf8 = "\xC3\xA9";  // é
const std::string kEAcuteLatin1 = "\xE9";
const std::string kEmoji = "\xF0\x9F\x98\x80";  // 😀, four bytes in utf8mb4

using BinlogStringTypes = BinlogTest;

TEST_F(BinlogStringTypes, TextColumnsCarryTheirCharsetsBytesWithOneAndTwoByteLengths) {
  Exec("CREATE TABLE " + Table("t") +
       " (id INT PRIMARY KEY, c_l CHAR(10) CHARACTER SET latin1,"
       " v_l VARCHAR(200) CHARACTER SET latin1, v_l2 VARCHAR(300) CHARACTER SET latin1,"
       " c_u CHAR(10) CHARACTER SET utf8mb4, c_u255 CHAR(255) CHARACTER SET utf8mb4,"
       " v_u VARCHAR(50) CHARACTER SET utf8mb4, v_u2 VARCHAR(100) CHARACTER SET utf8mb4,"
       " tt TINYTEXT CHARACTER SET utf8mb4, tx TEXT CHARACTER SET latin1,"
       " mt MEDIUMTEXT CHARACTER SET utf8mb4, lt LONGTEXT CHARACTER SET utf8mb4)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  // Written as utf8mb4 text; latin1 columns store é as one byte.
  const std::string e = kEAcuteUtf8, l = kEAcuteLatin1;
  Insert("t", {I(1), T(e), T(e), T(e), T(e), T(e), T(e), T(e), T(e), T(e), T(e), T(e)});
  const std::vector<db::SqlValue> accents = {I(1), B(l), B(l), B(l), B(e), B(e),
                                             B(e), B(e), B(e), B(l), B(e), B(e)};
  // CHAR drops trailing spaces (as SELECT shows it); VARCHAR and TEXT keep them.
  Insert("t", {I(2), T("ab  "), T("ab  "), T("ab  "), T(kEmoji + " "), T(kEmoji), T(kEmoji),
               T(kEmoji), T(kEmoji), T("ab  "), T(kEmoji), T(kEmoji)});
  const std::vector<db::SqlValue> spaced = {I(2),      B("ab"),   B("ab  "), B("ab  "),
                                            B(kEmoji), B(kEmoji), B(kEmoji), B(kEmoji),
                                            B(kEmoji), B("ab  "), B(kEmoji), B(kEmoji)};
  const std::vector<db::SqlValue> empty = {I(3),  B(""), B(""), B(""), B(""), B(""),
                                           B(""), B(""), B(""), B(""), B(""), B("")};
  Insert("t", empty);
  // Longest values: 1020-byte CHAR and 400-byte VARCHAR need two-byte lengths.
  const std::vector<db::SqlValue> longest = {I(3),
                                             B(Repeat("x", 10)),
                                             B(Repeat("y", 200)),
                                             B(Repeat(l, 300)),
                                             B(Repeat(kEmoji, 10)),
                                             B(Repeat(kEmoji, 255)),
                                             B(Repeat(kEmoji, 50)),
                                             B(Repeat(kEmoji, 100)),
                                             B(Repeat(kEmoji, 63)),
                                             B(Repeat("z", 65535)),
                                             B(Repeat(kEmoji, 100000)),
                                             B(Repeat(e, 300000))};
  Update("t", I(3), longest);
  Delete("t", I(2));
  ExpectRound(**reader, {{accents, spaced, empty}, {{empty, longest}}, spaced});
}

TEST_F(BinlogStringTypes, BinaryStringsAndBlobsOfEverySizeKeepEveryByte) {
  Exec("CREATE TABLE " + Table("t") +
       " (id INT PRIMARY KEY, bin BINARY(4), vb VARBINARY(300), tb TINYBLOB, b BLOB,"
       " mb MEDIUMBLOB, lb LONGBLOB)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::string nul3("\0x\0", 3);
  const std::vector<db::SqlValue> full = {I(1),
                                          B(std::string("ab\0d", 4)),
                                          B(Repeat(nul3, 100)),
                                          B(all_bytes.substr(0, 255)),
                                          B(Repeat(all_bytes, 256).substr(0, 65535)),
                                          B(Repeat(all_bytes, 4096)),           // 1 MiB
                                          B(Repeat(all_bytes, 4 * 4096 + 1))};  // 4 MiB + 256
  Insert("t", full);
  // BINARY(n) pads with 0x00; the image drops the padding and the reader restores it.
  Insert("t", {I(2), B("a"), B(""), B(""), B(""), B(""), B("")});
  const std::vector<db::SqlValue> padded = {
      I(2), B(std::string("a\0\0\0", 4)), B(""), B(""), B(""), B(""), B("")};
  const std::vector<db::SqlValue> zeros = {I(2),
                                           B(std::string(4, '\0')),
                                           B(std::string(1, '\0')),
                                           B(std::string(2, '\0')),
                                           B(nul3),
                                           B(nul3),
                                           B(nul3)};
  Update("t", I(2), zeros);
  Delete("t", I(1));
  ExpectRound(**reader, {{full, padded}, {{padded, zeros}}, full});
}

TEST_F(BinlogStringTypes, EnumSetAndBitAreIndexesAndBitmasks) {
  std::string big_enum, big_set;
  for (int i = 1; i <= 300; ++i) big_enum += (i > 1 ? ",'m" : "'m") + std::to_string(i) + "'";
  for (int i = 1; i <= 64; ++i) big_set += (i > 1 ? ",'s" : "'s") + std::to_string(i) + "'";
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, e ENUM('a','b','c'), e2 ENUM(" +
       big_enum + "), s SET('a','b','c','d'), s64 SET(" + big_set +
       "), b1 BIT(1), b10 BIT(10), b64 BIT(64))");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Insert("t",
         {I(1), T("c"), T("m300"), T("a,d"), T("s1,s64"), U(1), U(0b1000000001), U(UINT64_MAX)});
  const std::vector<db::SqlValue> high = {
      I(1), U(3), U(300), U(9), U((1ull << 63) | 1), U(1), U(0b1000000001), U(UINT64_MAX)};
  const std::vector<db::SqlValue> low = {I(2), U(1), U(1), U(0), U(0), U(0), U(0), U(0)};
  Insert("t", low);  // indexes and bitmasks bind back as they were read
  const std::vector<db::SqlValue> mid = {I(2),          U(2), U(256), U(6),
                                         U(1ull << 40), U(1), U(2),   U(1ull << 63)};
  Update("t", I(2), mid);
  Delete("t", I(1));
  ExpectRound(**reader, {{high, low}, {{low, mid}}, high});
}

TEST_F(BinlogStringTypes, JsonIsItsTextAsStored) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, j JSON)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::string doc = "{\"a\": [1, 2.5, \"" + kEAcuteUtf8 + "\", null], \"b\": {\"c\": true}}";
  Insert("t", {I(1), T(doc)});
  Insert("t", {I(2), T("[]")});
  Update("t", I(2), {I(2), T("\"" + kEmoji + "\"")});
  ExpectRound(**reader, {{{I(1), B(doc)}, {I(2), B("[]")}},
                         {{{I(2), B("[]")}, {I(2), B("\"" + kEmoji + "\"")}}}});
}

TEST_F(BinlogStringTypes, NullsInEveryPositionAcrossBitmapBytes) {
  // 17 nullable columns: the NULL bitmap spans three bytes.
  Exec("CREATE TABLE " + Table("t") +
       " (id INT PRIMARY KEY, a TINYINT, b DECIMAL(5,2), c FLOAT, d DOUBLE, e DATETIME(6),"
       " f TIME(3), g TIMESTAMP(2) NULL, h YEAR, i DATE, j CHAR(5), k VARCHAR(20), l BLOB,"
       " m ENUM('x'), n SET('x'), o BIT(3), p JSON, q BIGINT UNSIGNED)");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::vector<db::SqlValue> values = {I(1),
                                            I(-5),
                                            T("-1.25"),
                                            db::SqlValue::Double(0.5),
                                            db::SqlValue::Double(-2.5),
                                            T("2020-01-02 03:04:05.000006"),
                                            T("-01:02:03.400"),
                                            T("2020-01-02 03:04:05.60"),
                                            T("2020"),
                                            T("2020-01-02"),
                                            B("abc"),
                                            B("def"),
                                            B(std::string("\0g", 2)),
                                            U(1),
                                            U(1),
                                            U(5),
                                            B("{}"),
                                            U(7)};
  std::vector<db::SqlValue> all_null(values.size(), N());
  all_null[0] = I(1);
  Insert("t", all_null);
  std::vector<db::SqlValue> odd_null = values;  // NULL in every odd column
  odd_null[0] = I(2);
  for (size_t i = 1; i < odd_null.size(); i += 2) odd_null[i] = N();
  Insert("t", odd_null);
  std::vector<db::SqlValue> last_only(values.size(), N());  // only the last column set
  last_only[0] = I(3);
  last_only.back() = values.back();
  Insert("t", last_only);
  Update("t", I(1), values);
  Update("t", I(1), all_null);
  Delete("t", I(2));
  auto rows = ReadRowChanges(**reader, 6);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 6u);
  ExpectChange((*rows)[0], Kind::kInsert, {}, all_null);
  ExpectChange((*rows)[1], Kind::kInsert, {}, odd_null);
  ExpectChange((*rows)[2], Kind::kInsert, {}, last_only);
  ExpectChange((*rows)[3], Kind::kUpdate, all_null, values);
  ExpectChange((*rows)[4], Kind::kUpdate, values, all_null);
  ExpectChange((*rows)[5], Kind::kDelete, odd_null, {});
}

}  // namespace
}  // namespace ordo::testing

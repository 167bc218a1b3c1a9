// The decoded representation is bindable: rows read from the binlog and bound into
// INSERT/UPDATE/DELETE on a copy of the table leave the copy equal to the source,
// SELECT for SELECT, for every column type.
#include "test_support.h"

namespace ordo::testing {
namespace {

using BinlogRoundTrip = BinlogTest;

// Applies one decoded change to `table` by its first column (the primary key), the
// way an applier would, with TIMESTAMPs read as UTC.
Status Apply(db::MysqlConnection& conn, const std::string& table,
             const std::vector<std::string>& columns, const RowChange& change) {
  switch (change.kind) {
    case RowChange::Kind::kInsert: {
      std::string sql = "INSERT INTO " + table + " VALUES (";
      for (size_t i = 0; i < change.after.size(); ++i) sql += i ? ", ?" : "?";
      return conn.Execute(sql + ")", change.after).status();
    }
    case RowChange::Kind::kUpdate: {
      std::string sql = "UPDATE " + table + " SET ";
      for (size_t i = 0; i < columns.size(); ++i)
        sql += (i ? ", " : "") + db::QuoteIdentifier(columns[i]) + " = ?";
      std::vector<db::SqlValue> params = change.after;
      params.push_back(change.before[0]);
      return conn.Execute(sql + " WHERE " + db::QuoteIdentifier(columns[0]) + " = ?", params)
          .status();
    }
    case RowChange::Kind::kDelete:
      return conn
          .Execute("DELETE FROM " + table + " WHERE " + db::QuoteIdentifier(columns[0]) + " = ?",
                   {change.before[0]})
          .status();
  }
  return Status::Ok();
}

TEST_F(BinlogRoundTrip, DecodedRowsBoundIntoACopyReproduceTheSourceForEveryType) {
  const std::string columns_ddl =
      " (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, mi MEDIUMINT, bu BIGINT UNSIGNED,"
      " bi BIGINT, de DECIMAL(65,30), ds DECIMAL(5,2), f FLOAT, d DOUBLE, dt DATE,"
      " tm TIME(6), dtm DATETIME(3), ts TIMESTAMP(6) NULL, y YEAR,"
      " cl CHAR(8) CHARACTER SET latin1, vu VARCHAR(300) CHARACTER SET utf8mb4,"
      " bn BINARY(5), vb VARBINARY(40), tl TEXT CHARACTER SET latin1,"
      " lt LONGTEXT CHARACTER SET utf8mb4, bl BLOB, e ENUM('x','y','z'), s SET('p','q','r'),"
      " bt BIT(12), j JSON, g POINT)";
  Exec("CREATE TABLE " + Table("src") + columns_ddl);
  Exec("CREATE TABLE " + Table("copy") + columns_ddl);
  auto reader = OpenReader({"src"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();

  // Written as SQL text in a +02:00 session, so nothing here is in the decoded form.
  auto writer = Connect({"SET SESSION time_zone = '+02:00'"});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  const std::string insert = "INSERT INTO " + Table("src") + " VALUES ";
  std::string nulls;  // every column but the key
  for (int i = 0; i < 26; ++i) nulls += ", NULL";
  const std::vector<std::string> statements = {
      insert +
          "(1, -128, 255, -8388608, 18446744073709551615, -9223372036854775808,"
          " -12345678901234567890123456789012345.123456789012345678901234567890, -999.99,"
          " 3.4028234e38, -1.7976931348623157e308, '1000-01-01', '-838:59:59.000000',"
          " '9999-12-31 23:59:59.999', '2038-01-19 05:14:07.999999', 1901, 'caf\xC3\xA9  ',"
          " '\xF0\x9F\x98\x80 x', 'ab', x'00ff00', 'r\xC3\xA9sum\xC3\xA9', "
          "REPEAT('\xF0\x9F\x98\x80', 70000),"
          " x'000102fffe', 'z', 'p,r', b'100000000001', '{\"k\": [1, \"\xC3\xA9\"]}',"
          " ST_GeomFromText('POINT(1.5 -2.25)'))",
      insert +
          "(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0000-00-00', '00:00:00', '0000-00-00 00:00:00',"
          " '0000-00-00 00:00:00', 0, '', '', '', '', '', '', '', 'x', '', b'0', '[]',"
          " ST_GeomFromText('POINT(0 0)'))",
      insert + "(3" + nulls + ")",
      insert +
          "(4, 127, 1, 8388607, 1, 9223372036854775807, 0.000000000000000000000000000001,"
          " 0.01, 1.17549435e-38, 4.9e-324, '2024-02-29', '-00:00:00.000001',"
          " '2024-02-29 12:00:00.5', '1970-01-01 02:00:01.000001', 2155, 'x', 'y',"
          " x'0000000000', x'00', x'e9', '', x'', 'y', 'q', b'111111111111', '\"s\"',"
          " ST_GeomFromText('POINT(-180 90)'))",
      "UPDATE " + Table("src") +
          " SET ti = -1, de = -0.5, tm = '12:00:00.25', ts = '2001-01-01 00:00:00', cl = 'r',"
          " bn = 'x', e = 'x', s = '', bt = b'1', j = '{}', g = ST_GeomFromText('POINT(3 4)')"
          " WHERE id = 1",
      "UPDATE " + Table("src") + " SET tu = 7, f = -0.0, d = NULL, g = NULL WHERE id = 2",
      "UPDATE " + Table("src") + " SET ti = 1, vu = 'set' WHERE id = 3",
      "DELETE FROM " + Table("src") + " WHERE id = 4",
  };
  for (const auto& sql : statements) {
    Status done = (*writer)->Execute(sql);
    ASSERT_TRUE(done.ok()) << sql << ": " << done.ToString();
  }
  auto rows = ReadRowChanges(**reader, statements.size());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), statements.size());

  auto names = conn_->Query(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = 'copy' ORDER BY ORDINAL_POSITION",
      {db::SqlValue::Text(db_)});
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  std::vector<std::string> columns;
  for (const auto& r : names->rows) columns.push_back(*r[0]);
  // conn_ runs with time_zone '+00:00', as appliers do.
  for (const RowChange& change : *rows) {
    Status applied = Apply(*conn_, Table("copy"), columns, change);
    ASSERT_TRUE(applied.ok()) << ::testing::PrintToString(change) << ": " << applied.ToString();
  }

  // Geometry compared as text; everything else as the server prints it.
  std::string select = "SELECT ";
  for (size_t i = 0; i < columns.size(); ++i)
    select +=
        (i ? ", " : "") + (columns[i] == "g" ? "ST_AsText(g)" : db::QuoteIdentifier(columns[i]));
  auto source = conn_->Query(select + " FROM " + Table("src") + " ORDER BY id");
  auto copy = conn_->Query(select + " FROM " + Table("copy") + " ORDER BY id");
  ASSERT_TRUE(source.ok() && copy.ok());
  ASSERT_EQ(source->rows.size(), 3u);
  ASSERT_EQ(copy->rows.size(), source->rows.size());
  for (size_t r = 0; r < source->rows.size(); ++r)
    for (size_t c = 0; c < columns.size(); ++c)
      EXPECT_EQ(copy->rows[r][c], source->rows[r][c]) << "row " << r << " column " << columns[c];
}

}  // namespace
}  // namespace ordo::testing

// DATE, TIME(n), DATETIME(n), TIMESTAMP(n) and YEAR read back from the binlog as the
// text the server prints, for every fractional precision 0..6.
#include "test_support.h"

namespace ordo::testing {
namespace {

using Kind = RowChange::Kind;
db::SqlValue I(int64_t v) { return db::SqlValue::Int(v); }
db::SqlValue T(std::string v) { return db::SqlValue::Text(std::move(v)); }

// `whole` followed by the first n digits of `digits` (nothing for n = 0).
std::string Frac(const std::string& whole, const std::string& digits, int n) {
  return n == 0 ? whole : whole + "." + digits.substr(0, static_cast<size_t>(n));
}

using BinlogTemporalTypes = BinlogTest;

TEST_F(BinlogTemporalTypes, EveryPrecisionOfTimeDatetimeAndTimestampIsExact) {
  Exec("CREATE TABLE " + Table("t") + " (id INT PRIMARY KEY, d DATE, y YEAR" +
       TemporalColumnsOfEveryPrecision() + ")");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();

  // Each row: id, date, year, then per precision a TIME, DATETIME and TIMESTAMP.
  auto row = [](int id, std::string date, std::string year, auto time, auto datetime,
                auto timestamp) {
    std::vector<db::SqlValue> r = {I(id), T(std::move(date)), T(std::move(year))};
    for (int n = 0; n <= 6; ++n) {
      r.push_back(T(time(n)));
      r.push_back(T(datetime(n)));
      r.push_back(T(timestamp(n)));
    }
    return r;
  };
  const auto highest = row(
      1, "9999-12-31", "2155", [](int n) { return Frac("838:59:59", "999999", n); },
      [](int n) { return Frac("9999-12-31 23:59:59", "999999", n); },
      [](int n) { return Frac("2038-01-19 03:14:07", "999999", n); });
  const auto lowest = row(
      2, "1000-01-01", "1901",
      [](int n) { return n == 0 ? "-838:59:59" : Frac("-838:59:59", "999999", n); },
      [](int n) { return Frac("1000-01-01 00:00:00", "000001", n); },
      [](int n) { return Frac("1970-01-01 00:00:01", "000001", n); });
  // Negative times just below zero: the sign lives in the fraction.
  const auto tiny = row(
      3, "2026-11-27", "2000",
      [](int n) {
        return n == 0 ? std::string("-00:00:01")
                      : "-00:00:00." + std::string(static_cast<size_t>(n - 1), '0') + "1";
      },
      [](int n) { return Frac("2026-11-27 10:00:00", "123456", n); },
      [](int n) { return Frac("2001-02-03 04:05:06", "123456", n); });
  const auto zero = row(
      4, "0000-00-00", "0000", [](int n) { return Frac("00:00:00", "000000", n); },
      [](int n) { return Frac("0000-00-00 00:00:00", "000000", n); },
      [](int n) { return Frac("0000-00-00 00:00:00", "000000", n); });
  const auto middle = row(
      4, "2024-02-29", "1999", [](int n) { return Frac("-12:34:56", "654321", n); },
      [](int n) { return Frac("2024-02-29 12:34:56", "654321", n); },
      [](int n) { return Frac("2024-02-29 12:34:56", "654321", n); });
  Insert("t", highest);
  Insert("t", lowest);
  Insert("t", tiny);
  Insert("t", zero);
  Update("t", I(4), middle);
  Delete("t", I(1));
  ExpectRound(**reader, {{highest, lowest, tiny, zero}, {{zero, middle}}, highest});
}

TEST_F(BinlogTemporalTypes, TimestampIsRenderedInUtcWhateverTheWritersTimeZone) {
  Exec("CREATE TABLE " + Table("t") +
       " (id INT PRIMARY KEY, ts TIMESTAMP(1) NULL, dt DATETIME(1))");
  auto reader = OpenReader({"t"});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto writer = Connect({"SET SESSION time_zone = '+05:30'"});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto done = (*writer)->Execute("INSERT INTO " + Table("t") + " VALUES (1, ?, ?)",
                                 {T("2001-02-03 10:00:00.5"), T("2001-02-03 10:00:00.5")});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto rows = ReadRowChanges(**reader, 1);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  ExpectChange((*rows)[0], Kind::kInsert, {},
               {I(1), T("2001-02-03 04:30:00.5"), T("2001-02-03 10:00:00.5")});
}

}  // namespace
}  // namespace ordo::testing

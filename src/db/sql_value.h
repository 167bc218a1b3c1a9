// SqlValue, SqlRow, SqlRows: bound parameters and string-typed result rows, the
// values every SQL client of ordo (MariaDB/MySQL, PostgreSQL, SQLite sessions of the
// store) takes and returns.
//
// Thread-safety: plain values.
//
//   std::vector<SqlValue> params = {SqlValue::Int(7), SqlValue::Text("alice")};
//   for (const SqlRow& row : rows.rows) std::cout << row[0].value_or("NULL");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ordo::db {

// A bound parameter value.
struct SqlValue {
  enum class Kind { kNull, kInt, kUInt, kDouble, kText, kBytes };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string s;  // kText (connection charset) or kBytes (binary, stored as-is)

  static SqlValue Null() { return {}; }
  static SqlValue Int(int64_t v) {
    SqlValue x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static SqlValue UInt(uint64_t v) {
    SqlValue x;
    x.kind = Kind::kUInt;
    x.u = v;
    return x;
  }
  static SqlValue Double(double v) {
    SqlValue x;
    x.kind = Kind::kDouble;
    x.d = v;
    return x;
  }
  static SqlValue Text(std::string v) {
    SqlValue x;
    x.kind = Kind::kText;
    x.s = std::move(v);
    return x;
  }
  static SqlValue Bytes(std::string v) {
    SqlValue x;
    x.kind = Kind::kBytes;
    x.s = std::move(v);
    return x;
  }
  bool operator==(const SqlValue&) const = default;
};

using SqlRow = std::vector<std::optional<std::string>>;

struct SqlRows {
  std::vector<std::string> columns;
  std::vector<SqlRow> rows;
};

}  // namespace ordo::db

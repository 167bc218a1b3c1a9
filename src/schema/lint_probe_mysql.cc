#include "schema/lint_probe_mysql.h"

#include <cstdlib>

#include "schema/lint_types.h"

namespace ordo::schema {
namespace {

std::optional<int64_t> Int(const std::optional<std::string>& cell) {
  if (!cell) return std::nullopt;
  return std::strtoll(cell->c_str(), nullptr, 10);
}

bool PlainWord(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

}  // namespace

Result<std::optional<db::SqlRow>> MysqlLintProbe::FirstRow(
    const std::string& sql, const std::vector<db::SqlValue>& params) {
  auto rows = params.empty() ? conn_.Query(sql) : conn_.Query(sql, params);
  if (!rows.ok()) {
    if (rows.status().Is(StatusCode::kUnavailable) || conn_.broken()) return rows.status();
    return std::optional<db::SqlRow>();
  }
  if (rows->rows.empty()) return std::optional<db::SqlRow>(db::SqlRow{});
  return std::optional<db::SqlRow>(std::move(rows->rows[0]));
}

ServerVersion MysqlLintProbe::Version() {
  if (!version_) {
    auto row = FirstRow("SELECT VERSION()");
    version_ = row.ok() && *row && !(*row)->empty() && (**row)[0]
                   ? ServerVersion::Parse(*(**row)[0])
                   : ServerVersion{};
  }
  return *version_;
}

Result<std::optional<int64_t>> MysqlLintProbe::MaxCharLength(const std::string& table,
                                                             const std::string& column) {
  ORDO_ASSIGN_OR_RETURN(auto row,
                        FirstRow("SELECT COALESCE(MAX(CHAR_LENGTH(" + db::QuoteIdentifier(column) +
                                 ")), 0) FROM " + db::QuoteTable(schema_, table)));
  if (!row || row->empty()) return std::optional<int64_t>();
  return Int((*row)[0]);
}

Result<std::optional<LintProbe::Range>> MysqlLintProbe::IntegerRange(const std::string& table,
                                                                     const std::string& column) {
  std::string c = db::QuoteIdentifier(column);
  ORDO_ASSIGN_OR_RETURN(auto row, FirstRow("SELECT MIN(" + c + "), MAX(" + c + ") FROM " +
                                           db::QuoteTable(schema_, table)));
  if (!row || row->size() < 2 || !(*row)[0] || !(*row)[1]) return std::optional<Range>();
  return std::optional<Range>(Range{*(*row)[0], *(*row)[1]});
}

Result<std::optional<bool>> MysqlLintProbe::HasNulls(const std::string& table,
                                                     const std::string& column) {
  ORDO_ASSIGN_OR_RETURN(auto row,
                        FirstRow("SELECT EXISTS(SELECT 1 FROM " + db::QuoteTable(schema_, table) +
                                 " WHERE " + db::QuoteIdentifier(column) + " IS NULL)"));
  if (!row || row->empty() || !(*row)[0]) return std::optional<bool>();
  return std::optional<bool>(*(*row)[0] != "0");
}

Result<std::optional<int64_t>> MysqlLintProbe::LossyValues(const std::string& table,
                                                           const std::string& column,
                                                           const std::string& charset) {
  if (!PlainWord(charset)) return std::optional<int64_t>();
  // A value survives when converting it to `charset` and back to utf8mb4 (which holds
  // every character) gives the same bytes; a character `charset` lacks becomes '?'.
  std::string c = db::QuoteIdentifier(column);
  ORDO_ASSIGN_OR_RETURN(
      auto row, FirstRow("SELECT COUNT(*) FROM " + db::QuoteTable(schema_, table) + " WHERE " + c +
                         " IS NOT NULL AND CAST(CONVERT(" + c +
                         " USING utf8mb4) AS BINARY) <> CAST(CONVERT(CONVERT(" + c + " USING " +
                         charset + ") USING utf8mb4) AS BINARY)"));
  if (!row || row->empty()) return std::optional<int64_t>();
  return Int((*row)[0]);
}

Result<std::optional<int64_t>> MysqlLintProbe::IndexReads(const std::string& table,
                                                          const std::string& index) {
  std::vector<db::SqlValue> where = {db::SqlValue::Text(schema_), db::SqlValue::Text(table),
                                     db::SqlValue::Text(index)};
  ORDO_ASSIGN_OR_RETURN(auto ps, FirstRow("SELECT @@performance_schema AND EXISTS(SELECT 1 FROM "
                                          "performance_schema.setup_instruments WHERE NAME = "
                                          "'wait/io/table/sql/handler' AND ENABLED = 'YES')"));
  if (ps && !ps->empty() && (*ps)[0] && *(*ps)[0] == "1") {
    ORDO_ASSIGN_OR_RETURN(auto row,
                          FirstRow("SELECT COUNT_READ FROM "
                                   "performance_schema.table_io_waits_summary_by_index_usage WHERE "
                                   "OBJECT_SCHEMA = ? AND OBJECT_NAME = ? AND INDEX_NAME = ?",
                                   where));
    if (row && !row->empty()) return Int((*row)[0]);
  }
  ORDO_ASSIGN_OR_RETURN(auto userstat, FirstRow("SELECT @@userstat"));
  if (userstat && !userstat->empty() && (*userstat)[0] && *(*userstat)[0] == "1") {
    ORDO_ASSIGN_OR_RETURN(auto row,
                          FirstRow("SELECT ROWS_READ FROM "
                                   "information_schema.INDEX_STATISTICS WHERE "
                                   "TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = ?",
                                   where));
    if (!row) return std::optional<int64_t>();
    return row->empty() ? std::optional<int64_t>(0) : Int((*row)[0]);
  }
  return std::optional<int64_t>();
}

}  // namespace ordo::schema

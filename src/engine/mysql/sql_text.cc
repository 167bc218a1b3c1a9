#include "engine/mysql/sql_text.h"

namespace ordo::engine {

std::string ColumnList(const std::vector<std::string>& names, const std::string& qualifier) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    if (!qualifier.empty()) out += qualifier + ".";
    out += db::QuoteIdentifier(names[i]);
  }
  return out;
}

std::string Placeholders(size_t width, size_t rows) {
  std::string one = "(";
  for (size_t i = 0; i < width; ++i) one += i ? ", ?" : "?";
  one += ")";
  std::string out;
  for (size_t r = 0; r < rows; ++r) out += r ? ", " + one : one;
  return out;
}

std::string RowPlaceholders(const std::vector<std::string>& exprs, size_t rows) {
  std::string one = "(";
  for (size_t i = 0; i < exprs.size(); ++i) one += (i ? ", " : "") + exprs[i];
  one += ")";
  std::string out;
  for (size_t r = 0; r < rows; ++r) out += r ? ", " + one : one;
  return out;
}

std::string KeyIn(const std::vector<std::string>& key, size_t rows) {
  return KeyIn(key, std::vector<std::string>(key.size(), "?"), rows);
}

std::string KeyIn(const std::vector<std::string>& key, const std::vector<std::string>& exprs,
                  size_t rows) {
  if (key.size() == 1) {
    std::string out = db::QuoteIdentifier(key[0]) + " IN (";
    for (size_t r = 0; r < rows; ++r) out += (r ? ", " : "") + exprs[0];
    return out + ")";
  }
  std::string one = "(";
  for (size_t i = 0; i < key.size(); ++i)
    one += (i ? " AND " : "") + db::QuoteIdentifier(key[i]) + " = " + exprs[i];
  one += ")";
  std::string out;
  for (size_t r = 0; r < rows; ++r) out += r ? " OR " + one : one;
  return out;
}

namespace {

// Lexicographic comparison as an OR of prefixes: (a op1 ?) OR (a = ? AND b op2 ?) …
void Bound(const std::vector<std::string>& key, const std::vector<db::SqlValue>& v, bool lower,
           Predicate* out) {
  std::string sql = "(";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) sql += " OR ";
    sql += "(";
    for (size_t j = 0; j < i; ++j) {
      sql += db::QuoteIdentifier(key[j]) + " = ? AND ";
      out->params.push_back(v[j]);
    }
    const char* op = lower ? " > ?" : (i + 1 == key.size() ? " <= ?" : " < ?");
    sql += db::QuoteIdentifier(key[i]) + op + ")";
    out->params.push_back(v[i]);
  }
  sql += ")";
  out->sql += out->sql.empty() ? sql : " AND " + sql;
}

}  // namespace

Predicate KeyRange(const std::vector<std::string>& key,
                   const std::optional<std::vector<db::SqlValue>>& lower,
                   const std::optional<std::vector<db::SqlValue>>& upper) {
  Predicate p;
  if (lower) Bound(key, *lower, true, &p);
  if (upper) Bound(key, *upper, false, &p);
  if (p.sql.empty()) p.sql = "1";
  return p;
}

std::vector<size_t> SplitBatch(size_t n) {
  static constexpr size_t kSizes[] = {256, 64, 16, 4, 1};
  std::vector<size_t> out;
  for (size_t s : kSizes)
    while (n >= s) {
      out.push_back(s);
      n -= s;
    }
  return out;
}

}  // namespace ordo::engine

// Small builders for the SQL text the engine sends. Every identifier goes through
// QuoteIdentifier; every value is a '?' placeholder bound by the caller.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/mysql/connection.h"

namespace ordo::engine {

// A row's key values, in key column order.
using Key = std::vector<db::SqlValue>;

// "`a`, `b`" (with an optional table qualifier for each column).
std::string ColumnList(const std::vector<std::string>& names, const std::string& qualifier = "");

// "(?, ?), (?, ?)": `rows` tuples of `width` placeholders.
std::string Placeholders(size_t width, size_t rows);

// "(e1, e2), (e1, e2)": `rows` tuples of the given value expressions (each holding
// one '?', e.g. "CONVERT(? USING latin1)").
std::string RowPlaceholders(const std::vector<std::string>& exprs, size_t rows);

// Matches any of `rows` keys: "`k` IN (?, ?)" for one column, else
// "(`a` = ? AND `b` = ?) OR (…)". Params: the keys' values, key after key.
std::string KeyIn(const std::vector<std::string>& key, size_t rows);
// The same with a value expression per key column (see RowPlaceholders).
std::string KeyIn(const std::vector<std::string>& key, const std::vector<std::string>& exprs,
                  size_t rows);

// A key range in key order (lexicographic over the key columns):
// lower < key (exclusive) and key <= upper (inclusive); either bound may be absent.
struct Predicate {
  std::string sql;  // "1" when unbounded
  std::vector<db::SqlValue> params;
};
Predicate KeyRange(const std::vector<std::string>& key,
                   const std::optional<std::vector<db::SqlValue>>& lower,
                   const std::optional<std::vector<db::SqlValue>>& upper);

// Batch sizes for multi-row statements: a batch of n is split into pieces of these
// sizes so that each connection prepares only a handful of distinct statements.
std::vector<size_t> SplitBatch(size_t n);

}  // namespace ordo::engine

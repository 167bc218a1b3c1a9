// SqlText: SQL text with the values its `?`s bind, in order, so fragments that carry
// parameters (a staleness bound, a budget) can be concatenated like strings.
//
// Thread-safety: a value type.
//
//   SqlText stale = "o.updated_at < " + SqlText::Param(SqlValue::Int(5));
//   SqlText q = "SELECT o.id FROM apply_operations o WHERE " + stale;
//   // q.text: "SELECT … WHERE o.updated_at < ?", q.params: {5}
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "db/sql_value.h"

namespace ordo::sqlstore {

struct SqlText {
  std::string text;
  std::vector<db::SqlValue> params;

  SqlText() = default;
  SqlText(const char* t) : text(t) {}             // NOLINT: implicit by design
  SqlText(std::string t) : text(std::move(t)) {}  // NOLINT: implicit by design
  SqlText(std::string t, std::vector<db::SqlValue> p) : text(std::move(t)), params(std::move(p)) {}
  static SqlText Param(db::SqlValue v) { return SqlText("?", {std::move(v)}); }

  SqlText& operator+=(const SqlText& o) {
    text += o.text;
    params.insert(params.end(), o.params.begin(), o.params.end());
    return *this;
  }
  // A copy with `extra` bound after the parameters (for trailing `?`s).
  SqlText With(std::vector<db::SqlValue> extra) const {
    SqlText q = *this;
    q.params.insert(q.params.end(), extra.begin(), extra.end());
    return q;
  }
};

inline SqlText operator+(SqlText a, const SqlText& b) { return a += b; }
inline SqlText operator+(SqlText a, const char* b) { return a += SqlText(b); }
inline SqlText operator+(SqlText a, const std::string& b) { return a += SqlText(b); }
inline SqlText operator+(const char* a, const SqlText& b) { return SqlText(a) += b; }
inline SqlText operator+(const std::string& a, const SqlText& b) { return SqlText(a) += b; }

}  // namespace ordo::sqlstore

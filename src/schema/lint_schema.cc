// The lint of a schema alone (LintSchema) and the per-table rules it shares with the
// lint of a change (lint_table.h).
#include <cmath>
#include <cstdio>

#include "db/mysql/connection.h"
#include "schema/lint.h"
#include "schema/lint_rules.h"
#include "schema/lint_table.h"
#include "schema/lint_types.h"

namespace ordo::schema {
namespace {

bool SameName(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

bool SameParts(const std::vector<IndexPart>& a, const std::vector<IndexPart>& b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!SameName(a[i].column, b[i].column) || a[i].prefix_length != b[i].prefix_length ||
        a[i].descending != b[i].descending)
      return false;
  return true;
}

bool Btree(const IndexDef& i) { return i.type.empty() || i.type == "BTREE"; }

void IndexAdvice(const TableDef& t, std::vector<Finding>& out) {
  const std::vector<IndexDef>& ix = t.indexes;
  std::vector<bool> reported(ix.size(), false);
  for (size_t a = 0; a < ix.size(); ++a)
    for (size_t b = a + 1; b < ix.size(); ++b) {
      if (ix[a].type != ix[b].type || ix[a].parts.size() != ix[b].parts.size() ||
          !SameParts(ix[a].parts, ix[b].parts, ix[a].parts.size()))
        continue;
      // The one to drop: the one that enforces less (a plain index beside a unique one).
      bool drop_a = ix[b].unique && !ix[a].unique;
      size_t drop = drop_a ? a : b, keep = drop_a ? b : a;
      if (reported[drop]) continue;
      reported[drop] = true;
      Finding f = MakeFinding("duplicate-index", t.name,
                              db::QuoteIdentifier(ix[drop].name) + " indexes the same columns (" +
                                  PartsText(ix[drop]) + ") as " +
                                  db::QuoteIdentifier(ix[keep].name) + ": drop one");
      f.index = ix[drop].name;
      out.push_back(std::move(f));
    }
  for (size_t a = 0; a < ix.size(); ++a) {
    if (reported[a] || ix[a].unique || !Btree(ix[a])) continue;
    for (size_t b = 0; b < ix.size(); ++b) {
      if (a == b || !Btree(ix[b]) || ix[b].parts.size() <= ix[a].parts.size() ||
          !SameParts(ix[a].parts, ix[b].parts, ix[a].parts.size()))
        continue;
      Finding f = MakeFinding("redundant-index", t.name,
                              db::QuoteIdentifier(ix[a].name) + " (" + PartsText(ix[a]) +
                                  ") is the leftmost part of " + db::QuoteIdentifier(ix[b].name) +
                                  " (" + PartsText(ix[b]) + "), which serves the same reads");
      f.index = ix[a].name;
      out.push_back(std::move(f));
      break;
    }
  }
}

void ColumnAdvice(const TableDef& t, std::optional<uint64_t> counter, std::vector<Finding>& out) {
  for (const ColumnDef& c : t.columns) {
    std::string type = Lower(c.data_type);
    Finding f;
    if ((type == "float" || type == "double" || type == "real") && LooksLikeMoney(c.name)) {
      f = MakeFinding("float-money", t.name,
                      db::QuoteIdentifier(c.name) + " is " + c.column_type +
                          ", which rounds amounts of money; DECIMAL keeps them exact");
    } else if ((type == "date" || type == "datetime" || type == "timestamp") && c.default_value &&
               c.default_value->find("0000-00-00") != std::string::npos) {
      f = MakeFinding("zero-date-default", t.name,
                      db::QuoteIdentifier(c.name) + " defaults to the zero date " +
                          *c.default_value + ", which the NO_ZERO_DATE SQL mode refuses");
    } else {
      continue;
    }
    f.column = c.name;
    out.push_back(std::move(f));
  }
  for (const ColumnDef& c : t.columns) {
    auto range = IntegerTypeOf(c);
    if (!c.auto_increment() || !range || !counter) continue;
    long double used = static_cast<long double>(*counter) / range->max;
    if (used < 0.8L) continue;
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.0Lf", std::floor(used * 100));
    Finding f = MakeFinding("auto-increment-capacity", t.name,
                            "AUTO_INCREMENT is at " + std::to_string(*counter) + ", " + percent +
                                " % of the maximum of " + db::QuoteIdentifier(c.name) + " " +
                                c.column_type + "; inserts fail once it is reached");
    f.column = c.name;
    out.push_back(std::move(f));
  }
}

void WordAdvice(const TableDef& t, std::vector<Finding>& out) {
  auto add = [&](const std::string& what, const std::string& name, std::string Finding::*field) {
    if (!IsReservedWord(name)) return;
    Finding f = MakeFinding("reserved-word", t.name,
                            "the " + what + " " + db::QuoteIdentifier(name) +
                                " is a reserved word: every statement must quote it");
    if (field != nullptr) f.*field = name;
    out.push_back(std::move(f));
  };
  add("table", t.name, nullptr);
  for (const ColumnDef& c : t.columns) add("column", c.name, &Finding::column);
  for (const IndexDef& i : t.indexes)
    if (!i.primary()) add("index", i.name, &Finding::index);
}

}  // namespace

std::string PartsText(const IndexDef& index) {
  std::string out;
  for (const IndexPart& p : index.parts) {
    if (!out.empty()) out += ", ";
    out += db::QuoteIdentifier(p.column);
    if (p.prefix_length) out += "(" + std::to_string(*p.prefix_length) + ")";
    if (p.descending) out += " DESC";
  }
  return out;
}

bool HasUsableKey(const TableDef& t) {
  for (const IndexDef& i : t.indexes) {
    if (!i.unique && !i.primary()) continue;
    bool not_null = !i.parts.empty();
    for (const IndexPart& p : i.parts) {
      const ColumnDef* c = t.FindColumn(p.column);
      not_null = not_null && c != nullptr && !c->nullable;
    }
    if (not_null) return true;
  }
  return false;
}

std::vector<std::string> ReferencingTables(const SchemaDef& schema, const std::string& table) {
  std::vector<std::string> out;
  for (const auto& [name, t] : schema.tables)
    for (const ConstraintDef& c : t.constraints) {
      if (c.kind != "FOREIGN KEY") continue;
      // "… REFERENCES `p` (`id`)" or "… REFERENCES `db`.`p` (`id`)": the last name before '('.
      size_t at = c.definition.find("REFERENCES ");
      if (at == std::string::npos) continue;
      std::string target;
      for (size_t i = at + 11;
           i < c.definition.size() && c.definition[i] != ' ' && c.definition[i] != '(';) {
        if (c.definition[i] == '.') {
          target.clear();
          ++i;
          continue;
        }
        if (c.definition[i] != '`') {
          target += c.definition[i++];
          continue;
        }
        for (++i; i < c.definition.size(); ++i) {
          if (c.definition[i] == '`' && i + 1 < c.definition.size() && c.definition[i + 1] == '`') {
            target += '`';
            ++i;
          } else if (c.definition[i] == '`') {
            ++i;
            break;
          } else {
            target += c.definition[i];
          }
        }
      }
      if (SameName(target, table) && !SameName(name, table)) out.push_back(name);
    }
  return out;
}

std::vector<Finding> TableBlockers(const TableDef& t, const SchemaDef& schema) {
  std::vector<Finding> out;
  if (!HasUsableKey(t))
    out.push_back(MakeFinding("no-primary-key", t.name,
                              "it has no primary key and no unique key over NOT NULL columns, so "
                              "the online copy cannot tell its rows apart"));
  std::string own;
  for (const ConstraintDef& c : t.constraints)
    if (c.kind == "FOREIGN KEY") own += (own.empty() ? "" : ", ") + db::QuoteIdentifier(c.name);
  std::string others;
  for (const std::string& r : ReferencingTables(schema, t.name))
    others += (others.empty() ? "" : ", ") + db::QuoteIdentifier(r);
  if (!own.empty() || !others.empty())
    out.push_back(
        MakeFinding("foreign-key", t.name,
                    (own.empty() ? "" : "it has the foreign keys " + own) +
                        (!own.empty() && !others.empty() ? " and " : "") +
                        (others.empty() ? "" : "the foreign keys of " + others + " reference it") +
                        "; the swap of an online change would leave them on the old table"));
  return out;
}

std::vector<Finding> TableAdvice(const TableDef& t, std::optional<uint64_t> counter) {
  std::vector<Finding> out;
  IndexAdvice(t, out);
  ColumnAdvice(t, counter, out);
  WordAdvice(t, out);
  return out;
}

std::vector<Finding> LintSchema(const SchemaDef& schema) {
  std::vector<Finding> out;
  for (const auto& [name, t] : schema.tables) {
    for (Finding& f : TableBlockers(t, schema)) out.push_back(std::move(f));
    for (Finding& f : TableAdvice(t, t.auto_increment)) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ordo::schema

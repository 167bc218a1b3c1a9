// The lint of a change (LintChange): what the change from a live schema to a desired one
// drops, narrows or converts, checked against the live data through a LintProbe; what
// blocks the tables it touches; what it could run natively; what advice it introduces.
#include <algorithm>

#include "db/mysql/connection.h"
#include "schema/lint.h"
#include "schema/lint_native.h"
#include "schema/lint_rules.h"
#include "schema/lint_table.h"
#include "schema/lint_types.h"

namespace ordo::schema {
namespace {

bool SameName(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

Finding ColumnFinding(std::string_view rule, const std::string& table, const std::string& column,
                      std::string message) {
  Finding f = MakeFinding(rule, table, std::move(message));
  f.column = column;
  return f;
}

std::string Q(const std::string& name) { return db::QuoteIdentifier(name); }

// A live column and the desired column it becomes (the same name, or a declared rename).
struct ColumnPair {
  const ColumnDef* live;
  const ColumnDef* desired;
};

Status LintModifiedColumn(const std::string& table, const ColumnPair& p, LintProbe& probe,
                          std::vector<Finding>& out) {
  const ColumnDef& l = *p.live;
  const ColumnDef& d = *p.desired;
  if (auto why = Narrowing(l, d)) {
    std::string data;
    if (IsStringType(l)) {
      ORDO_ASSIGN_OR_RETURN(auto longest, probe.MaxCharLength(table, l.name));
      data = longest ? "; its longest value now is " + std::to_string(*longest) + " characters"
                     : "; its longest value could not be read";
      if (longest && d.max_length && *longest > *d.max_length) data += ", which does not fit";
    } else if (IntegerTypeOf(l)) {
      ORDO_ASSIGN_OR_RETURN(auto range, probe.IntegerRange(table, l.name));
      data = !range ? "; it holds no values now"
                    : "; its values now range from " + range->min + " to " + range->max;
    }
    out.push_back(
        ColumnFinding("narrow-type", table, d.name, "narrowing " + Q(l.name) + ": " + *why + data));
  }
  if (IsStringType(l) && IsStringType(d) && !l.charset.empty() && !d.charset.empty() &&
      !CharsetHolds(d.charset, l.charset)) {
    ORDO_ASSIGN_OR_RETURN(auto lossy, probe.LossyValues(table, l.name, d.charset));
    std::string data = !lossy ? "the live values could not be checked"
                       : *lossy == 0
                           ? "no live value would change now, but later ones can"
                           : std::to_string(*lossy) + " live value(s) would lose characters";
    out.push_back(ColumnFinding("charset-truncation", table, d.name,
                                Q(l.name) + " moves from " + l.charset + " to " + d.charset +
                                    ", which cannot hold every character of " + l.charset + ": " +
                                    data));
  }
  if (l.nullable && !d.nullable) {
    ORDO_ASSIGN_OR_RETURN(auto nulls, probe.HasNulls(table, l.name));
    if (!nulls || *nulls)
      out.push_back(ColumnFinding(
          "not-null-with-nulls", table, d.name,
          Q(l.name) + " becomes NOT NULL but " +
              (nulls ? std::string("holds NULLs now: the change fails or turns them into ") +
                           "the type's zero value"
                     : std::string("whether it holds NULLs could not be checked"))));
  }
  return Status::Ok();
}

Status LintColumns(const TableDef& l, const TableDef& d, LintProbe& probe,
                   std::vector<Finding>& out) {
  std::vector<ColumnPair> pairs;
  std::vector<const ColumnDef*> dropped, added;
  for (const ColumnDef& dc : d.columns) {
    const ColumnDef* from = l.FindColumn(dc.renamed_from.empty() ? dc.name : dc.renamed_from);
    if (from != nullptr)
      pairs.push_back({from, &dc});
    else
      added.push_back(&dc);
  }
  for (const ColumnDef& lc : l.columns)
    if (std::none_of(pairs.begin(), pairs.end(),
                     [&](const ColumnPair& p) { return p.live == &lc; }))
      dropped.push_back(&lc);
  for (const ColumnDef* gone : dropped) {
    auto twin = std::find_if(added.begin(), added.end(), [&](const ColumnDef* a) {
      return Lower(a->column_type) == Lower(gone->column_type);
    });
    if (twin != added.end()) {
      out.push_back(ColumnFinding("rename-looks-like-drop-add", l.name, (*twin)->name,
                                  Q(gone->name) + " is dropped and " + Q((*twin)->name) +
                                      " added with the same type " + gone->column_type +
                                      ": if it is a rename, say so with `-- ordo:renamed-from " +
                                      gone->name + "` on its line, or the values are lost"));
      added.erase(twin);
      continue;
    }
    out.push_back(ColumnFinding("drop-column", l.name, gone->name,
                                "dropping " + Q(gone->name) + " loses its values"));
  }
  for (const ColumnPair& p : pairs) ORDO_RETURN_IF_ERROR(LintModifiedColumn(l.name, p, probe, out));
  return Status::Ok();
}

bool SameIndexShape(const IndexDef& a, const IndexDef& b) {
  if (a.unique != b.unique || a.type != b.type || a.parts.size() != b.parts.size()) return false;
  for (size_t i = 0; i < a.parts.size(); ++i)
    if (!SameName(a.parts[i].column, b.parts[i].column) ||
        a.parts[i].prefix_length != b.parts[i].prefix_length)
      return false;
  return true;
}

// Whether `by` serves the reads of `index`: the same index, or `index` plain (a unique
// index is also a constraint) and the leftmost columns of `by`, of the same type.
bool Covers(const IndexDef& by, const IndexDef& index) {
  if (SameIndexShape(by, index)) return true;
  if (index.unique || by.type != index.type || (!by.type.empty() && by.type != "BTREE") ||
      by.parts.size() < index.parts.size())
    return false;
  for (size_t i = 0; i < index.parts.size(); ++i)
    if (!SameName(by.parts[i].column, index.parts[i].column) ||
        by.parts[i].prefix_length != index.parts[i].prefix_length)
      return false;
  return true;
}

Status LintDroppedIndexes(const TableDef& l, const TableDef& d, LintProbe& probe,
                          std::vector<Finding>& out) {
  for (const IndexDef& li : l.indexes) {
    if (li.primary() || d.FindIndex(li.name) != nullptr) continue;
    // Renamed, or covered: an index of the desired table that is the same or begins
    // with the same columns keeps serving the same reads.
    if (std::any_of(d.indexes.begin(), d.indexes.end(),
                    [&](const IndexDef& di) { return Covers(di, li); }))
      continue;
    ORDO_ASSIGN_OR_RETURN(auto reads, probe.IndexReads(l.name, li.name));
    if (reads && *reads == 0) continue;
    Finding f = MakeFinding(
        "drop-index-in-use", l.name,
        "dropping " + Q(li.name) +
            (reads ? " (read " + std::to_string(*reads) + " times since the server started)"
                   : " (usage unknown: the server keeps no index "
                     "statistics; enable performance_schema or userstat)") +
            " can slow the queries that use it");
    f.index = li.name;
    out.push_back(std::move(f));
  }
  return Status::Ok();
}

bool SameFinding(const Finding& a, const Finding& b) {
  return a.rule == b.rule && a.table == b.table && a.column == b.column && a.index == b.index;
}

// The advice of the desired table that the live one does not already get.
void NewAdvice(const TableDef& l, const TableDef& d, std::vector<Finding>& out) {
  std::vector<Finding> before = TableAdvice(l, l.auto_increment);
  for (Finding& f : TableAdvice(d, l.auto_increment))
    if (std::none_of(before.begin(), before.end(),
                     [&](const Finding& b) { return SameFinding(b, f); }))
      out.push_back(std::move(f));
}

}  // namespace

Result<std::vector<Finding>> LintChange(const SchemaDef& live, const SchemaDef& desired,
                                        LintProbe& probe) {
  std::vector<Finding> out;
  for (const auto& [name, l] : live.tables)
    if (desired.Find(name) == nullptr)
      out.push_back(MakeFinding("drop-table", name, "dropping " + Q(name) + " loses its rows"));
  ServerVersion version = probe.Version();
  for (const auto& [name, d] : desired.tables) {
    const TableDef* l = live.Find(name);
    if (l == nullptr) {
      if (!HasUsableKey(d))
        out.push_back(MakeFinding("no-primary-key", name,
                                  "the new table has no primary key and no unique key over NOT "
                                  "NULL columns: ordo could never change it online"));
      for (Finding& f : TableAdvice(d, std::nullopt)) out.push_back(std::move(f));
      continue;
    }
    if (SameTable(*l, d)) continue;
    std::vector<Finding> blockers = TableBlockers(*l, live);
    for (Finding& f : TableBlockers(d, desired))
      if (std::none_of(blockers.begin(), blockers.end(),
                       [&](const Finding& b) { return b.rule == f.rule; }))
        blockers.push_back(std::move(f));
    for (Finding& f : blockers) out.push_back(std::move(f));
    ORDO_RETURN_IF_ERROR(LintColumns(*l, d, probe, out));
    ORDO_RETURN_IF_ERROR(LintDroppedIndexes(*l, d, probe, out));
    if (auto why = NativeReason(*l, d, version))
      out.push_back(MakeFinding("runs-natively", name, *why));
    NewAdvice(*l, d, out);
  }
  SortFindings(out);
  return out;
}

}  // namespace ordo::schema

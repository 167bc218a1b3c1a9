#include "schema/lint_native.h"

#include <algorithm>
#include <vector>

#include "db/mysql/connection.h"
#include "schema/lint_types.h"

namespace ordo::schema {
namespace {

bool SameName(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

bool Indexed(const TableDef& t, const std::string& column) {
  for (const IndexDef& i : t.indexes)
    for (const IndexPart& p : i.parts)
      if (SameName(p.column, column)) return true;
  return false;
}

bool HasFulltext(const TableDef& t) {
  return std::any_of(t.indexes.begin(), t.indexes.end(),
                     [](const IndexDef& i) { return i.type == "FULLTEXT"; });
}

bool Compressed(const TableDef& t) {
  auto it = t.options.items.find("ROW_FORMAT");
  return Lower(t.options.row_format) == "compressed" ||
         (it != t.options.items.end() && Lower(it->second) == "compressed");
}

// A default that is a literal (a quoted string, a number, NULL) rather than an expression.
bool ConstantDefault(const ColumnDef& c) {
  if (!c.default_value) return true;
  const std::string& v = *c.default_value;
  return v.empty() || v[0] == '\'' || v == "NULL" || v.find('(') == std::string::npos;
}

// What the instant and in-place parts of a change are; `copy` once any part needs one.
struct Verdict {
  std::vector<std::string> instant;
  std::vector<std::string> in_place;
  bool copy = false;
  const ServerVersion* version = nullptr;

  void Instant(bool allowed, std::string what) {
    if (!allowed) copy = true;
    instant.push_back(std::move(what));
  }
};

// Whether `l` → `d` (a kept column) differs only in what can change instantly; the
// change's description in `what`.
bool InstantColumnChange(const TableDef& lt, const ColumnDef& l, const ColumnDef& d,
                         const ServerVersion& v, std::vector<std::string>& what) {
  std::string name = db::QuoteIdentifier(d.name);
  if (!SameName(l.name, d.name)) {
    if (!v.AtLeast(10, 3)) return false;
    what.push_back("renames " + db::QuoteIdentifier(l.name) + " to " + name);
  }
  bool same_rest = l.nullable == d.nullable && l.charset == d.charset &&
                   l.collation == d.collation && l.extra == d.extra &&
                   l.generation_expression == d.generation_expression;
  if (!same_rest) return false;
  if (Lower(l.column_type) != Lower(d.column_type)) {
    std::vector<std::string> lm = EnumMembers(l), dm = EnumMembers(d);
    bool appended = !lm.empty() && Lower(l.data_type) == Lower(d.data_type) &&
                    dm.size() > lm.size() && std::equal(lm.begin(), lm.end(), dm.begin()) &&
                    (Lower(l.data_type) == "set" ? dm.size() <= 8 : dm.size() <= 255);
    int bytes = CharsetMaxBytes(l.charset);
    bool widened = Lower(l.data_type) == "varchar" && Lower(d.data_type) == "varchar" &&
                   l.max_length && d.max_length && *d.max_length > *l.max_length &&
                   (*l.max_length * bytes > 255) == (*d.max_length * bytes > 255) &&
                   !Indexed(lt, l.name) && v.AtLeast(10, 4);
    if (appended && v.AtLeast(10, 3))
      what.push_back("appends members to " + name);
    else if (widened)
      what.push_back("widens " + name + " within its length bytes");
    else
      return false;
  }
  if (l.default_value != d.default_value) what.push_back("changes the default of " + name);
  if (l.comment != d.comment) what.push_back("changes the comment of " + name);
  return true;
}

void Columns(const TableDef& l, const TableDef& d, Verdict& v) {
  const ServerVersion& ver = *v.version;
  bool blocked_table = HasFulltext(l) || Compressed(l);
  std::vector<const ColumnDef*> kept_live;  // in desired order
  size_t last_kept = 0;                     // desired position of the last kept column
  for (size_t i = 0; i < d.columns.size(); ++i) {
    const ColumnDef& dc = d.columns[i];
    const ColumnDef* lc = l.FindColumn(dc.renamed_from.empty() ? dc.name : dc.renamed_from);
    if (lc == nullptr) continue;
    kept_live.push_back(lc);
    last_kept = i;
    std::vector<std::string> what;
    if (!InstantColumnChange(l, *lc, dc, ver, what)) v.copy = true;
    for (std::string& w : what) v.Instant(true, std::move(w));
  }
  for (size_t i = 0; i < d.columns.size(); ++i) {
    const ColumnDef& dc = d.columns[i];
    if (std::find_if(kept_live.begin(), kept_live.end(), [&](const ColumnDef* k) {
          return SameName(k->name, dc.renamed_from.empty() ? dc.name : dc.renamed_from);
        }) != kept_live.end())
      continue;
    bool last = i > last_kept || kept_live.empty();
    bool ok = !blocked_table && !dc.auto_increment() &&
              Lower(dc.extra).find("stored") == std::string::npos && ConstantDefault(dc) &&
              (ver.AtLeast(10, 4) || (last && ver.AtLeast(10, 3)));
    v.Instant(ok, "adds " + db::QuoteIdentifier(dc.name) + (last ? " last" : ""));
  }
  for (const ColumnDef& lc : l.columns)
    if (std::find(kept_live.begin(), kept_live.end(), &lc) == kept_live.end())
      v.Instant(!blocked_table && !Indexed(l, lc.name) && ver.AtLeast(10, 4),
                "drops " + db::QuoteIdentifier(lc.name));
  // The kept columns in another order than the live table's.
  std::vector<const ColumnDef*> live_order;
  for (const ColumnDef& lc : l.columns)
    if (std::find(kept_live.begin(), kept_live.end(), &lc) != kept_live.end())
      live_order.push_back(&lc);
  if (live_order != kept_live) v.Instant(!blocked_table && ver.AtLeast(10, 4), "reorders columns");
}

void Indexes(const TableDef& l, const TableDef& d, Verdict& v) {
  auto plain = [](const IndexDef& i) {
    return !i.primary() && (i.type.empty() || i.type == "BTREE");
  };
  for (const IndexDef& li : l.indexes) {
    const IndexDef* di = d.FindIndex(li.name);
    if (di != nullptr && di->definition == li.definition) continue;
    if (!plain(li)) v.copy = true;
    v.in_place.push_back("drops index " + db::QuoteIdentifier(li.name));
  }
  for (const IndexDef& di : d.indexes) {
    const IndexDef* li = l.FindIndex(di.name);
    if (li != nullptr && li->definition == di.definition) continue;
    if (!plain(di)) v.copy = true;
    v.in_place.push_back("adds index " + db::QuoteIdentifier(di.name));
  }
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

std::optional<std::string> NativeReason(const TableDef& live, const TableDef& desired,
                                        const ServerVersion& version) {
  if (!version.mariadb) return std::nullopt;
  Verdict v;
  v.version = &version;
  if (live.constraints.size() != desired.constraints.size()) return std::nullopt;
  for (size_t i = 0; i < live.constraints.size(); ++i)
    if (live.constraints[i].definition != desired.constraints[i].definition) return std::nullopt;
  for (const auto& [key, value] : live.options.items) {
    auto it = desired.options.items.find(key);
    if (it == desired.options.items.end() || it->second != value) {
      if (key != "COMMENT") return std::nullopt;
    }
  }
  for (const auto& [key, value] : desired.options.items)
    if (live.options.items.count(key) == 0 && key != "COMMENT") return std::nullopt;
  if (live.options.comment != desired.options.comment) v.Instant(true, "changes the table comment");
  Columns(live, desired, v);
  Indexes(live, desired, v);
  if (v.copy || (v.instant.empty() && v.in_place.empty())) return std::nullopt;
  std::string server =
      "MariaDB " + std::to_string(version.major) + "." + std::to_string(version.minor);
  if (v.in_place.empty())
    return server + " runs it instantly, changing only metadata: " + Join(v.instant);
  std::string out = server + " runs it in place, without copying the table while writes go on: " +
                    Join(v.in_place);
  if (!v.instant.empty()) out += "; instantly: " + Join(v.instant);
  return out;
}

}  // namespace ordo::schema

// DiffTable: the one ALTER TABLE that turns a live table into the desired one (diff.h).
#include <algorithm>
#include <map>
#include <set>

#include "db/mysql/connection.h"
#include "schema/diff.h"

namespace ordo::schema {
namespace {

// The elements of `a` that belong to a longest common subsequence of `a` and `b`: those
// that can stay where they are while the others move.
std::set<std::string> Stable(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t n = a.size();
  size_t m = b.size();
  std::vector<std::vector<int>> len(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      len[i][j] = a[i] == b[j] ? len[i + 1][j + 1] + 1 : std::max(len[i + 1][j], len[i][j + 1]);
  std::set<std::string> out;
  for (size_t i = 0, j = 0; i < n && j < m;) {
    if (a[i] == b[j]) {
      out.insert(a[i]);
      ++i;
      ++j;
    } else if (len[i + 1][j] >= len[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// The order class the server sorts keys by in SHOW CREATE TABLE: a new key lands after
// the kept keys of its class. Coarse on purpose: merging classes only makes the plan
// rebuild more keys than needed, never produce the wrong order (verify.h checks).
int KeyClass(const IndexDef& idx) {
  if (idx.primary()) return 0;
  if (idx.definition.compare(0, 11, "UNIQUE KEY ") == 0) return 1;
  return 2;
}

bool SameColumn(const ColumnDef& a, const ColumnDef& b) {
  return a.definition == b.definition && a.charset == b.charset && a.collation == b.collation;
}

std::string DropIndex(const IndexDef& idx) {
  return idx.primary() ? "DROP PRIMARY KEY" : "DROP INDEX " + db::QuoteIdentifier(idx.name);
}

struct Alter {
  std::vector<std::string> clauses;
  std::vector<std::string> details;
  void Add(std::string clause, std::string detail) {
    clauses.push_back(std::move(clause));
    details.push_back(std::move(detail));
  }
};

void DiffColumns(const TableDef& current, const TableDef& desired, Alter& alter) {
  // Which live column each desired column comes from: the same name, or a declared rename.
  std::map<std::string, const ColumnDef*> source;
  std::set<std::string> used;
  for (const ColumnDef& d : desired.columns)
    if (const ColumnDef* c = current.FindColumn(d.name)) {
      source[d.name] = c;
      used.insert(c->name);
    }
  for (const ColumnDef& d : desired.columns) {
    if (source.count(d.name) != 0 || d.renamed_from.empty()) continue;
    const ColumnDef* c = current.FindColumn(d.renamed_from);
    if (c == nullptr || used.count(c->name) != 0 || desired.FindColumn(c->name) != nullptr)
      continue;
    source[d.name] = c;
    used.insert(c->name);
  }
  std::vector<std::string> kept;  // live order, by desired name
  for (const ColumnDef& c : current.columns) {
    if (used.count(c.name) == 0) {
      alter.Add("DROP COLUMN " + db::QuoteIdentifier(c.name),
                "drop column " + db::QuoteIdentifier(c.name));
      continue;
    }
    for (const auto& [name, from] : source)
      if (from == &c) kept.push_back(name);
  }
  std::vector<std::string> wanted;
  for (const ColumnDef& d : desired.columns)
    if (source.count(d.name) != 0) wanted.push_back(d.name);
  std::set<std::string> stable = Stable(kept, wanted);
  std::string previous;  // the desired column before this one
  for (const ColumnDef& d : desired.columns) {
    std::string position = previous.empty() ? " FIRST" : " AFTER " + db::QuoteIdentifier(previous);
    std::string def = ExplicitColumnDefinition(d);
    std::string name = db::QuoteIdentifier(d.name);
    previous = d.name;
    auto from = source.find(d.name);
    if (from == source.end()) {
      alter.Add("ADD COLUMN " + def + position, "add column " + name + position);
      continue;
    }
    const ColumnDef& c = *from->second;
    bool moved = stable.count(d.name) == 0;
    if (c.name != d.name) {
      alter.Add(
          "CHANGE COLUMN " + db::QuoteIdentifier(c.name) + " " + def + (moved ? position : ""),
          "rename column " + db::QuoteIdentifier(c.name) + " to " + name);
      continue;
    }
    if (SameColumn(c, d) && !moved) continue;
    std::string detail = "modify column " + name;
    if (!SameColumn(c, d)) {
      detail += ": " + ExplicitColumnDefinition(c) + " -> " + def;
    }
    if (moved) detail += " (moved" + position + ")";
    alter.Add("MODIFY COLUMN " + def + (moved ? position : ""), detail);
  }
}

// Keys dropped (before the columns change) and added (after), with the keys whose place
// in the server's order would otherwise come out wrong rebuilt.
void DiffKeys(const TableDef& current, const TableDef& desired, Alter& drops, Alter& adds) {
  std::vector<std::string> live_kept;
  std::vector<std::string> desired_kept;
  for (const IndexDef& c : current.indexes) {
    const IndexDef* d = desired.FindIndex(c.name);
    if (d != nullptr && d->definition == c.definition) live_kept.push_back(c.name);
  }
  for (const IndexDef& d : desired.indexes) {
    const IndexDef* c = current.FindIndex(d.name);
    if (c != nullptr && c->definition == d.definition) desired_kept.push_back(d.name);
  }
  std::set<std::string> stable = Stable(live_kept, desired_kept);
  std::set<int> added_classes;
  std::set<std::string> rebuild;
  for (const IndexDef& d : desired.indexes) {
    bool keep = stable.count(d.name) != 0 && added_classes.count(KeyClass(d)) == 0;
    if (!keep) {
      added_classes.insert(KeyClass(d));
      rebuild.insert(d.name);
    }
  }
  for (const IndexDef& c : current.indexes) {
    const IndexDef* d = desired.FindIndex(c.name);
    if (d == nullptr) {
      drops.Add(DropIndex(c), "drop " + c.definition);
    } else if (rebuild.count(c.name) != 0) {
      drops.Add(DropIndex(c), "");
    }
  }
  for (const IndexDef& d : desired.indexes) {
    if (rebuild.count(d.name) == 0) continue;
    const IndexDef* c = current.FindIndex(d.name);
    std::string detail;
    if (c == nullptr)
      detail = "add " + d.definition;
    else if (c->definition != d.definition)
      detail = "change " + c->definition + " -> " + d.definition;
    else
      detail = "rebuild " + d.definition + " (keeps the server's key order)";
    adds.Add("ADD " + d.definition, detail);
  }
}

void DiffConstraints(const TableDef& current, const TableDef& desired, Alter& drops, Alter& adds) {
  auto find = [](const TableDef& t, const std::string& name) -> const ConstraintDef* {
    for (const ConstraintDef& c : t.constraints)
      if (c.name == name) return &c;
    return nullptr;
  };
  for (const ConstraintDef& c : current.constraints) {
    const ConstraintDef* d = find(desired, c.name);
    if (d != nullptr && d->definition == c.definition) continue;
    std::string what = c.kind == "CHECK" ? "DROP CONSTRAINT " : "DROP FOREIGN KEY ";
    drops.Add(what + db::QuoteIdentifier(c.name), "drop " + c.definition);
  }
  for (const ConstraintDef& d : desired.constraints) {
    const ConstraintDef* c = find(current, d.name);
    if (c != nullptr && c->definition == d.definition) continue;
    adds.Add("ADD " + d.definition, "add " + d.definition);
  }
}

// The value that resets a table option the desired table does not declare.
std::string ResetValue(const std::string& name) {
  if (name == "COMMENT") return "''";
  if (name == "KEY_BLOCK_SIZE") return "0";
  return "DEFAULT";
}

void DiffOptions(const TableOptions& current, const TableOptions& desired, Alter& alter) {
  const auto& c = current.items;
  const auto& d = desired.items;
  auto value = [](const std::map<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
  };
  std::vector<std::string> parts;
  // The default character set and collation go together: a charset alone resets the
  // collation to the charset's default.
  if (value(c, "DEFAULT CHARSET") != value(d, "DEFAULT CHARSET") ||
      value(c, "COLLATE") != value(d, "COLLATE")) {
    if (!value(d, "DEFAULT CHARSET").empty())
      parts.push_back("DEFAULT CHARSET=" + value(d, "DEFAULT CHARSET"));
    if (!value(d, "COLLATE").empty()) parts.push_back("COLLATE=" + value(d, "COLLATE"));
  }
  for (const auto& [name, v] : d) {
    if (name == "DEFAULT CHARSET" || name == "COLLATE" || name == "PARTITION") continue;
    if (value(c, name) != v) parts.push_back(name + "=" + v);
  }
  for (const auto& [name, v] : c) {
    if (name == "DEFAULT CHARSET" || name == "COLLATE" || name == "PARTITION") continue;
    if (d.count(name) == 0) parts.push_back(name + "=" + ResetValue(name));
  }
  if (parts.empty()) return;
  std::string clause;
  for (const std::string& p : parts) clause += (clause.empty() ? "" : " ") + p;
  alter.Add(clause, "table options: " + current.text + " -> " + desired.text);
}

}  // namespace

std::optional<TableChange> DiffTable(const TableDef& current, const TableDef& desired) {
  Alter drops;
  Alter adds;
  Alter columns;
  Alter options;
  DiffConstraints(current, desired, drops, adds);
  DiffKeys(current, desired, drops, adds);
  DiffColumns(current, desired, columns);
  DiffOptions(current.options, desired.options, options);
  TableChange change;
  change.table = desired.name;
  change.kind = ChangeKind::kAlter;
  std::vector<std::string> clauses;
  for (Alter* part : {&drops, &columns, &adds, &options}) {
    clauses.insert(clauses.end(), part->clauses.begin(), part->clauses.end());
    for (std::string& d : part->details)
      if (!d.empty()) change.details.push_back(std::move(d));
  }
  if (clauses.empty()) return std::nullopt;
  change.statement = "ALTER TABLE " + db::QuoteIdentifier(desired.name);
  for (size_t i = 0; i < clauses.size(); ++i)
    change.statement += (i == 0 ? "\n  " : ",\n  ") + clauses[i];
  return change;
}

}  // namespace ordo::schema

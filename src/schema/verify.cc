#include "schema/verify.h"

#include "schema/reader.h"

namespace ordo::schema {
namespace {

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Status Mismatch(const std::string& table, const std::string& what) {
  return Internal("plan verification failed: table `" + table + "`: " + what);
}

}  // namespace

std::string FirstDifference(std::string_view got, std::string_view want) {
  std::vector<std::string> a = Lines(NormalizeCreateTable(got));
  std::vector<std::string> b = Lines(NormalizeCreateTable(want));
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? a[i] : "(nothing)";
    std::string y = i < b.size() ? b[i] : "(nothing)";
    if (x != y) return "line " + std::to_string(i + 1) + ": got \"" + x + "\", want \"" + y + "\"";
  }
  return "";
}

Status VerifyChanges(db::MysqlConnection& conn, const SchemaDef& live, const SchemaDef& desired,
                     const std::vector<TableChange>& changes, const CancelCheck& cancelled) {
  if (changes.empty()) return Status::Ok();
  ORDO_ASSIGN_OR_RETURN(auto scratch, ScratchSchema::Create(conn));
  ORDO_RETURN_IF_ERROR(conn.Execute("SET SESSION foreign_key_checks = 0"));
  std::vector<std::string> touched;
  for (const TableChange& c : changes) {
    touched.push_back(c.table);
    if (c.kind == ChangeKind::kCreate) continue;
    const TableDef* t = live.Find(c.table);
    if (t == nullptr) return Internal("plan verification: no live table `" + c.table + "`");
    ORDO_RETURN_IF_ERROR(scratch->Execute(t->create_sql));
  }
  for (const TableChange& c : changes) {
    if (cancelled && cancelled()) return Cancelled("plan interrupted");
    Status run = scratch->Execute(c.statement);
    if (!run.ok()) {
      if (run.Is(StatusCode::kUnavailable)) return run;
      return InvalidArgument("plan verification failed: table `" + c.table +
                             "`: the server refused the plan's statement: " + run.message() + "\n" +
                             c.statement);
    }
  }
  ORDO_RETURN_IF_ERROR(conn.Execute("SET SESSION foreign_key_checks = 1"));
  ORDO_ASSIGN_OR_RETURN(SchemaDef got, ReadTables(conn, scratch->name(), touched));
  for (const TableChange& c : changes) {
    const TableDef* want = desired.Find(c.table);
    const TableDef* have = got.Find(c.table);
    if (want == nullptr) {
      if (have != nullptr) return Mismatch(c.table, "still there after the plan drops it");
      continue;
    }
    if (have == nullptr) return Mismatch(c.table, "missing after the plan");
    std::string diff = FirstDifference(have->create_sql, want->create_sql);
    if (!diff.empty()) return Mismatch(c.table, diff);
    if (!SameTable(*have, *want))
      return Mismatch(c.table, "columns' character sets or collations differ from the files'");
  }
  return scratch->Drop();
}

}  // namespace ordo::schema

#include "schema/lint_rules.h"

#include <algorithm>
#include <tuple>

#include "core/check.h"
#include "schema/lint_types.h"

namespace ordo::schema {

const std::vector<RuleInfo>& LintRules() {
  static const std::vector<RuleInfo> kRules = {
      {"no-primary-key", Severity::kBlocked,
       "a table without a primary key or a unique key over NOT NULL columns: the online "
       "copy cannot tell its rows apart"},
      {"foreign-key", Severity::kBlocked,
       "a table with foreign keys, or referenced by one: the swap would leave them pointing "
       "at the old table"},
      {"rename-looks-like-drop-add", Severity::kBlocked,
       "a column dropped and one of the same type added in one change: a rename written as "
       "drop and add loses the values (declare it with `-- ordo:renamed-from OLD`)"},
      {"drop-table", Severity::kUnsafe, "a table dropped: its rows go with it"},
      {"drop-column", Severity::kUnsafe, "a column dropped: its values go with it"},
      {"drop-index-in-use", Severity::kUnsafe,
       "an index dropped that the server reports as read, or whose use it cannot tell, "
       "and that no remaining index covers"},
      {"narrow-type", Severity::kUnsafe,
       "a column's type or length narrowed: values that do not fit fail or are cut "
       "(the longest or largest live value is shown)"},
      {"charset-truncation", Severity::kUnsafe,
       "a column moved to a character set that cannot hold every character of the old one "
       "(the live values that would not survive are counted)"},
      {"not-null-with-nulls", Severity::kUnsafe,
       "a column made NOT NULL that holds NULLs now (or whose NULLs could not be counted)"},
      {"runs-natively", Severity::kNative,
       "the server can run the table's change itself, instantly or in place, and why"},
      {"duplicate-index", Severity::kAdvisory,
       "two indexes over the same columns: one is never needed"},
      {"redundant-index", Severity::kAdvisory,
       "an index whose columns begin another index: the longer one serves its reads"},
      {"float-money", Severity::kAdvisory,
       "a FLOAT or DOUBLE column named like money (price, amount, total, …): use DECIMAL"},
      {"zero-date-default", Severity::kAdvisory,
       "a date or time column defaulting to a zero date, which strict SQL modes refuse"},
      {"auto-increment-capacity", Severity::kAdvisory,
       "a table's AUTO_INCREMENT counter past 80 % of its column type's maximum"},
      {"reserved-word", Severity::kAdvisory,
       "a table, column or index named with a reserved word of MariaDB or MySQL"},
      {"missing-charset", Severity::kAdvisory,
       "a schema file's CREATE TABLE naming no character set: it takes whatever the "
       "server's default is"},
  };
  return kRules;
}

const RuleInfo* FindRule(std::string_view id) {
  for (const RuleInfo& r : LintRules())
    if (r.id == id) return &r;
  return nullptr;
}

Finding MakeFinding(std::string_view id, std::string table, std::string message) {
  const RuleInfo* rule = FindRule(id);
  ORDO_CHECK(rule != nullptr) << "unknown lint rule " << id;
  Finding f;
  f.severity = rule->severity;
  f.rule = std::string(id);
  f.table = std::move(table);
  f.message = std::move(message);
  return f;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kBlocked:
      return "blocked";
    case Severity::kUnsafe:
      return "unsafe";
    case Severity::kNative:
      return "native";
    case Severity::kAdvisory:
      return "advisory";
  }
  return "";
}

bool Refuses(const std::vector<Finding>& findings, bool allow_unsafe) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
    return f.severity == Severity::kBlocked || (f.severity == Severity::kUnsafe && !allow_unsafe);
  });
}

void SortFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.severity, a.table, a.column, a.index, a.rule) <
           std::tie(b.severity, b.table, b.column, b.index, b.rule);
  });
}

ServerVersion ServerVersion::Parse(std::string_view version) {
  ServerVersion v;
  v.mariadb = Lower(version).find("mariadb") != std::string::npos;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  size_t i = 0;
  for (int* part : parts) {
    while (i < version.size() && version[i] >= '0' && version[i] <= '9')
      *part = *part * 10 + (version[i++] - '0');
    if (i >= version.size() || version[i] != '.') break;
    ++i;
  }
  return v;
}

bool ServerVersion::AtLeast(int major_at_least, int minor_at_least, int patch_at_least) const {
  return std::tie(major, minor, patch) >= std::tie(major_at_least, minor_at_least, patch_at_least);
}

}  // namespace ordo::schema

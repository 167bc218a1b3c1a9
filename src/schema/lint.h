// The schema lint: findings about a live schema (`ordo lint`) and about a change from a
// live schema to a desired one (`ordo plan`), each on a severity ladder:
//
//   blocked   ordo refuses it (the online path cannot change the table at all);
//   unsafe    ordo runs it only with --allow-unsafe (rows or columns can be lost);
//   native    the server can run it itself, instant or in place (with the reason);
//   advisory  worth a look, never refused.
//
// Every rule has a stable id (lint_rules.h lists them with their severity). The rules
// are pure functions of the schema model (schema/model.h) and of what a LintProbe says
// about the live data — the longest value of a column, whether it holds NULLs, whether
// an index is read — so tests and callers choose where the answers come from
// (lint_probe_mysql.h asks the deployment itself).
//
// Thread-safety: pure functions; a probe is used by one thread at a time.
//
//   MysqlLintProbe probe(conn, "shop");
//   ORDO_ASSIGN_OR_RETURN(std::vector<Finding> f, LintChange(live, desired, probe));
//   if (Refuses(f, /*allow_unsafe=*/false)) …
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/status.h"
#include "schema/model.h"

namespace ordo::schema {

enum class Severity { kBlocked, kUnsafe, kNative, kAdvisory };  // the ladder, worst first

// "blocked", "unsafe", "native", "advisory".
std::string_view SeverityName(Severity s);

struct Finding {
  Severity severity = Severity::kAdvisory;
  std::string rule;  // a stable id: "no-primary-key", "drop-column", …
  std::string table;
  std::string column;   // empty unless the finding is about one column
  std::string index;    // empty unless the finding is about one index
  std::string message;  // why, in one sentence
};

// The server a schema lives on, as VERSION() says ("10.11.6-MariaDB-log").
struct ServerVersion {
  bool mariadb = false;
  int major = 0;
  int minor = 0;
  int patch = 0;

  static ServerVersion Parse(std::string_view version);
  bool AtLeast(int major, int minor, int patch = 0) const;
};

// What the live data says, asked only where a rule depends on it. Each answer is
// nullopt when the server cannot tell (a privilege missing, statistics off); an error
// is returned only when the connection failed, which ends the lint.
class LintProbe {
 public:
  virtual ~LintProbe() = default;
  virtual ServerVersion Version() = 0;
  // MAX(CHAR_LENGTH(column)) (0 for an empty table).
  virtual Result<std::optional<int64_t>> MaxCharLength(const std::string& table,
                                                       const std::string& column) = 0;
  // MIN(column) and MAX(column) of an integer column, as text; nullopt for an empty table.
  struct Range {
    std::string min;
    std::string max;
  };
  virtual Result<std::optional<Range>> IntegerRange(const std::string& table,
                                                    const std::string& column) = 0;
  virtual Result<std::optional<bool>> HasNulls(const std::string& table,
                                               const std::string& column) = 0;
  // How many values of `column` would not survive a conversion to `charset`.
  virtual Result<std::optional<int64_t>> LossyValues(const std::string& table,
                                                     const std::string& column,
                                                     const std::string& charset) = 0;
  // How many times the index was read since the server started (performance_schema or
  // userstat); nullopt when neither keeps count.
  virtual Result<std::optional<int64_t>> IndexReads(const std::string& table,
                                                    const std::string& index) = 0;
};

// The rules that judge a schema alone: no-primary-key, foreign-key, duplicate-index,
// redundant-index, float-money, zero-date-default, auto-increment-capacity (from each
// table's live AUTO_INCREMENT), reserved-word. Findings in table order. Pure.
std::vector<Finding> LintSchema(const SchemaDef& schema);

// The findings of the change that brings `live` to `desired`: the change rules
// (drop-table, drop-column, drop-index-in-use, narrow-type, charset-truncation,
// not-null-with-nulls, rename-looks-like-drop-add, runs-natively), the blocking rules
// for every table the change creates or alters, and the advisory rules for what the
// change adds (a new column named like money, a new duplicate index, …). Tables the
// change leaves alone get no findings here (`ordo lint` reports those). Errors only
// from the probe's connection.
Result<std::vector<Finding>> LintChange(const SchemaDef& live, const SchemaDef& desired,
                                        LintProbe& probe);

// Whether the findings refuse the change: any blocked one, or an unsafe one unless
// `allow_unsafe`.
bool Refuses(const std::vector<Finding>& findings, bool allow_unsafe);

// Sorts findings by severity (worst first), then table, column, index and rule.
void SortFindings(std::vector<Finding>& findings);

}  // namespace ordo::schema

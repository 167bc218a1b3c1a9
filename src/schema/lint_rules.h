// The lint's rules as data: each rule's stable id, its severity on the ladder (lint.h)
// and what it checks in one line — the one list `ordo lint --rules`, docs/guide.md's
// "Lint" section and the findings' severities come from.
//
// Thread-safety: constant data.
//
//   const RuleInfo* r = FindRule("drop-column");  // r->severity == Severity::kUnsafe
//   Finding f = MakeFinding("drop-column", "orders", "Dropping `note` loses its values.");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/lint.h"

namespace ordo::schema {

struct RuleInfo {
  std::string_view id;
  Severity severity;
  std::string_view summary;
};

// Every rule, ladder order (blocked first).
const std::vector<RuleInfo>& LintRules();
// nullptr for an unknown id.
const RuleInfo* FindRule(std::string_view id);

// A finding of rule `id` (which must be in LintRules()) about `table`, with the rule's
// severity; set column/index on the result when it concerns one.
Finding MakeFinding(std::string_view id, std::string table, std::string message);

}  // namespace ordo::schema

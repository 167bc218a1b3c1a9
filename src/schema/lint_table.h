// The lint's rules over one table (lint.h), shared by the lint of a schema and the lint
// of a change: what blocks the online path (no usable key, foreign keys) and the
// advisory rules. Internal to src/schema/.
//
// Thread-safety: pure functions.
//
//   for (Finding& f : TableBlockers(*t, schema)) …
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schema/lint.h"

namespace ordo::schema {

// Whether `t` has a primary key or a unique key over NOT NULL columns.
bool HasUsableKey(const TableDef& t);
// The tables of `schema` whose foreign keys reference `table`.
std::vector<std::string> ReferencingTables(const SchemaDef& schema, const std::string& table);

// no-primary-key and foreign-key for `t` as a table of `schema`.
std::vector<Finding> TableBlockers(const TableDef& t, const SchemaDef& schema);
// The advisory rules for `t`; auto-increment-capacity measures `counter` (the live
// AUTO_INCREMENT) against the type of t's auto-increment column.
std::vector<Finding> TableAdvice(const TableDef& t, std::optional<uint64_t> counter);

// "`a`, `b`(10)": an index's parts for messages.
std::string PartsText(const IndexDef& index);

}  // namespace ordo::schema

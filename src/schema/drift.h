// Drift: how the live schemas of an environment's deployments differ from each other.
// Deployments with the same fingerprint (the same tables, SHOW CREATE TABLE text alike,
// AUTO_INCREMENT= aside) form a group; every other group is described against the
// first (the group of the first deployment), table by table.
//
// Thread-safety: pure functions.
//
//   std::string fp = Fingerprint(live);
//   DriftReport drift = FindDrift({{"eu-1", &eu}, {"us-1", &us}});
//   if (drift.groups.size() > 1) …
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "schema/diff.h"
#include "schema/model.h"

namespace ordo::schema {

// sha256 over the schema's table names and normalised SHOW CREATE TABLE texts, in
// table name order: which live schema a plan started from.
std::string Fingerprint(const SchemaDef& schema);

struct DriftGroup {
  std::vector<std::string> deployments;
  std::string fingerprint;
  // Against the first group: what would turn the first group's schema into this one's
  // (empty for the first group).
  std::vector<TableChange> differences;
};

struct DriftReport {
  std::vector<DriftGroup> groups;  // one group: no drift
  bool drifted() const { return groups.size() > 1; }
};

DriftReport FindDrift(const std::vector<std::pair<std::string, const SchemaDef*>>& live);

}  // namespace ordo::schema

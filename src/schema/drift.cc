#include "schema/drift.h"

#include "schema/sha256.h"

namespace ordo::schema {

std::string Fingerprint(const SchemaDef& schema) {
  std::string text;
  for (const auto& [name, table] : schema.tables)
    text += name + '\0' + NormalizeCreateTable(table.create_sql) + '\0';
  return Sha256Hex(text);
}

DriftReport FindDrift(const std::vector<std::pair<std::string, const SchemaDef*>>& live) {
  DriftReport report;
  std::vector<const SchemaDef*> first_of_group;
  for (const auto& [deployment, schema] : live) {
    std::string fp = Fingerprint(*schema);
    bool placed = false;
    for (DriftGroup& g : report.groups)
      if (g.fingerprint == fp) {
        g.deployments.push_back(deployment);
        placed = true;
        break;
      }
    if (placed) continue;
    DriftGroup g;
    g.deployments.push_back(deployment);
    g.fingerprint = fp;
    if (!first_of_group.empty()) g.differences = DiffSchemas(*first_of_group[0], *schema);
    report.groups.push_back(std::move(g));
    first_of_group.push_back(schema);
  }
  return report;
}

}  // namespace ordo::schema

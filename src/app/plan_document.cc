#include "app/plan_document.h"

#include "app/lint.h"

namespace ordo::app {
namespace {

nlohmann::json Changes(const std::vector<PlannedStatement>& statements) {
  nlohmann::json out = nlohmann::json::array();
  for (const PlannedStatement& s : statements)
    out.push_back(
        {{"table", s.table}, {"kind", s.kind}, {"statement", s.statement}, {"details", s.details}});
  return out;
}

}  // namespace

nlohmann::json PlanDocument(const PlanResult& plan) {
  nlohmann::json groups = nlohmann::json::array();
  for (const PlanDriftGroup& g : plan.drift)
    groups.push_back({{"deployments", g.deployments},
                      {"live_fingerprint", g.live_fingerprint},
                      {"differences", Changes(g.differences)}});
  nlohmann::json deployments = nlohmann::json::array();
  for (const DeploymentPlan& d : plan.deployments) {
    nlohmann::json statements = nlohmann::json::array();
    for (const PlannedStatement& s : d.statements) statements.push_back(s.statement);
    deployments.push_back({{"deployment", d.deployment},
                           {"schema", d.schema},
                           {"live_fingerprint", d.live_fingerprint},
                           {"tables_changed", d.TablesChanged()},
                           {"statements", statements},
                           {"changes", Changes(d.statements)},
                           {"findings", FindingsJson(d.findings)}});
  }
  return {
      {"database", plan.database},     {"environment", plan.environment},
      {"schema_dir", plan.schema_dir}, {"desired_hash", plan.desired_hash},
      {"changes", plan.HasChanges()},  {"drift", {{"drifted", plan.drifted()}, {"groups", groups}}},
      {"deployments", deployments}};
}

}  // namespace ordo::app

#include "store/sql/predicates.h"

#include "store/deployment_holder.h"

namespace ordo::sqlstore {

std::string RequestExists(const Dialect& d, const std::string& apply_expr, const std::string& kind,
                          const std::string& statuses) {
  // The unique (apply_id, kind) key finds the one row; where the dialect can, the
  // statement says so, sparing the planner a range estimate on the other index.
  return "EXISTS (SELECT 1 FROM control_requests r" + d.use_index("control_requests_kind") +
         " WHERE r.apply_id = " + apply_expr + " AND r.kind = '" + kind + "' AND r.status IN (" +
         statuses + "))";
}

std::string DeploymentHolderCandidatesSql(const Dialect& d) {
  return "SELECT o.apply_id, a.external_id, o.state FROM apply_operations o JOIN applies a ON "
         "a.id = o.apply_id WHERE o.deployment = ? AND " +
         DeploymentHolderPrefilterSql(RequestExists(d, "o.apply_id", "start")) +
         " AND a.database_name = ? AND a.environment = ? AND o.apply_id <> ? ORDER BY o.apply_id";
}

}  // namespace ordo::sqlstore

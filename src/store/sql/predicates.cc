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

std::string IdleForStop(std::string_view o_view, std::string_view stale_before) {
  std::string o(o_view);
  return "(" + o + ".state IN ('pending','failed_retryable') OR (" + o +
         ".state = 'waiting_for_cutover' AND (" + o + ".lease_token IS NULL OR " + o +
         ".updated_at < " + std::string(stale_before) + ")))";
}

std::string FailureExcused(const Dialect& d) {
  return "(e.state = 'failed' AND (o.on_failure = 'continue' OR (o.on_failure = 'pause' AND " +
         RequestExists(d, "o.apply_id", "release", "'pending','completed'") + ")))";
}

std::string TurnHeldBackBy(const Dialect& d) {
  return "(e.state <> 'completed' AND NOT " + FailureExcused(d) + ")";
}

std::string CutoverTurnHasCome(const Dialect& d) {
  return "NOT EXISTS (SELECT 1 FROM apply_operations e WHERE e.apply_id = o.apply_id AND e.id < "
         "o.id AND " +
         TurnHeldBackBy(d) + ")";
}

std::string EarlierSiblingsSql(const Dialect& d, const std::string& held_back_by) {
  return "SELECT e.id, CASE WHEN " + held_back_by +
         " THEN 1 ELSE 0 END FROM apply_operations o JOIN apply_operations e ON e.apply_id = "
         "o.apply_id AND "
         "e.id < o.id WHERE o.id = ?" +
         std::string(d.lock_rows_shared);
}

std::string BeginCutoverSql(const Dialect& d) {
  return "UPDATE apply_operations AS o SET state = 'cutting_over', cutover_started_at = "
         "COALESCE(cutover_started_at, {now}), updated_at = {now} WHERE o.id = ? AND o.lease_token "
         "= ? "
         "AND o.state = 'waiting_for_cutover' AND NOT " +
         RequestExists(d, "o.apply_id", "stop") +
         " AND ((SELECT a.defer_cutover FROM applies a WHERE a.id = o.apply_id) = 0 OR " +
         RequestExists(d, "o.apply_id", "cutover") + ")";
}

std::string CompleteServedCutoverSql() {
  return "UPDATE control_requests SET status = 'completed', updated_at = {now}, completed_at = "
         "{now} "
         "WHERE apply_id = ? AND kind = 'cutover' AND status = 'pending' AND NOT EXISTS (SELECT 1 "
         "FROM apply_operations o WHERE o.apply_id = ? AND o.state IN "
         "('pending','running','resuming','waiting_for_cutover','failed_retryable','stopped'))";
}

std::string DeploymentHolderCandidatesSql(const Dialect& d) {
  return "SELECT o.apply_id, a.external_id, o.state FROM apply_operations o JOIN applies a ON "
         "a.id = o.apply_id WHERE o.deployment = ? AND " +
         DeploymentHolderPrefilterSql(RequestExists(d, "o.apply_id", "start")) +
         " AND a.database_name = ? AND a.environment = ? AND o.apply_id <> ? ORDER BY o.apply_id";
}

}  // namespace ordo::sqlstore

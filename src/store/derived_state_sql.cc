#include "store/derived_state_sql.h"

namespace ordo {
namespace {

// How many operations of the group are in one of `states`.
std::string Count(const std::string& states) {
  return "SUM(CASE WHEN o.state IN (" + states + ") THEN 1 ELSE 0 END)";
}

// A settled verdict, unless a deployment is swapping or in its revert window: the apply
// is not settled until that deployment ends.
std::string Settled(const std::string& verdict) {
  return "CASE WHEN " + Count("'cutting_over'") + " > 0 THEN 'cutting_over' WHEN " +
         Count("'revert_window'") + " > 0 THEN 'revert_window' ELSE '" + verdict + "' END";
}

}  // namespace

std::string DerivedApplyStateSql(const std::string& release_latched) {
  std::string unsettled =
      "SUM(CASE WHEN o.state NOT IN ('completed','failed','cancelled','reverted') THEN 1 ELSE 0 "
      "END)";
  // The first failed deployment's policy decides (unknown → halt); a revert anywhere
  // ends the rollout whatever the policy.
  std::string policy =
      "(SELECT f.on_failure FROM apply_operations f WHERE f.apply_id = a.id AND f.state = "
      "'failed' ORDER BY f.id LIMIT 1)";
  std::string after_failure =
      "CASE WHEN " + unsettled + " = 0 OR " + Count("'reverted'") + " > 0 OR " + policy +
      " NOT IN ('continue','pause') THEN " + Settled("failed") + " WHEN " + policy +
      " = 'pause' AND NOT " + release_latched + " THEN 'paused' WHEN " +
      Count("'failed_retryable'") + " > 0 THEN 'failed_retryable' WHEN " + Count("'stopped'") +
      " > 0 THEN 'stopped' ELSE 'running_degraded' END";
  return "CASE WHEN " + Count("'failed'") + " > 0 THEN " + after_failure + " WHEN " +
         Count("'reverted'") + " > 0 THEN " + Settled("reverted") + " WHEN " +
         Count("'failed_retryable'") + " > 0 THEN 'failed_retryable' WHEN " + Count("'cancelled'") +
         " > 0 THEN " + Settled("cancelled") + " WHEN " + Count("'stopped'") +
         " > 0 THEN 'stopped' WHEN " + Count("'completed'") + " = COUNT(*) THEN 'completed' WHEN " +
         Count("'cutting_over'") + " > 0 THEN 'cutting_over' WHEN " +
         Count("'waiting_for_cutover'") + " = COUNT(*) - " + Count("'completed'") +
         " THEN 'waiting_for_cutover' WHEN " + Count("'revert_window'") +
         " > 0 THEN 'revert_window' WHEN " + Count("'running','resuming'") +
         " > 0 THEN 'running' ELSE 'pending' END";
}

}  // namespace ordo

#include "store/sql/gates.h"

#include "store/derived_state_sql.h"
#include "store/sql/predicates.h"

namespace ordo::sqlstore {
namespace {

constexpr const char* kTerminal = "('completed','failed','stopped','cancelled','reverted')";
constexpr const char* kIdleStates =
    "('pending','stopped','failed_retryable','waiting_for_cutover')";

std::string EarlierBlocking(const std::string& blocks) {
  return "EXISTS (SELECT 1 FROM apply_operations e WHERE e.apply_id = o.apply_id AND e.id < o.id "
         "AND " +
         blocks + ")";
}

// "The apply of `o` matches `condition` over `a`".
std::string ApplyWhere(const std::string& condition) {
  return "EXISTS (SELECT 1 FROM applies a WHERE a.id = o.apply_id AND " + condition + ")";
}

SqlText Or(const std::vector<SqlText>& parts) {
  SqlText out = "(";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? SqlText(" OR ") : SqlText("")) + parts[i];
  return out + ")";
}

}  // namespace

SqlText ClaimArms::Any() const { return Or(arms); }

SqlText ClaimArms::List() const {
  SqlText out = "SELECT c.id, c.created_at FROM (";
  for (size_t i = 0; i < arms.size(); ++i) {
    if (i) out += " UNION ALL ";
    out += "SELECT o.id AS id, o.created_at AS created_at FROM apply_operations o WHERE " + arms[i];
  }
  return out + ") c ORDER BY c.created_at, c.id";
}

SqlText Gates::StaleBefore() const {
  return SqlText(std::string(d_.now_minus_micros),
                 {db::SqlValue::Int(options_.lease_staleness_micros)});
}

SqlText Gates::FreshAfter() const {
  return SqlText(std::string(d_.now_minus_micros),
                 {db::SqlValue::Int(options_.retry_freshness_micros)});
}

SqlText Gates::Budget() const { return SqlText::Param(db::SqlValue::Int(options_.retry_budget)); }

std::string Gates::RequestExists(const std::string& apply_expr, const std::string& kind,
                                 const std::string& statuses) const {
  return sqlstore::RequestExists(d_, apply_expr, kind, statuses);
}

std::string Gates::Stop(const std::string& o) const {
  return RequestExists(o + ".apply_id", "stop");
}

std::string Gates::Exempt() const { return FailureExcused(d_); }

std::string Gates::StartHeldBackBy() const {
  // Unknown policies fail closed to rolling; unknown on_failure to halt.
  return "(NOT " + Exempt() +
         " AND NOT (CASE WHEN o.cutover_policy = 'barrier' THEN e.state IN "
         "('waiting_for_cutover','cutting_over','revert_window','completed') "
         "ELSE e.state = 'completed' END))";
}

SqlText Gates::ArmA() const {
  // The policy test stands outside the sibling subquery, so a `parallel` row (no
  // ordering gate) never runs it: AND stops at its first false operand.
  return "(o.state = 'pending' AND NOT " + Stop("o") +
         " AND NOT (o.cutover_policy <> 'parallel' AND " + EarlierBlocking(StartHeldBackBy()) +
         "))";
}

SqlText Gates::ArmB() const {
  // A parked row of a multi-operation barrier/parallel apply, or one its driver
  // released, waits for the cutover claim instead.
  return "(o.state IN ('running','waiting_for_cutover','cutting_over','revert_window','resuming') "
         "AND "
         "o.updated_at < " +
         StaleBefore() +
         " AND NOT (o.state = 'waiting_for_cutover' AND (o.lease_token IS NULL OR "
         "(o.cutover_policy IN ('barrier','parallel') AND " +
         ApplyWhere("a.operation_count > 1") + "))))";
}

SqlText Gates::ArmC() const {
  return "(o.state = 'stopped' AND " + RequestExists("o.apply_id", "start") + " AND NOT " +
         Stop("o") + ")";
}

SqlText Gates::ArmD() const {
  return "(o.state = 'failed_retryable' AND EXISTS (SELECT 1 FROM applies a WHERE a.id = "
         "o.apply_id AND "
         "((a.state = 'failed_retryable' AND a.attempt < " +
         Budget() + " AND COALESCE(a.failed_at, a.updated_at) >= " + FreshAfter() + " AND NOT " +
         Stop("o") +
         ") OR (a.state NOT IN ('failed_retryable','stopped','completed','failed','cancelled',"
         "'reverted') AND a.updated_at < " +
         StaleBefore() + " AND o.updated_at < " + StaleBefore() + "))))";
}

SqlText Gates::ProbeB() const {
  return "(o.state IN ('running','waiting_for_cutover','cutting_over','revert_window','resuming') "
         "AND "
         "o.updated_at < " +
         StaleBefore() + " AND NOT (o.state = 'waiting_for_cutover' AND o.lease_token IS NULL))";
}

SqlText Gates::ProbeC() const {
  return "(o.state = 'stopped' AND " + RequestExists("o.apply_id", "start") + ")";
}

SqlText Gates::ProbeD() const { return "(o.state = 'failed_retryable')"; }

SqlText Gates::Arm1() const {
  // Automatic unless the apply was started with defer_cutover (any policy, any number
  // of operations: the eligibility of begin_cutover), or released by a cutover request.
  std::string released = "(" + ApplyWhere("a.defer_cutover = 0") + " OR " +
                         RequestExists("o.apply_id", "cutover") + ")";
  return "(o.state = 'waiting_for_cutover' AND (o.lease_token IS NULL OR o.updated_at < " +
         StaleBefore() + ") AND " + released + " AND NOT " + Stop("o") + " AND " +
         CutoverTurnHasCome(d_) + ")";
}

SqlText Gates::Arm2() const {
  return "(o.state IN ('cutting_over','revert_window') AND o.updated_at < " + StaleBefore() + ")";
}

SqlText Gates::IdleEnded() const {
  // Rows no other gate hands out again, of an apply that is settled or cancelled, held
  // by no live lease (a row its driver stopped holds none: the transition released
  // it). Rows in flight and rows the copy or cutover claim would still take are theirs.
  return std::string("(o.state IN ") + kIdleStates +
         " AND (o.lease_token IS NULL OR o.updated_at < " + StaleBefore() + ") AND (" +
         ApplyWhere("a.state IN ('completed','failed','cancelled','reverted')") + " OR " +
         RequestExists("o.apply_id", "cancel") + ") AND NOT " + copy.Any() + " AND NOT " +
         cutover.Any() + ")";
}

SqlText Gates::Owed() const {
  // Failed by retry expiry (which released the lease) or completed at the swap, with
  // the target cleanup still owed, held by no live lease.
  return "(o.state IN ('failed','completed') AND o.cleanup_pending = 1 AND (o.lease_token IS NULL "
         "OR "
         "o.updated_at < " +
         StaleBefore() + "))";
}

Gates::Gates(const Dialect& d, const StoreOptions& options) : d_(d), options_(options) {
  copy.arms = {ArmA(), ArmB(), ArmC(), ArmD()};
  cutover.arms = {Arm1(), Arm2()};
  cleanup.arms = {IdleEnded(), Owed()};

  SqlText idle = SqlText(IdleForStop("o", d_.now_minus_micros),
                         {db::SqlValue::Int(options_.lease_staleness_micros)});
  SqlText busy = std::string("EXISTS (SELECT 1 FROM apply_operations o WHERE o.apply_id = ") +
                 "{apply}" + " AND o.state NOT IN " + kTerminal + " AND NOT " + idle + ")";
  auto busy_of = [&](const std::string& apply) {
    SqlText b = busy;
    b.text.replace(b.text.find("{apply}"), 7, apply);
    return b;
  };
  stop_candidates =
      "SELECT r.apply_id FROM control_requests r WHERE r.kind = 'stop' AND r.status = "
      "'pending' AND NOT " +
      busy_of("r.apply_id") + " ORDER BY r.apply_id";
  stop_recheck = "SELECT a.id FROM applies a WHERE " + RequestExists("a.id", "stop") + " AND NOT " +
                 busy_of("a.id") + " AND a.id = ?";

  SqlText expired = "a.state = 'failed_retryable' AND (a.attempt >= " + Budget() +
                    " OR COALESCE(a.failed_at, a.updated_at) < " + FreshAfter() + ")";
  expiry_candidates = "SELECT a.id, a.attempt FROM applies a WHERE " + expired + " ORDER BY a.id";
  expiry_recheck = "SELECT a.id, a.attempt FROM applies a WHERE " + expired + " AND a.id = ?";

  // An admitted retry (stored active, derived failed_retryable) is arm D's to recover.
  rederive_candidates =
      "SELECT d.id FROM (SELECT a.id AS id, a.state AS state, " +
      DerivedApplyStateSql(RequestExists("a.id", "release", "'pending','completed'")) +
      " AS derived, SUM(CASE WHEN o.lease_token IS NOT NULL AND o.updated_at >= " + StaleBefore() +
      " THEN 1 ELSE 0 END) AS live FROM applies a JOIN apply_operations o ON o.apply_id = a.id "
      "WHERE "
      "a.state IN ('pending','running','waiting_for_cutover','cutting_over','revert_window',"
      "'failed_retryable','stopped','running_degraded','paused') GROUP BY a.id, a.state) d "
      "WHERE d.live = 0 AND d.derived <> d.state AND NOT (d.derived = 'failed_retryable' AND "
      "d.state NOT IN ('failed_retryable','stopped')) ORDER BY d.id";

  std::string now(d_.now);
  std::string start =
      "UPDATE apply_operations AS o SET state = 'running', started_at = COALESCE(started_at, " +
      now + "), lease_owner = ?, lease_token = ?, lease_acquired_at = " + now +
      ", updated_at = " + now + " WHERE o.id = ? AND ";
  start_pending = start + "o.state = 'pending' AND NOT " + Stop("o");
  start_siblings = EarlierSiblingsSql(d_, StartHeldBackBy());
  turn_siblings = EarlierSiblingsSql(d_, TurnHeldBackBy(d_));
}

}  // namespace ordo::sqlstore

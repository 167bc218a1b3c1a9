#include "store/sqlite/sqlite_gates.h"

#include <vector>

#include "store/derived_state_sql.h"
#include "store/sql/predicates.h"
#include "store/sqlite/sqlite_session.h"

namespace ordo::sqlite {
namespace {

std::string Latch(const std::string& o) {
  return RequestExistsSql(o + ".apply_id", "release", "'pending','completed'");
}

// Earlier sibling e is failed and o's on_failure excuses it.
std::string Exempt(const std::string& o) {
  return "(e.state = 'failed' AND (" + o + ".on_failure = 'continue' OR (" + o +
         ".on_failure = 'pause' AND " + Latch(o) + ")))";
}

std::string EarlierBlocking(const std::string& blocks) {
  return "EXISTS (SELECT 1 FROM apply_operations e WHERE e.apply_id = o.apply_id AND e.id < o.id "
         "AND " +
         blocks + ")";
}

// The copy claim's arms A–D over `o` (apply_operations) and `a` (its apply). Each arm
// holds rows of its own states, so a row belongs to one arm at most.
std::string ArmA() {
  std::string stop = RequestExistsSql("o.apply_id", "stop");
  // Unknown policies fail closed to rolling; unknown on_failure to halt. The policy
  // test stands outside the sibling subquery, so a `parallel` row (no ordering gate)
  // never runs it.
  std::string blocks = "NOT " + Exempt("o") +
                       " AND NOT (CASE WHEN o.cutover_policy = 'barrier' THEN e.state IN "
                       "('waiting_for_cutover','cutting_over','revert_window','completed') "
                       "ELSE e.state = 'completed' END)";
  return "(o.state = 'pending' AND NOT " + stop + " AND NOT (o.cutover_policy <> 'parallel' AND " +
         EarlierBlocking(blocks) + "))";
}

std::string ArmB() {
  return "(o.state IN ('running','waiting_for_cutover','cutting_over','revert_window','resuming') "
         "AND o.updated_at < :stale_before AND NOT (o.state = 'waiting_for_cutover' AND "
         "(o.lease_token IS NULL OR (a.operation_count > 1 AND o.cutover_policy IN "
         "('barrier','parallel')))))";
}

std::string ArmC() {
  return "(o.state = 'stopped' AND " + RequestExistsSql("o.apply_id", "start") + " AND NOT " +
         RequestExistsSql("o.apply_id", "stop") + ")";
}

std::string ArmD() {
  return "(o.state = 'failed_retryable' AND ((a.state = 'failed_retryable' AND a.attempt < "
         ":budget AND COALESCE(a.failed_at, a.updated_at) >= :fresh_after AND NOT " +
         RequestExistsSql("o.apply_id", "stop") +
         ") OR (a.state NOT IN ('failed_retryable','stopped','completed','failed','cancelled',"
         "'reverted') AND a.updated_at < :stale_before AND o.updated_at < :stale_before)))";
}

// The copy claim's arms OR'ed, for the cleanup claim's "no other claim takes it".
std::string CopyArmsSql() {
  return "(" + ArmA() + " OR " + ArmB() + " OR " + ArmC() + " OR " + ArmD() + ")";
}

// One arm of a claim as its own SELECT of id, arm and created_at: `from` names `o`
// (apply_operations, on the index that serves the arm) and, where the arm reads it,
// `a` (its apply) with CROSS JOIN after it, so that SQLite keeps `o` the outer loop
// (it never reorders a CROSS JOIN) and an ordered index yields rows in claim order.
struct Leg {
  const char* arm;
  std::string from;
  std::string where;
};

// "apply_operations o INDEXED BY `index`", joined to its apply when `with_apply`.
std::string Operations(const char* index, bool with_apply) {
  return std::string("apply_operations o INDEXED BY ") + index +
         (with_apply ? " CROSS JOIN applies a ON a.id = o.apply_id" : "");
}

// The legs' rows merged in (created_at, id) order. SQLite runs a compound SELECT with
// an ORDER BY as a MERGE of its legs, each read as a co-routine: a leg on the claim
// index (state, created_at, id) with its state fixed is already in claim order and is
// read only as far as the merge asks (with LIMIT 1: up to its first row that passes
// every gate); a leg on another index sorts its own rows, which are few (stale rows
// of the heartbeat index, rows of ended applies, owed rows). So no claim reads or
// sorts every pending row. `with` is the statement's WITH clause, if any.
std::string MergedSql(const std::vector<Leg>& legs, const std::string& with = "") {
  std::string sql = with;
  for (size_t i = 0; i < legs.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql += std::string("SELECT o.id AS id, '") + legs[i].arm +
           "' AS arm, o.created_at AS created_at FROM " + legs[i].from + " WHERE " + legs[i].where;
  }
  return sql + " ORDER BY created_at, id";
}

std::string BuildCopySql() {
  return MergedSql({{"A", Operations("apply_operations_claim", false), ArmA()},
                    {"B", Operations("apply_operations_heartbeat", true), ArmB()},
                    {"C", Operations("apply_operations_claim", false), ArmC()},
                    {"D", Operations("apply_operations_claim", true), ArmD()}});
}

// The cutover claim's arms 1–2 over `o` and `a`.
std::string Arm1() {
  std::string blocks = "e.state <> 'completed' AND NOT " + Exempt("o");
  // Automatic unless the apply was started with defer_cutover (any policy, any number
  // of operations: the eligibility of begin_cutover), or released by a cutover request.
  std::string released =
      "(a.defer_cutover = 0 OR " + RequestExistsSql("o.apply_id", "cutover") + ")";
  return "(o.state = 'waiting_for_cutover' AND (o.lease_token IS NULL OR o.updated_at < "
         ":stale_before) AND " +
         released + " AND NOT " + RequestExistsSql("o.apply_id", "stop") + " AND NOT " +
         EarlierBlocking(blocks) + ")";
}

std::string Arm2() {
  return "(o.state IN ('cutting_over','revert_window') AND o.updated_at < :stale_before)";
}

std::string CutoverArmsSql() { return "(" + Arm1() + " OR " + Arm2() + ")"; }

std::string BuildCutoverSql() {
  return MergedSql({{"1", Operations("apply_operations_claim", true), Arm1()},
                    {"2", Operations("apply_operations_heartbeat", false), Arm2()}});
}

constexpr const char* kIdleStates =
    "('pending','stopped','failed_retryable','waiting_for_cutover')";
constexpr const char* kSettledApplyStates[] = {"completed", "failed", "cancelled", "reverted"};

// "('completed','failed',…)": kSettledApplyStates as an IN list.
std::string SettledApplyStatesSql() {
  std::string list;
  for (const char* state : kSettledApplyStates)
    list += (list.empty() ? "('" : ",'") + std::string(state) + "'";
  return list + ")";
}

// The smallest apply id >= `x` with an operation in an idle state (NULL: none), one
// seek on the partial index apply_operations_idle.
std::string NextIdleApply(const std::string& x) {
  return std::string("(SELECT MIN(i.apply_id) FROM apply_operations i INDEXED BY "
                     "apply_operations_idle WHERE i.state IN ") +
         kIdleStates + " AND i.apply_id >= " + x + ")";
}

// The smallest apply id >= `x` of an apply that has ended: its stored state is settled
// (one seek per state on applies_by_state) or a cancel is pending for it (one seek on
// control_requests_open). NULL: none.
std::string NextEndedApply(const std::string& x) {
  std::string legs;
  for (const char* state : kSettledApplyStates) {
    legs += std::string("SELECT MIN(s.id) AS id FROM applies s INDEXED BY applies_by_state WHERE "
                        "s.state = '") +
            state + "' AND s.id >= " + x + " UNION ALL ";
  }
  legs += "SELECT MIN(q.apply_id) FROM control_requests q INDEXED BY control_requests_open WHERE "
          "q.kind = 'cancel' AND q.status = 'pending' AND q.apply_id >= " + x;
  return "(SELECT MIN(id) FROM (" + legs + "))";
}

// WITH ended(i, e): the applies that have ended and still have idle operations, as
// rows with i = e, found by leapfrogging between the two sorted sets of apply ids
// (idle operations' applies, ended applies): each step seeks the next idle apply at
// or after the next ended one, so the steps are bounded by how often the two sets
// alternate, not by how many rows either holds (neither the pending work of the
// applies in flight nor the settled history is read).
std::string EndedWithIdleRows() {
  std::string next = "(CASE WHEN e = i THEN i + 1 ELSE e END)";
  return "WITH RECURSIVE ended(i, e) AS (SELECT " + NextIdleApply("0") + ", " +
         NextEndedApply(NextIdleApply("0")) + " UNION ALL SELECT " + NextIdleApply(next) + ", " +
         NextEndedApply(NextIdleApply(next)) +
         " FROM ended WHERE i IS NOT NULL AND e IS NOT NULL) ";
}

// Rows no other claim hands out (any more), of an apply that is settled or has a
// pending cancel, held by no live lease (a row its driver stopped holds none: the
// transition released it). Rows in flight (running, resuming, cutting_over,
// revert_window) and rows the copy or cutover claim would still take are theirs: the
// driver of such a claim cancels or finishes them. And rows whose target cleanup is
// owed (failed by retry expiry, or completed at their swap) that no live lease holds.
//
// The first kind is read apply by apply, only for the applies EndedWithIdleRows()
// finds; the second from the partial index of owed rows.
std::string BuildCleanupSql() {
  std::string idle_ended = std::string("o.state IN ") + kIdleStates + " AND " +
                           CleanupUnheldSql("o") + " AND (a.state IN " + SettledApplyStatesSql() +
                           " OR " + RequestExistsSql("o.apply_id", "cancel") + ") AND NOT " +
                           CopyArmsSql() + " AND NOT " + CutoverArmsSql();
  return MergedSql(
      {{"I",
        "ended CROSS JOIN apply_operations o INDEXED BY apply_operations_siblings ON o.apply_id "
        "= ended.i CROSS JOIN applies a ON a.id = o.apply_id",
        "ended.e = ended.i AND " + idle_ended},
       {"O", Operations("apply_operations_cleanup_owed", false), CleanupOwedSql("o")}},
      EndedWithIdleRows());
}

std::string BuildStopSql() {
  return "SELECT r.apply_id FROM control_requests r WHERE r.kind = 'stop' AND r.status = "
         "'pending' AND NOT EXISTS (SELECT 1 FROM apply_operations o WHERE o.apply_id = "
         "r.apply_id AND o.state NOT IN ('completed','failed','stopped','cancelled','reverted') "
         "AND NOT " +
         sqlstore::IdleForStop("o", ":stale_before") + ") ORDER BY r.apply_id";
}

std::string BuildRederiveSql() {
  // An admitted retry (stored active, derived failed_retryable) is arm D's to recover.
  return "SELECT d.id FROM (SELECT a.id AS id, a.state AS state, " +
         DerivedApplyStateSql(RequestExistsSql("a.id", "release", "'pending','completed'")) +
         " AS derived, SUM(o.lease_token IS NOT NULL AND o.updated_at >= :stale_before) AS "
         "live FROM applies a JOIN apply_operations o ON o.apply_id = a.id WHERE a.state NOT "
         "IN ('completed','failed','cancelled','reverted') GROUP BY a.id, a.state) d WHERE "
         "d.live = 0 AND d.derived <> d.state AND NOT (d.derived = 'failed_retryable' AND "
         "d.state NOT IN ('failed_retryable','stopped')) ORDER BY d.id";
}

}  // namespace

std::string RequestExistsSql(const std::string& apply_expr, const std::string& kind,
                             const std::string& statuses) {
  return sqlstore::RequestExists(SqliteDialect(), apply_expr, kind, statuses);
}

std::string CleanupUnheldSql(const std::string& o) {
  return "(" + o + ".lease_token IS NULL OR " + o + ".updated_at < :stale_before)";
}

std::string CleanupOwedSql(const std::string& o) {
  return "(" + o + ".state IN ('failed','completed') AND " + o + ".cleanup_pending = 1 AND " +
         CleanupUnheldSql(o) + ")";
}

const std::string& CopyCandidatesSql() {
  static const std::string kSql = BuildCopySql();
  return kSql;
}

const std::string& CutoverCandidatesSql() {
  static const std::string kSql = BuildCutoverSql();
  return kSql;
}

const std::string& CleanupCandidatesSql() {
  static const std::string kSql = BuildCleanupSql();
  return kSql;
}

const std::string& StopCandidatesSql() {
  static const std::string kSql = BuildStopSql();
  return kSql;
}

const std::string& ExpiryCandidatesSql() {
  static const std::string kSql =
      "SELECT id, attempt FROM applies WHERE state = 'failed_retryable' AND (attempt >= :budget "
      "OR COALESCE(failed_at, updated_at) < :fresh_after) ORDER BY id";
  return kSql;
}

const std::string& RederiveCandidatesSql() {
  static const std::string kSql = BuildRederiveSql();
  return kSql;
}

}  // namespace ordo::sqlite

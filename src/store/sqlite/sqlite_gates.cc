#include "store/sqlite/sqlite_gates.h"

#include <string>
#include <vector>

namespace ordo::sqlite {
namespace {

using sqlstore::SqlText;

// One arm of a claim as its own SELECT of id and created_at: `from` names `o`
// (apply_operations, on the index that serves the arm).
struct Leg {
  std::string from;
  SqlText where;
};

// "apply_operations o INDEXED BY `index`".
std::string Operations(const char* index) {
  return std::string("apply_operations o INDEXED BY ") + index;
}

// The legs' rows merged in (created_at, id) order. SQLite runs a compound SELECT with
// an ORDER BY as a MERGE of its legs, each read as a co-routine: a leg on the claim
// index (state, created_at, id) with its state fixed is already in claim order and is
// read only as far as the merge asks (with LIMIT 1: up to its first row that passes
// every gate); a leg on another index sorts its own rows, which are few (stale rows
// of the heartbeat index, rows of ended applies, owed rows). So no claim reads or
// sorts every pending row. `with` is the statement's WITH clause, if any.
SqlText Merged(const std::vector<Leg>& legs, const std::string& with = "") {
  SqlText sql = with;
  for (size_t i = 0; i < legs.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql += "SELECT o.id AS id, o.created_at AS created_at FROM " + legs[i].from + " WHERE " +
           legs[i].where;
  }
  return sql + " ORDER BY created_at, id";
}

constexpr const char* kIdleStates =
    "('pending','stopped','failed_retryable','waiting_for_cutover')";
constexpr const char* kSettledApplyStates[] = {"completed", "failed", "cancelled", "reverted"};

// The smallest apply id >= `x` with an operation in an idle state (NULL: none), one
// seek on the partial index apply_operations_idle.
std::string NextIdleApply(const std::string& x) {
  return std::string(
             "(SELECT MIN(i.apply_id) FROM apply_operations i INDEXED BY "
             "apply_operations_idle WHERE i.state IN ") +
         kIdleStates + " AND i.apply_id >= " + x + ")";
}

// The smallest apply id >= `x` of an apply that has ended: its stored state is settled
// (one seek per state on applies_by_state) or a cancel is pending for it (one seek on
// control_requests_open). NULL: none.
std::string NextEndedApply(const std::string& x) {
  std::string legs;
  for (const char* state : kSettledApplyStates) {
    legs += std::string(
                "SELECT MIN(s.id) AS id FROM applies s INDEXED BY applies_by_state WHERE "
                "s.state = '") +
            state + "' AND s.id >= " + x + " UNION ALL ";
  }
  legs +=
      "SELECT MIN(q.apply_id) FROM control_requests q INDEXED BY control_requests_open WHERE "
      "q.kind = 'cancel' AND q.status = 'pending' AND q.apply_id >= " +
      x;
  return "(SELECT MIN(id) FROM (" + legs + "))";
}

// WITH ended(i, e): the applies that have ended and still have idle operations, as
// rows with i = e, found by leapfrogging between the two sorted sets of apply ids
// (idle operations' applies, ended applies): each step seeks the next idle apply at
// or after the next ended one, so the steps are bounded by how often the two sets
// alternate, not by how many rows either holds.
std::string EndedWithIdleRows() {
  std::string next = "(CASE WHEN e = i THEN i + 1 ELSE e END)";
  return "WITH RECURSIVE ended(i, e) AS (SELECT " + NextIdleApply("0") + ", " +
         NextEndedApply(NextIdleApply("0")) + " UNION ALL SELECT " + NextIdleApply(next) + ", " +
         NextEndedApply(NextIdleApply(next)) +
         " FROM ended WHERE i IS NOT NULL AND e IS NOT NULL) ";
}

}  // namespace

SqlText CopyCandidatesSql(const sqlstore::Gates& g) {
  return Merged({{Operations("apply_operations_claim"), g.ArmA()},
                 {Operations("apply_operations_heartbeat"), g.ArmB()},
                 {Operations("apply_operations_claim"), g.ArmC()},
                 {Operations("apply_operations_claim"), g.ArmD()}});
}

SqlText CutoverCandidatesSql(const sqlstore::Gates& g) {
  return Merged({{Operations("apply_operations_claim"), g.Arm1()},
                 {Operations("apply_operations_heartbeat"), g.Arm2()}});
}

// The idle rows of ended applies are read apply by apply, only for the applies
// EndedWithIdleRows() finds; the owed rows from the partial index of owed rows.
SqlText CleanupCandidatesSql(const sqlstore::Gates& g) {
  return Merged({{"ended CROSS JOIN apply_operations o INDEXED BY apply_operations_siblings ON "
                  "o.apply_id = ended.i",
                  "ended.e = ended.i AND " + g.IdleEnded()},
                 {Operations("apply_operations_cleanup_owed"), g.Owed()}},
                EndedWithIdleRows());
}

}  // namespace ordo::sqlite

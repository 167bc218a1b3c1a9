// PgStore: how a claim finds its row, in one statement.
//
// The core's default lists the claim's arms as one UNION ALL under ORDER BY and LIMIT.
// PostgreSQL cannot merge the legs of that union in order (each arm's NOT EXISTS makes
// its leg a join, planned apart from the outer ORDER BY), so it reads every row of
// every arm and sorts them: for the copy claim, every pending operation, a cost that
// grows with the queue. Here each leg carries its own ORDER BY … LIMIT, so an arm of
// one state walks the claim index (state, created_at, id) up to its first candidates,
// a stale-recovery arm takes a range of (state, updated_at) (the claim index holds no
// in-flight state, migration 2), and the legs are merged in claim order (Merge
// Append). The same statement then locks the first of those candidates that no other
// transaction holds (FOR UPDATE OF o SKIP LOCKED, LIMIT 1), reading candidates only
// until it has one, where the default lists all of them and sends one lock statement
// per candidate tried: with several claimers the candidates at the head of the queue
// are mostly held by the others' claims, and each try was a round trip.
//
// Every arm is re-checked on a row that changed after the statement's snapshot: such
// a row is evaluated again, on its newest version, when it is locked (READ
// COMMITTED's re-check), and skipped unless an arm still takes it. A row that did not
// change is the very version its leg just evaluated (same ctid), so the re-check is
// not run on it: with several claimers most candidates tried are held by the other
// claims and skipped, and each paid the whole gate twice.
#include <string_view>

#include "store/postgres/pg_store.h"
#include "store/sql/records.h"

namespace ordo::postgres {

namespace {

constexpr const char* kIdleStates =
    "('pending','stopped','failed_retryable','waiting_for_cutover')";
constexpr const char* kSettledApply = "('completed','failed','cancelled','reverted')";

// The lowest apply id of an idle row (of those above `bound`): a seek in the
// apply_operations_idle index.
std::string MinIdleApply(const std::string& bound) {
  return std::string("(SELECT MIN(i.apply_id) FROM apply_operations i WHERE i.state IN ") +
         kIdleStates + (bound.empty() ? "" : " AND i.apply_id " + bound) + ")";
}

// The applies that have ended (stored state settled, or a cancel pending) and still
// have idle rows, found without reading the settled history: the sorted apply ids of
// the idle rows (apply_operations_idle) and of the settled applies (applies_settled)
// are walked alternately, each step a seek in one of them for the other's current id
// (a zig-zag join: the steps are as many as the runs in which the two sets interleave,
// none in a store whose idle rows all belong to applies in flight), plus the applies
// with a pending cancel (control_requests_kind).
std::string EndedWithIdleRows() {
  return std::string("SELECT z.hit FROM (WITH RECURSIVE z(x, hit) AS (SELECT ") + MinIdleApply("") +
         ", CAST(NULL AS bigint) UNION ALL SELECT CASE WHEN s.y = z.x THEN " +
         MinIdleApply("> z.x") + " ELSE " + MinIdleApply(">= s.y") +
         " END, CASE WHEN s.y = z.x THEN z.x END FROM z CROSS JOIN LATERAL (SELECT MIN(a.id) AS y "
         "FROM applies a "
         "WHERE a.state IN " +
         kSettledApply +
         " AND a.id >= z.x) s WHERE z.x IS NOT NULL AND s.y IS NOT NULL) SELECT z.hit FROM z) z "
         "WHERE z.hit IS NOT "
         "NULL UNION SELECT r.apply_id FROM control_requests r WHERE r.kind = 'cancel' AND "
         "r.status = 'pending'";
}

// `sql` with every "the row's apply matches …" subquery (Gates' EXISTS (SELECT 1 FROM
// applies a WHERE a.id = o.apply_id AND …)) ended by OFFSET 0. Inside an OR, such an
// EXISTS is a subplan the planner may run per row or turn into a hashed ANY over every
// apply that matches, which it does when it expects many rows to ask: a sequential
// scan of the applies, history included, at every claim (arm 1's "automatic" test:
// 190–570 ms a cutover claim at 1M settled operations, the cleanup claim's "ended").
// An OFFSET keeps PostgreSQL from rewriting an EXISTS, so it stays a primary-key
// lookup per row asked; it changes no answer.
std::string ApplyLookupsPerRow(std::string sql) {
  static constexpr std::string_view kLookup =
      "EXISTS (SELECT 1 FROM applies a WHERE a.id = o.apply_id AND ";
  for (size_t at = sql.find(kLookup); at != std::string::npos; at = sql.find(kLookup, at + 1)) {
    size_t end = at + std::string_view("EXISTS (").size();
    for (int depth = 1; end < sql.size() && depth > 0; ++end) {
      if (sql[end] == '(') ++depth;
      if (sql[end] == ')') --depth;
    }
    sql.insert(end - 1, " OFFSET 0");
  }
  return sql;
}

sqlstore::ClaimArms ApplyLookupsPerRow(const sqlstore::ClaimArms& arms) {
  sqlstore::ClaimArms out = arms;
  for (sqlstore::SqlText& arm : out.arms) arm.text = ApplyLookupsPerRow(std::move(arm.text));
  return out;
}

}  // namespace

sqlstore::SqlText PgStore::FirstCandidateSql(const sqlstore::ClaimArms& arms) {
  return FirstCandidateSql(arms, arms);
}

sqlstore::SqlText PgStore::FirstCleanupSql(const sqlstore::Gates& g) {
  // The idle-ended arm asks whether the row's apply has ended inside an OR, which the
  // planner answers with a hashed subplan over every settled apply (the history) and
  // then evaluates on every idle row (the queue). Its leg reads only the rows of the
  // applies EndedWithIdleRows finds, then evaluates the arm exactly.
  sqlstore::ClaimArms legs;
  legs.arms = {"(" + g.IdleEnded() + " AND o.apply_id IN (" + EndedWithIdleRows() + "))", g.Owed()};
  return FirstCandidateSql(g.cleanup, legs);
}

sqlstore::SqlText PgStore::FirstCandidateSql(const sqlstore::ClaimArms& arms_in,
                                             const sqlstore::ClaimArms& legs_in) {
  const sqlstore::ClaimArms arms = ApplyLookupsPerRow(arms_in);
  const sqlstore::ClaimArms legs_of = ApplyLookupsPerRow(legs_in);
  const std::string first = " ORDER BY o.created_at, o.id LIMIT " + std::to_string(kCandidateBatch);
  sqlstore::SqlText legs;
  for (size_t i = 0; i < legs_of.arms.size(); ++i) {
    legs += sqlstore::SqlText(i ? " UNION ALL (" : "(") +
            "SELECT o.id AS id, o.created_at AS created_at, o.ctid AS tid FROM apply_operations o "
            "WHERE " +
            legs_of.arms[i] + first + ")";
  }
  // The outer ORDER BY is the merged list's own order, so no sort runs and the rows
  // are pulled one at a time: the statement stops at the first one it locks.
  return std::string("SELECT ") + sqlstore::kOperationColumns +
         " FROM (SELECT l.id, l.created_at, l.tid FROM (" + legs +
         ") l ORDER BY l.created_at, l.id LIMIT " + std::to_string(kCandidateBatch) +
         ") c JOIN apply_operations o ON o.id = c.id WHERE (o.ctid = c.tid OR " + arms.Any() +
         ") ORDER BY c.created_at, c.id LIMIT 1 FOR UPDATE OF o SKIP LOCKED";
}

Result<std::optional<OperationRecord>> PgStore::FindCandidate(sqlstore::Session& s, Claim claim) {
  const sqlstore::SqlText& q = find_sql_[static_cast<int>(claim)];
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s.Query(q.text, q.params));
  if (rows.rows.empty()) return std::optional<OperationRecord>();
  ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(dialect(), rows.rows[0]));
  return std::optional<OperationRecord>(std::move(op));
}

}  // namespace ordo::postgres

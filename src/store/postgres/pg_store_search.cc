// PgStore: how a claim finds its row, in one statement.
//
// The core's default lists the claim's arms as one UNION ALL under ORDER BY and LIMIT.
// PostgreSQL cannot merge the legs of that union in order (each arm's NOT EXISTS makes
// its leg a join, planned apart from the outer ORDER BY), so it reads every row of
// every arm and sorts them: for the copy claim, every pending operation, a cost that
// grows with the queue. Here each leg carries its own ORDER BY … LIMIT, so an arm of
// one state walks the claim index (state, created_at, id) up to its first candidates,
// a stale-recovery arm takes a range of (state, updated_at), and the legs are merged
// in claim order (Merge Append). The same statement then locks the first of those
// candidates that no other transaction holds (FOR UPDATE OF o SKIP LOCKED, LIMIT 1),
// reading candidates only until it has one, where the default lists all of them and
// sends one lock statement per candidate tried: with several claimers the candidates
// at the head of the queue are mostly held by the others' claims, and each try was a
// round trip.
//
// Every arm is re-checked on the row that gets locked: a row changed and committed
// after the statement's snapshot is evaluated again, on its newest version, when it is
// locked (READ COMMITTED's re-check), and skipped unless an arm still takes it; the
// claim's guarded UPDATE repeats the arm's conditions as on every backend.
#include "store/postgres/pg_store.h"
#include "store/sql/records.h"

namespace ordo::postgres {

sqlstore::SqlText PgStore::FirstCandidateSql(const sqlstore::ClaimArms& arms) {
  const std::string first = " ORDER BY o.created_at, o.id LIMIT " + std::to_string(kCandidateBatch);
  sqlstore::SqlText legs;
  for (size_t i = 0; i < arms.arms.size(); ++i) {
    legs += sqlstore::SqlText(i ? " UNION ALL (" : "(") +
            "SELECT o.id AS id, o.created_at AS created_at FROM apply_operations o WHERE " +
            arms.arms[i] + first + ")";
  }
  // The outer ORDER BY is the merged list's own order, so no sort runs and the rows
  // are pulled one at a time: the statement stops at the first one it locks.
  return std::string("SELECT ") + sqlstore::kOperationColumns +
         " FROM (SELECT l.id, l.created_at FROM (" + legs +
         ") l ORDER BY l.created_at, l.id LIMIT " + std::to_string(kCandidateBatch) +
         ") c JOIN apply_operations o ON o.id = c.id WHERE " + arms.Any() +
         " ORDER BY c.created_at, c.id LIMIT 1 FOR UPDATE OF o SKIP LOCKED";
}

Result<std::optional<OperationRecord>> PgStore::FindCandidate(sqlstore::Session& s, Claim claim) {
  sqlstore::SqlText q = FirstCandidateSql(ArmsOf(claim));
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, s.Query(q.text, q.params));
  if (rows.rows.empty()) return std::optional<OperationRecord>();
  ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(dialect(), rows.rows[0]));
  return std::optional<OperationRecord>(std::move(op));
}

}  // namespace ordo::postgres

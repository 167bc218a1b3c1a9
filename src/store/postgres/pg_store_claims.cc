// PgStore: the copy claim in one statement.
//
// The core's claim is a transaction of five round trips (BEGIN, find and lock, the
// guarded UPDATE, the claimed event, COMMIT). On PostgreSQL the find, the UPDATE and
// the event can be one statement — data-modifying CTEs over the row the first one
// locked — which, sent on its own, is its own transaction: one round trip. The
// statement takes the two arms whose move is one UPDATE of the row itself (a pending
// row whose policy is not `barrier`: arm A; a stale in-flight row: arm B) with the
// guarded UPDATE and the claimed event of SqlStore::TakeCopy; a row of another arm
// (a `barrier` start, which share-locks its siblings first; a stopped row, whose
// resume may complete the start request; a retry, which moves the apply) is handed
// to the core's claim, which finds it again in a transaction of its own.
//
// A stop committed before the statement starts wins, as one committed between the
// core's SELECT and UPDATE does (scenario 33): the sync points AfterSelect and
// BeforeUpdate are passed before the statement, AfterUpdate and BeforeCommit after
// it, when it has committed.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/postgres/pg_session.h"
#include "store/postgres/pg_store.h"
#include "store/sql/records.h"

namespace ordo::postgres {

namespace {

constexpr const char* kInFlight =
    "('running','waiting_for_cutover','cutting_over','revert_window','resuming')";

}  // namespace

// The claim's own values come first, in `v` (owner, token, and the event's message for
// either arm: "start pending owner=… token=…", "recover stale owner=… token=…", as
// SqlStore::CommitClaim writes it); the find's and the guards' are bound at build time.
sqlstore::SqlText PgStore::CopyClaimSql(const sqlstore::Gates& g) {
  const std::string now(sqlstore::PostgresDialect().now);
  // The guards of TakeCopy's UPDATEs, on the row as locked (its newest version): arm
  // A's start_pending (still pending, no stop pending; not `barrier`, which the core
  // takes), arm B's lease steal (still the same in-flight state, still stale).
  sqlstore::SqlText guard = "((t.state = 'pending' AND c.cutover_policy <> 'barrier' AND NOT " +
                            g.RequestExists("t.apply_id", "stop") + ") OR (t.state IN " +
                            kInFlight + " AND t.state = c.state AND t.updated_at < " +
                            g.StaleBefore() + "))";
  const std::string pending = "c.state = 'pending'";
  return "WITH v AS (SELECT CAST(? AS varchar) AS owner, CAST(? AS varchar) AS token, CAST(? AS "
         "text) AS "
         "start_message, CAST(? AS text) AS recover_message), c AS MATERIALIZED (" +
         FirstCandidateSql(g.copy) +
         "), u AS (UPDATE apply_operations AS t SET state = CASE WHEN " + pending +
         " THEN 'running' ELSE t.state END, started_at = CASE WHEN " + pending +
         " THEN COALESCE(t.started_at, " + now +
         ") ELSE t.started_at END, lease_owner = v.owner, lease_token = "
         "v.token, lease_acquired_at = " +
         now + ", updated_at = " + now + " FROM c, v WHERE t.id = c.id AND " + guard +
         " RETURNING t.id, t.apply_id, t.state), e AS (INSERT INTO apply_events (apply_id, "
         "operation_id, at, kind, "
         "from_state, to_state, message) SELECT u.apply_id, u.id, " +
         now + ", 'claimed', c.state, u.state, CASE WHEN " + pending +
         " THEN v.start_message ELSE v.recover_message END FROM u JOIN c ON c.id = u.id CROSS JOIN "
         "v) "
         "SELECT c.*, CASE WHEN u.id IS NULL THEN 0 ELSE 1 END AS taken, (SELECT a.external_id "
         "FROM applies a WHERE "
         "a.id = c.apply_id) FROM c LEFT JOIN u ON u.id = c.id";
}

Result<std::optional<ClaimedOperation>> PgStore::ClaimNextCopy(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  const std::string lease = " owner=" + owner + " token=" + token;
  sqlstore::SqlText q = sqlstore::SqlText("", {db::SqlValue::Text(owner), db::SqlValue::Text(token),
                                               db::SqlValue::Text("start pending" + lease),
                                               db::SqlValue::Text("recover stale" + lease)}) +
                        copy_claim_sql_;
  ORDO_ASSIGN_OR_RETURN(auto s, BeginRead());
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeUpdate");
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s->Query(q.text, q.params));
  if (rows.rows.empty()) return std::optional<ClaimedOperation>();
  ORDO_ASSIGN_OR_RETURN(OperationRecord before, sqlstore::DecodeOperation(dialect(), rows.rows[0]));
  ORDO_ASSIGN_OR_RETURN(int64_t taken,
                        sqlstore::CellInt(rows.rows[0], sqlstore::kOperationColumnCount));
  if (!taken) {
    // A row of an arm this statement does not take (it was locked, and let go when the
    // statement ended): the core's claim finds the first row again and takes it.
    s.reset();
    return SqlStore::ClaimNextCopy(owner_view);
  }
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterUpdate");
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeCommit");
  ClaimedOperation claimed;
  claimed.operation = std::move(before);
  claimed.apply_external_id = rows.rows[0][sqlstore::kOperationColumnCount + 1].value_or("");
  claimed.lease = Lease{claimed.operation.id, owner, token};
  return std::optional<ClaimedOperation>(std::move(claimed));
}

}  // namespace ordo::postgres

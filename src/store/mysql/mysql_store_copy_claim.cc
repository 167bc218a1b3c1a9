// MysqlStore: the copy claim (model.md arms A–D) and the shared claim steps.
//
// One READ COMMITTED transaction: the candidate query (gates.cc) lists the first
// claimable rows in (created_at, id) order without locking anything; each is then
// locked alone with `SELECT … FOR UPDATE SKIP LOCKED` that repeats every arm against
// the newest committed row, and the first one locked is moved by a guarded UPDATE by
// primary key that repeats the arm's conditions (a stop committed meanwhile wins: zero
// rows, nothing claimed). Then the event, then commit.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/mysql/mysql_store.h"
#include "store/mysql/rows.h"
#include "store/mysql/transaction.h"

namespace ordo::mysql {
namespace {

constexpr const char* kLeaseSet =
    "lease_owner = ?, lease_token = ?, lease_acquired_at = ?, updated_at = ?";

}  // namespace

Result<std::optional<MysqlStore::Locked>> MysqlStore::LockFirstCandidate(
    MysqlConnection& conn, const GateQuery& candidates, const GateQuery& recheck) {
  ORDO_ASSIGN_OR_RETURN(SqlRows ids, conn.Query(candidates.sql, candidates.params));
  for (const auto& row : ids.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    GateQuery q = recheck.With({SqlValue::Int(id)});
    ORDO_ASSIGN_OR_RETURN(SqlRows locked, conn.Query(q.sql, q.params));
    // Empty: another claim holds the row, or it stopped being claimable since the
    // candidate query ran. Either way the next candidate is the first one left.
    if (locked.rows.empty()) continue;
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(locked.rows[0], 1));
    return std::optional<Locked>(Locked{std::move(op), locked.rows[0][0].value_or("")});
  }
  return std::optional<Locked>();
}

Result<ClaimedOperation> MysqlStore::FinishClaim(MysqlConnection& conn,
                                                 const OperationRecord& before,
                                                 const std::string& owner,
                                                 const std::string& token, std::string_view arm) {
  ORDO_ASSIGN_OR_RETURN(OperationRecord after, ReadOperation(conn, before.id));
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, before.apply_id));
  ORDO_RETURN_IF_ERROR(WriteEvent(
      conn, {before.apply_id, before.id, "claimed", std::string(ToString(before.state)),
             std::string(ToString(after.state)),
             std::string(arm) + " owner=" + owner + " token=" + token}));
  ClaimedOperation claimed;
  claimed.operation = before;
  claimed.apply_external_id = apply.external_id;
  claimed.lease = Lease{before.id, owner, token};
  return claimed;
}

Result<std::optional<ClaimedOperation>> MysqlStore::ClaimNextCopy(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*pool_));
  MysqlConnection& conn = txn.conn();
  ORDO_ASSIGN_OR_RETURN(auto locked, LockFirstCandidate(conn, gate_params_.copy_candidates,
                                                        gate_params_.copy_recheck));
  if (!locked) return std::optional<ClaimedOperation>();
  const OperationRecord& before = locked->operation;
  SqlValue now = SqlValue::Text(locked->now);
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeUpdate");
  const std::string stop = GateParams::RequestExists("apply_operations.apply_id", "stop");
  const GateQuery& stale = gate_params_.stale;
  std::vector<SqlValue> lease = {SqlValue::Text(owner), SqlValue::Text(token), now, now};
  std::string sql;
  std::vector<SqlValue> params;
  std::string arm_name;
  switch (before.state) {
    case OperationState::kPending:
      arm_name = "start pending";
      sql = std::string("UPDATE apply_operations SET state = 'running', started_at = "
                        "COALESCE(started_at, ?), ") +
            kLeaseSet + " WHERE id = ? AND state = 'pending' AND NOT " + stop;
      params = {now};
      params.insert(params.end(), lease.begin(), lease.end());
      params.push_back(SqlValue::Int(before.id));
      break;
    case OperationState::kStopped:
      arm_name = "resume stopped";
      sql = std::string("UPDATE apply_operations SET state = 'resuming', ") + kLeaseSet +
            " WHERE id = ? AND state = 'stopped' AND " +
            GateParams::RequestExists("apply_operations.apply_id", "start") + " AND NOT " + stop;
      params = lease;
      params.push_back(SqlValue::Int(before.id));
      break;
    case OperationState::kFailedRetryable: {
      ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(conn, before.apply_id));
      bool redispatch = apply.state == ApplyState::kFailedRetryable;
      arm_name = redispatch ? "retry" : "recover retry";
      // Consume one unit of budget only for a real redispatch, capped at the budget;
      // the guard on the apply's state makes a second concurrent redispatch a no-op
      // (it waits for the first one's lock on the apply row, then matches nothing).
      Result<uint64_t> changed = uint64_t{0};
      if (redispatch) {
        changed = conn.Execute(
            "UPDATE applies SET attempt = LEAST(attempt + 1, ?), state = 'running', "
            "updated_at = ? WHERE id = ? AND state = 'failed_retryable' AND attempt < ?",
            {SqlValue::Int(options_.retry_budget), now, SqlValue::Int(apply.id),
             SqlValue::Int(options_.retry_budget)});
      } else {
        std::vector<SqlValue> p = {now, SqlValue::Int(apply.id),
                                   SqlValue::Text(std::string(ToString(apply.state)))};
        p.insert(p.end(), stale.params.begin(), stale.params.end());
        changed = conn.Execute(
            "UPDATE applies SET updated_at = ? WHERE id = ? AND state = ? AND " + stale.sql, p);
      }
      ORDO_RETURN_IF_ERROR(changed.status());
      if (*changed == 0) return std::optional<ClaimedOperation>();
      if (redispatch) {
        ORDO_RETURN_IF_ERROR(WriteEvent(
            conn, {apply.id, std::nullopt, "state_change", "failed_retryable", "running",
                   "retry " + std::to_string(std::min(apply.attempt + 1, options_.retry_budget)) +
                       " of " + std::to_string(options_.retry_budget)}));
      }
      sql = std::string("UPDATE apply_operations SET ") + kLeaseSet +
            (redispatch ? ", attempt = attempt + 1" : "") +
            " WHERE id = ? AND state = 'failed_retryable'" +
            (redispatch ? "" : " AND " + stale.sql);
      params = lease;
      params.push_back(SqlValue::Int(before.id));
      if (!redispatch) params.insert(params.end(), stale.params.begin(), stale.params.end());
      break;
    }
    default:
      arm_name = "recover stale";
      sql = std::string("UPDATE apply_operations SET ") + kLeaseSet +
            " WHERE id = ? AND state = ? AND " + stale.sql;
      params = lease;
      params.push_back(SqlValue::Int(before.id));
      params.push_back(SqlValue::Text(std::string(ToString(before.state))));
      params.insert(params.end(), stale.params.begin(), stale.params.end());
      break;
  }
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, conn.Execute(sql, params));
  if (updated == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterUpdate");
  if (before.state == OperationState::kStopped) {
    // The start request is served once no stopped operation is left to resume.
    ORDO_ASSIGN_OR_RETURN(
        SqlRows left,
        conn.Query("SELECT 1 FROM apply_operations WHERE apply_id = ? AND state = 'stopped' "
                   "LIMIT 1",
                   {SqlValue::Int(before.apply_id)}));
    if (left.rows.empty()) {
      ORDO_RETURN_IF_ERROR(
          conn.Execute("UPDATE control_requests SET status = 'completed', updated_at = ?, "
                       "completed_at = ? WHERE apply_id = ? AND kind = 'start' AND "
                       "status = 'pending'",
                       {now, now, SqlValue::Int(before.apply_id)})
              .status());
      ORDO_RETURN_IF_ERROR(WriteEvent(conn, {before.apply_id, std::nullopt, "control_request",
                                             "pending", "completed",
                                             "start completed: every stopped operation resumed"}));
    }
  }
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed,
                        FinishClaim(conn, before, owner, token, arm_name));
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<std::vector<int64_t>> MysqlStore::CopyCandidates() {
  return QueryIds(gate_params_.all_copy_candidates);
}

}  // namespace ordo::mysql

// MysqlStore: the copy claim (model.md arms A–D) and the claim steps shared with the
// cutover claim.
//
// One READ COMMITTED transaction: a locking SELECT takes the first claimable row in
// (created_at, id) order (see ClaimGates in gates.h for how), a guarded UPDATE by
// primary key repeats the arm's conditions (a stop committed meanwhile wins: zero rows,
// nothing claimed), then the event and the commit in one round trip.
#include <algorithm>

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

Result<std::optional<MysqlStore::Locked>> MysqlStore::LockFirstCandidate(sqlstore::Session& conn,
                                                                       const ClaimGates& gates) {
  auto decode = [](const SqlRow& row, size_t first) -> Result<Locked> {
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, sqlstore::DecodeOperation(MysqlDialect(), row, first + 1));
    return Locked{std::move(op), row[first].value_or("")};
  };
  auto before = [](const CandidateKey& a, const OperationRecord& b, const std::string& b_at) {
    return a.created_at != b_at ? a.created_at < b_at : a.id < b.id;
  };
  // The ordered arm's first claimable row (locked) and the first rare-arm probe rows.
  ORDO_ASSIGN_OR_RETURN(SqlRows rows, conn.Query(gates.first.sql, gates.first.params));
  std::optional<Locked> ordered;
  std::string ordered_at;  // its created_at as DATETIME text, comparable with the probe's
  std::vector<CandidateKey> rare;
  for (const auto& row : rows.rows) {
    if (row[0] == "A") {
      ORDO_ASSIGN_OR_RETURN(Locked l, decode(row, 1));
      ordered_at = row[2 + kOperationCreatedAt].value_or("");
      ordered = std::move(l);
    } else {
      ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 2));
      rare.push_back(CandidateKey{row[2 + kOperationCreatedAt].value_or(""), id});
    }
  }
  std::sort(rare.begin(), rare.end(), [](const CandidateKey& a, const CandidateKey& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  // A probe row that comes first is claimed instead when it passes the exact re-check
  // (the ordered row then stays locked until this claim commits; other claims skip it).
  for (int page = 0; page < kMaxCandidatePages && !rare.empty(); ++page) {
    for (const CandidateKey& key : rare) {
      if (ordered && !before(key, ordered->operation, ordered_at)) return ordered;
      GateQuery lock = gates.lock.With({SqlValue::Int(key.id)});
      ORDO_ASSIGN_OR_RETURN(SqlRows locked, conn.Query(lock.sql, lock.params));
      if (!locked.rows.empty()) {
        ORDO_ASSIGN_OR_RETURN(Locked l, decode(locked.rows[0], 0));
        return std::optional<Locked>(std::move(l));
      }
    }
    if (rare.size() < static_cast<size_t>(kClaimBatch)) break;
    GateQuery next = gates.RareProbeAfter(rare.back());
    ORDO_ASSIGN_OR_RETURN(SqlRows more, conn.Query(next.sql, next.params));
    rare.clear();
    for (const auto& row : more.rows) {
      ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
      rare.push_back(CandidateKey{row[1].value_or(""), id});
    }
  }
  return ordered;
}

Result<ClaimedOperation> MysqlStore::CommitClaim(Transaction& txn, const Locked& locked,
                                                 OperationState after, const std::string& owner,
                                                 const std::string& token, std::string_view arm) {
  const OperationRecord& before = locked.operation;
  ORDO_ASSIGN_OR_RETURN(std::string external_id, ExternalIdOf(txn, before.apply_id));
  ORDO_RETURN_IF_ERROR(txn.CommitAfter(EventInsert(
      txn.conn(), {before.apply_id, before.id, "claimed", std::string(ToString(before.state)),
                   std::string(ToString(after)),
                   std::string(arm) + " owner=" + owner + " token=" + token})));
  ClaimedOperation claimed;
  claimed.operation = before;
  claimed.apply_external_id = std::move(external_id);
  claimed.lease = Lease{before.id, owner, token};
  return claimed;
}

Result<std::optional<ClaimedOperation>> MysqlStore::ClaimNextCopy(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(*txn_pool_));
  Transaction& conn = txn;
  ORDO_ASSIGN_OR_RETURN(auto locked, LockFirstCandidate(conn, gate_params_.copy));
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
    case OperationState::kPending: {
      arm_name = "start pending";
      // Under `barrier` an earlier sibling that let this row start (parked, swapping,
      // in its revert window) can still fail, revert or be stopped, and READ COMMITTED
      // read it before that commit. Share-lock the earlier siblings (waiting for any
      // writer of them) and repeat the whole gate in the UPDATE, so the decision holds
      // at commit. The other gates only move towards "may start" (completed and
      // failed are terminal).
      bool barrier = ParseCutoverPolicy(before.cutover_policy) == CutoverPolicy::kBarrier;
      if (barrier) {
        const GateQuery& lock = gate_params_.lock_earlier_siblings;
        ORDO_RETURN_IF_ERROR(
            conn.Query(lock.sql, {SqlValue::Int(before.apply_id), SqlValue::Int(before.id)})
                .status());
      }
      sql = barrier ? gate_params_.start_pending_barrier.sql : gate_params_.start_pending.sql;
      params = {now};
      params.insert(params.end(), lease.begin(), lease.end());
      params.push_back(SqlValue::Int(before.id));
      break;
    }
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
  OperationState after = before.state == OperationState::kPending   ? OperationState::kRunning
                         : before.state == OperationState::kStopped ? OperationState::kResuming
                                                                    : before.state;
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed,
                        CommitClaim(txn, *locked, after, owner, token, arm_name));
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<std::vector<int64_t>> MysqlStore::CopyCandidates() {
  return QueryIds(gate_params_.copy.all);
}

}  // namespace ordo::mysql

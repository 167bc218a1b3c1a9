// SqlStore: the claims (docs/model.md: copy arms A–D, cutover arms 1–2, cleanup) and the
// housekeeping jobs (stop reconciliation, retry expiry, re-deriving unheld applies).
//
// A claim is one write transaction: FindCandidate (the backend's search, or the
// default one here) yields the first row in (created_at, id) order that the claim may
// take, locked where rows lock; a guarded UPDATE by primary key repeats the arm's
// conditions (a stop committed meanwhile wins: zero rows, nothing claimed); then the
// claimed event and the commit. The housekeeping jobs re-check each candidate apply
// and lock it with SKIP LOCKED, so when several drivers run them in the same tick each
// apply is handled by one of them and the others move on.
#include <algorithm>

#include "core/check.h"
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sql/predicates.h"
#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace ordo::sqlstore {
namespace {

constexpr const char* kLeaseSet =
    "lease_owner = ?, lease_token = ?, lease_acquired_at = {now}, updated_at = {now}";

}  // namespace

const ClaimArms& SqlStore::ArmsOf(Claim claim) const {
  switch (claim) {
    case Claim::kCopy:
      return gates_.copy;
    case Claim::kCutover:
      return gates_.cutover;
    case Claim::kCleanup:
      break;
  }
  return gates_.cleanup;
}

SqlText SqlStore::CandidateList(Claim claim) const { return ArmsOf(claim).List(); }

Result<std::optional<OperationRecord>> SqlStore::FindCandidate(Session& s, Claim claim) {
  bool exclusive = d_.lock_rows_skip.empty();
  SqlText list = CandidateList(claim) + " LIMIT " + std::to_string(exclusive ? 1 : kCandidateBatch);
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s.Query(list.text, list.params));
  if (exclusive) {
    // No other writer until commit: the list's first row is the claim's.
    if (rows.rows.empty()) return std::optional<OperationRecord>();
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(rows.rows[0], 0));
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, ReadOperation(s, id));
    return std::optional<OperationRecord>(std::move(op));
  }
  SqlText lock = std::string("SELECT ") + kOperationColumns + " FROM apply_operations o WHERE " +
                 ArmsOf(claim).Any() + " AND o.id = ?" + std::string(d_.lock_rows_skip);
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    SqlText q = lock.With({db::SqlValue::Int(id)});
    ORDO_ASSIGN_OR_RETURN(db::SqlRows got, s.Query(q.text, q.params));
    if (got.rows.empty()) continue;  // changed meanwhile, or another claim holds it
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(d_, got.rows[0]));
    return std::optional<OperationRecord>(std::move(op));
  }
  return std::optional<OperationRecord>();
}

Result<std::string> SqlStore::ExternalIdOf(Session& s, int64_t apply_id) {
  {
    MutexLock lock(&external_ids_mu_);
    auto it = external_ids_.find(apply_id);
    if (it != external_ids_.end()) return it->second;
  }
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(s, apply_id));
  MutexLock lock(&external_ids_mu_);
  if (external_ids_.size() >= kMaxCachedExternalIds) external_ids_.clear();
  external_ids_.emplace(apply_id, apply.external_id);
  return apply.external_id;
}

Result<ClaimedOperation> SqlStore::CommitClaim(Transaction& t, const OperationRecord& before,
                                               OperationState after, const std::string& owner,
                                               const std::string& token, std::string_view arm) {
  ORDO_ASSIGN_OR_RETURN(std::string external_id, ExternalIdOf(t, before.apply_id));
  ORDO_RETURN_IF_ERROR(t.CommitAfter(
      Sql("INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, "
          "to_state, message) "
          "VALUES (?, ?, {now}, 'claimed', ?, ?, ?)"),
      {db::SqlValue::Int(before.apply_id), db::SqlValue::Int(before.id),
       db::SqlValue::Text(std::string(ToString(before.state))),
       db::SqlValue::Text(std::string(ToString(after))),
       db::SqlValue::Text(std::string(arm) + " owner=" + owner + " token=" + token)}));
  ClaimedOperation claimed;
  claimed.operation = before;
  claimed.apply_external_id = std::move(external_id);
  claimed.lease = Lease{before.id, owner, token};
  return claimed;
}

// ---- the copy claim ----

Result<std::optional<ClaimedOperation>> SqlStore::ClaimNextCopy(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(auto txn, BeginWrite());
  ORDO_ASSIGN_OR_RETURN(auto before, FindCandidate(*txn, Claim::kCopy));
  if (!before) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeUpdate");
  return TakeCopy(*txn, *before, owner, token);
}

Result<std::optional<ClaimedOperation>> SqlStore::TakeCopy(Transaction& t,
                                                           const OperationRecord& before,
                                                           const std::string& owner,
                                                           const std::string& token) {
  const std::string stop = gates_.RequestExists("apply_operations.apply_id", "stop");
  SqlText stale = "updated_at < " + gates_.StaleBefore();
  SqlText update;
  std::string arm;
  switch (before.state) {
    case OperationState::kPending: {
      arm = "start pending";
      // Under `barrier` an earlier sibling that let this row start (parked, swapping,
      // in its revert window) can still fail, revert or be stopped, and the search read
      // it without locking it. The gate is decided again from the earlier siblings as
      // a locking read returns them (after any uncommitted writer of one, and pinned
      // until commit), so the decision holds when this commits. The other gates only
      // move towards "may start" (completed and failed are terminal).
      if (ParseCutoverPolicy(before.cutover_policy) == CutoverPolicy::kBarrier) {
        ORDO_ASSIGN_OR_RETURN(bool held,
                              HeldBackBySibling(t, gates_.start_siblings.text, before.id));
        if (held) return std::optional<ClaimedOperation>();
      }
      update = gates_.start_pending.With(
          {db::SqlValue::Text(owner), db::SqlValue::Text(token), db::SqlValue::Int(before.id)});
      break;
    }
    case OperationState::kStopped:
      arm = "resume stopped";
      update = SqlText(
          Sql(std::string("UPDATE apply_operations SET state = 'resuming', ") + kLeaseSet +
              " WHERE id = ? AND state = 'stopped' AND " +
              gates_.RequestExists("apply_operations.apply_id", "start") + " AND NOT " + stop),
          {db::SqlValue::Text(owner), db::SqlValue::Text(token), db::SqlValue::Int(before.id)});
      break;
    case OperationState::kFailedRetryable: {
      ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(t, before.apply_id));
      bool redispatch = apply.state == ApplyState::kFailedRetryable;
      arm = redispatch ? "retry" : "recover retry";
      // Consume one unit of budget only for a real redispatch, capped at the budget;
      // the guard on the apply's state makes a second concurrent redispatch a no-op
      // (it waits for the first one's lock on the apply row, then matches nothing).
      SqlText apply_update =
          redispatch
              ? SqlText(
                    Sql("UPDATE applies SET attempt = CASE WHEN attempt + 1 < ? THEN attempt + 1 "
                        "ELSE ? END, state = 'running', updated_at = {now} WHERE id = ? AND "
                        "state = 'failed_retryable' AND attempt < ?"),
                    {db::SqlValue::Int(options_.retry_budget),
                     db::SqlValue::Int(options_.retry_budget), db::SqlValue::Int(apply.id),
                     db::SqlValue::Int(options_.retry_budget)})
              : SqlText(
                    Sql("UPDATE applies SET updated_at = {now} WHERE id = ? AND state = ? AND "),
                    {db::SqlValue::Int(apply.id),
                     db::SqlValue::Text(std::string(ToString(apply.state)))}) +
                    stale;
      ORDO_ASSIGN_OR_RETURN(uint64_t changed, t.Execute(apply_update.text, apply_update.params));
      if (changed == 0) return std::optional<ClaimedOperation>();
      if (redispatch) {
        ORDO_RETURN_IF_ERROR(WriteEvent(
            t, {apply.id, std::nullopt, "state_change", "failed_retryable", "running",
                "retry " + std::to_string(std::min(apply.attempt + 1, options_.retry_budget)) +
                    " of " + std::to_string(options_.retry_budget)}));
      }
      update = SqlText(
          Sql(std::string("UPDATE apply_operations SET ") + kLeaseSet +
              (redispatch ? ", attempt = attempt + 1" : "") +
              " WHERE id = ? AND state = 'failed_retryable'"),
          {db::SqlValue::Text(owner), db::SqlValue::Text(token), db::SqlValue::Int(before.id)});
      if (!redispatch) update += " AND " + stale;
      break;
    }
    default:
      // Arm B recovers live work only: a settled row handed to a driver would be copied
      // and swapped again.
      ORDO_CHECK(IsActive(before.state))
          << "copy claim found operation " << before.id << " " << ToString(before.state);
      arm = "recover stale";
      update = SqlText(Sql(std::string("UPDATE apply_operations SET ") + kLeaseSet +
                           " WHERE id = ? AND state = ? AND "),
                       {db::SqlValue::Text(owner), db::SqlValue::Text(token),
                        db::SqlValue::Int(before.id),
                        db::SqlValue::Text(std::string(ToString(before.state)))}) +
               stale;
      break;
  }
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, t.Execute(update.text, update.params));
  if (updated == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterUpdate");
  if (before.state == OperationState::kStopped) {
    // The start request is served once no stopped operation is left to resume.
    ORDO_ASSIGN_OR_RETURN(db::SqlRows left,
                          t.Query("SELECT 1 FROM apply_operations WHERE apply_id = ? AND "
                                  "state = 'stopped' LIMIT 1",
                                  {db::SqlValue::Int(before.apply_id)}));
    if (left.rows.empty()) {
      ORDO_RETURN_IF_ERROR(
          t.Execute(Sql("UPDATE control_requests SET status = 'completed', updated_at = "
                        "{now}, completed_at = {now} WHERE apply_id = ? AND kind = "
                        "'start' AND status = 'pending'"),
                    {db::SqlValue::Int(before.apply_id)})
              .status());
      ORDO_RETURN_IF_ERROR(
          WriteEvent(t, {before.apply_id, std::nullopt, "control_request", "pending", "completed",
                         "start completed: every stopped operation resumed"}));
    }
  }
  OperationState after = before.state == OperationState::kPending   ? OperationState::kRunning
                         : before.state == OperationState::kStopped ? OperationState::kResuming
                                                                    : before.state;
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed, CommitClaim(t, before, after, owner, token, arm));
  return std::optional<ClaimedOperation>(std::move(claimed));
}

// ---- the cutover claim ----

Result<std::optional<ClaimedOperation>> SqlStore::ClaimNextCutover(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(auto txn, BeginWrite());
  ORDO_ASSIGN_OR_RETURN(auto before, FindCandidate(*txn, Claim::kCutover));
  if (!before) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCutover:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeUpdate");
  return TakeCutover(*txn, *before, owner, token);
}

Result<std::optional<ClaimedOperation>> SqlStore::TakeCutover(Transaction& t,
                                                              const OperationRecord& before,
                                                              const std::string& owner,
                                                              const std::string& token) {
  bool start_parked = before.state == OperationState::kWaitingForCutover;
  ORDO_CHECK(start_parked || before.state == OperationState::kCuttingOver ||
             before.state == OperationState::kRevertWindow)
      << "cutover claim found operation " << before.id << " " << ToString(before.state);
  SqlText stale = "updated_at < " + gates_.StaleBefore();
  SqlText update =
      start_parked
          ? SqlText(
                Sql(std::string(
                        "UPDATE apply_operations SET state = 'cutting_over', cutover_started_at = "
                        "COALESCE(cutover_started_at, {now}), ") +
                    kLeaseSet + " WHERE id = ? AND state = 'waiting_for_cutover' AND NOT " +
                    gates_.RequestExists("apply_operations.apply_id", "stop") +
                    " AND (lease_token IS NULL OR "),
                {db::SqlValue::Text(owner), db::SqlValue::Text(token),
                 db::SqlValue::Int(before.id)}) +
                stale + ")"
          : SqlText(
                Sql(std::string("UPDATE apply_operations SET ") + kLeaseSet +
                    " WHERE id = ? AND state = ? AND "),
                {db::SqlValue::Text(owner), db::SqlValue::Text(token), db::SqlValue::Int(before.id),
                 db::SqlValue::Text(std::string(ToString(before.state)))}) +
                stale;
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, t.Execute(update.text, update.params));
  if (updated == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCutover:AfterUpdate");
  if (start_parked) {
    ORDO_RETURN_IF_ERROR(
        t.Execute(Sql(CompleteServedCutoverSql()),
                  {db::SqlValue::Int(before.apply_id), db::SqlValue::Int(before.apply_id)})
            .status());
  }
  ORDO_SYNC_POINT("Store::ClaimCutover:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(
      ClaimedOperation claimed,
      CommitClaim(t, before, start_parked ? OperationState::kCuttingOver : before.state, owner,
                  token, start_parked ? "start parked cutover" : "recover cutover"));
  return std::optional<ClaimedOperation>(std::move(claimed));
}

// ---- the cleanup claim: the lease alone changes, so a driver can cancel or clean up ----

Result<std::optional<ClaimedOperation>> SqlStore::ClaimNextCleanup(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(auto txn, BeginWrite());
  ORDO_ASSIGN_OR_RETURN(auto before, FindCandidate(*txn, Claim::kCleanup));
  if (!before) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCleanup:AfterSelect");
  ORDO_SYNC_POINT("Store::ClaimCleanup:BeforeUpdate");
  return TakeCleanup(*txn, *before, owner, token);
}

Result<std::optional<ClaimedOperation>> SqlStore::TakeCleanup(Transaction& t,
                                                              const OperationRecord& before,
                                                              const std::string& owner,
                                                              const std::string& token) {
  SqlText update =
      SqlText(Sql(std::string("UPDATE apply_operations SET ") + kLeaseSet +
                  " WHERE id = ? AND state = ? AND (lease_token IS NULL OR updated_at < "),
              {db::SqlValue::Text(owner), db::SqlValue::Text(token), db::SqlValue::Int(before.id),
               db::SqlValue::Text(std::string(ToString(before.state)))}) +
      gates_.StaleBefore() + ")";
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, t.Execute(update.text, update.params));
  if (updated == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCleanup:AfterUpdate");
  ORDO_SYNC_POINT("Store::ClaimCleanup:BeforeCommit");
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed,
                        CommitClaim(t, before, before.state, owner, token, "cleanup"));
  return std::optional<ClaimedOperation>(std::move(claimed));
}

// ---- housekeeping ----

// A pending stop whose apply has nothing in flight: the idle operations (pending,
// failed_retryable, parked without a live holder) become stopped, the apply state is
// re-derived and the stop completes.
Result<std::optional<StopReconciliation>> SqlStore::ClaimNextStop(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  ORDO_ASSIGN_OR_RETURN(auto txn, BeginWrite());
  const SqlText& list = gates_.stop_candidates;
  ORDO_ASSIGN_OR_RETURN(db::SqlRows candidates, txn->Query(list.text, list.params));
  int64_t apply_id = 0;
  for (const auto& row : candidates.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    SqlText q =
        (gates_.stop_recheck + std::string(d_.lock_rows_skip)).With({db::SqlValue::Int(id)});
    ORDO_ASSIGN_OR_RETURN(db::SqlRows locked, txn->Query(q.text, q.params));
    if (locked.rows.empty()) continue;
    apply_id = id;
    break;
  }
  if (apply_id == 0) return std::optional<StopReconciliation>();
  ORDO_SYNC_POINT("Store::ClaimStop:AfterSelect");
  ORDO_ASSIGN_OR_RETURN(StopReconciliation out, ReconcileStop(*txn, apply_id, owner, token));
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn->Commit());
  return std::optional<StopReconciliation>(std::move(out));
}

Result<int> SqlStore::ExpireRetries() {
  ORDO_ASSIGN_OR_RETURN(auto txn, BeginWrite());
  const SqlText& list = gates_.expiry_candidates;
  ORDO_ASSIGN_OR_RETURN(db::SqlRows candidates, txn->Query(list.text, list.params));
  if (candidates.rows.empty()) return 0;
  int expired = 0;
  for (const auto& row : candidates.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t apply_id, CellInt(row, 0));
    SqlText q = (gates_.expiry_recheck + std::string(d_.lock_rows_skip))
                    .With({db::SqlValue::Int(apply_id)});
    ORDO_ASSIGN_OR_RETURN(db::SqlRows locked, txn->Query(q.text, q.params));
    if (locked.rows.empty()) continue;  // redispatched meanwhile, or another driver has it
    ORDO_ASSIGN_OR_RETURN(int64_t attempt, CellInt(locked.rows[0], 1));
    ORDO_RETURN_IF_ERROR(ExpireApply(*txn, apply_id, static_cast<int>(attempt)));
    ++expired;
  }
  ORDO_RETURN_IF_ERROR(txn->Commit());
  return expired;
}

// The candidate query runs outside a write transaction (most ticks find nothing and
// take no lock). Each candidate then gets its own transaction: the apply row is locked
// (SKIP LOCKED: a driver's swap or another driver's re-derivation has it), its
// operations are read as committed, and the candidate query's decision is taken again
// in C++ against the transaction's clock. Only the apply row is locked, so this cannot
// deadlock with a swap (operation row, then apply row).
Result<int> SqlStore::RederiveUnheldApplies() {
  ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> ids, QueryIds(gates_.rederive_candidates));
  int moved = 0;
  for (int64_t apply_id : ids) {
    ORDO_ASSIGN_OR_RETURN(auto txn, BeginWrite());
    ORDO_ASSIGN_OR_RETURN(
        db::SqlRows locked,
        txn->Query(Sql("SELECT {now} FROM applies WHERE id = ?") + std::string(d_.lock_rows_skip),
                   {db::SqlValue::Int(apply_id)}));
    if (locked.rows.empty() || !locked.rows[0][0]) continue;
    ORDO_ASSIGN_OR_RETURN(Micros now, d_.parse_time(*locked.rows[0][0]));
    ORDO_ASSIGN_OR_RETURN(bool moved_one, RederiveIfUnheld(*txn, apply_id, now));
    if (!moved_one) continue;
    ORDO_RETURN_IF_ERROR(txn->Commit());
    ++moved;
  }
  return moved;
}

// ---- GateCandidates ----

Result<std::vector<int64_t>> SqlStore::QueryIds(const SqlText& query) {
  ORDO_ASSIGN_OR_RETURN(auto s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s->Query(query.text, query.params));
  std::vector<int64_t> ids;
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t id, CellInt(row, 0));
    ids.push_back(id);
  }
  return ids;
}

Result<std::vector<int64_t>> SqlStore::SwappingIds() {
  return QueryIds(SqlText("SELECT o.id FROM apply_operations o WHERE o.state = 'cutting_over'"));
}

Result<std::vector<int64_t>> SqlStore::CopyCandidates() {
  return QueryIds(CandidateList(Claim::kCopy));
}
Result<std::vector<int64_t>> SqlStore::CutoverCandidates() {
  return QueryIds(CandidateList(Claim::kCutover));
}
Result<std::vector<int64_t>> SqlStore::CleanupCandidates() {
  return QueryIds(CandidateList(Claim::kCleanup));
}
Result<std::vector<int64_t>> SqlStore::StopCandidates() { return QueryIds(gates_.stop_candidates); }
Result<std::vector<int64_t>> SqlStore::ExpiryCandidates() {
  return QueryIds(gates_.expiry_candidates);
}
Result<std::vector<int64_t>> SqlStore::RederiveCandidates() {
  return QueryIds(gates_.rederive_candidates);
}

}  // namespace ordo::sqlstore

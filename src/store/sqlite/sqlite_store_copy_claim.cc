// SqliteStore: the copy claim (model.md arms A–D) and the shared claim epilogue.
//
// One BEGIN IMMEDIATE transaction: the candidate query (sqlite_gates.cc) picks the
// first claimable row in (created_at, id) order, then a guarded UPDATE by primary key
// repeats the arm's conditions; zero rows means another writer changed the row first
// and the claim returns nothing.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {
namespace {

std::string LeaseSet() {
  return "lease_owner = :owner, lease_token = :token, lease_acquired_at = :now, updated_at = :now";
}

}  // namespace

Result<ClaimedOperation> SqliteStore::FinishClaim(int64_t operation_id,
                                                  const OperationRecord& before,
                                                  const std::string& owner,
                                                  const std::string& token, std::string_view arm) {
  ORDO_ASSIGN_OR_RETURN(OperationRecord after, ReadOperation(here_, operation_id));
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(here_, before.apply_id));
  ORDO_RETURN_IF_ERROR(WriteEvent(here_, {before.apply_id, operation_id, "claimed",
                                   std::string(ToString(before.state)),
                                   std::string(ToString(after.state)),
                                   std::string(arm) + " owner=" + owner + " token=" + token}));
  ClaimedOperation claimed;
  claimed.operation = before;
  claimed.apply_external_id = apply.external_id;
  claimed.lease = Lease{operation_id, owner, token};
  return claimed;
}

Result<std::optional<ClaimedOperation>> SqliteStore::ClaimNextCopy(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  int64_t id = 0;
  char arm = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(CopyCandidatesSql() + " LIMIT 1"));
    BindGateParams(st, now);
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<ClaimedOperation>();
    id = st.Int(0);
    arm = st.Text(1)[0];
  }
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterSelect");
  ORDO_ASSIGN_OR_RETURN(OperationRecord before, ReadOperation(here_, id));
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeUpdate");
  std::string stop = RequestExistsSql("apply_operations.apply_id", "stop");
  std::string sql;
  std::string arm_name;
  switch (arm) {
    case 'A':
      arm_name = "start pending";
      sql = "UPDATE apply_operations SET state = 'running', started_at = COALESCE(started_at, "
            ":now), " + LeaseSet() + " WHERE id = :id AND state = 'pending' AND NOT " + stop;
      break;
    case 'B':
      arm_name = "recover stale";
      sql = "UPDATE apply_operations SET " + LeaseSet() +
            " WHERE id = :id AND state = :seen AND updated_at < :stale_before";
      break;
    case 'C':
      arm_name = "resume stopped";
      sql = "UPDATE apply_operations SET state = 'resuming', " + LeaseSet() +
            " WHERE id = :id AND state = 'stopped' AND " +
            RequestExistsSql("apply_operations.apply_id", "start") + " AND NOT " + stop;
      break;
    default: {
      ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(here_, before.apply_id));
      bool redispatch = apply.state == ApplyState::kFailedRetryable;
      arm_name = redispatch ? "retry" : "recover retry";
      // Consume one unit of budget only for a real redispatch, capped at the budget;
      // the guard on the apply's state makes a second concurrent redispatch a no-op.
      ORDO_ASSIGN_OR_RETURN(auto ast, db_->Prepare(
          redispatch ? "UPDATE applies SET attempt = MIN(attempt + 1, :budget), state = 'running', "
                       "updated_at = :now WHERE id = :apply AND state = 'failed_retryable' AND "
                       "attempt < :budget"
                     : "UPDATE applies SET updated_at = :now WHERE id = :apply AND state = :seen "
                       "AND updated_at < :stale_before"));
      BindGateParams(ast, now);
      ORDO_RETURN_IF_ERROR(ast.Bind(":apply", apply.id).Bind(":seen", ToString(apply.state)).Run());
      if (db_->Changes() == 0) return std::optional<ClaimedOperation>();
      if (redispatch) {
        ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply.id, std::nullopt, "state_change", "failed_retryable", "running",
                                         "retry " + std::to_string(std::min(apply.attempt + 1, options_.retry_budget)) +
                                             " of " + std::to_string(options_.retry_budget)}));
      }
      sql = "UPDATE apply_operations SET " + LeaseSet() +
            (redispatch ? ", attempt = attempt + 1" : "") +
            " WHERE id = :id AND state = 'failed_retryable'" +
            (redispatch ? "" : " AND updated_at < :stale_before");
      break;
    }
  }
  ORDO_ASSIGN_OR_RETURN(auto up, db_->Prepare(sql));
  BindGateParams(up, now);
  ORDO_RETURN_IF_ERROR(up.Bind(":id", id)
                           .Bind(":owner", owner)
                           .Bind(":token", token)
                           .Bind(":seen", ToString(before.state))
                           .Run());
  if (db_->Changes() == 0) return std::optional<ClaimedOperation>();
  ORDO_SYNC_POINT("Store::ClaimCopy:AfterUpdate");
  if (arm == 'C') {
    // The start request is served once no stopped operation is left to resume.
    ORDO_ASSIGN_OR_RETURN(auto left, db_->Prepare("SELECT 1 FROM apply_operations WHERE apply_id = :apply AND state = 'stopped' LIMIT 1"));
    left.Bind(":apply", before.apply_id);
    ORDO_ASSIGN_OR_RETURN(bool any_left, left.Step());
    if (!any_left) {
      ORDO_ASSIGN_OR_RETURN(auto done, db_->Prepare(
          "UPDATE control_requests SET status = 'completed', updated_at = :now, completed_at = "
          ":now WHERE apply_id = :apply AND kind = 'start' AND status = 'pending'"));
      ORDO_RETURN_IF_ERROR(done.Bind(":now", now).Bind(":apply", before.apply_id).Run());
      ORDO_RETURN_IF_ERROR(WriteEvent(here_, {before.apply_id, std::nullopt, "control_request", "pending", "completed",
                                       "start completed: every stopped operation resumed"}));
    }
  }
  ORDO_ASSIGN_OR_RETURN(ClaimedOperation claimed, FinishClaim(id, before, owner, token, arm_name));
  ORDO_SYNC_POINT("Store::ClaimCopy:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<ClaimedOperation>(std::move(claimed));
}

Result<std::vector<int64_t>> SqliteStore::CopyCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(CopyCandidatesSql(), NowMicros());
}

}  // namespace ordo::sqlite

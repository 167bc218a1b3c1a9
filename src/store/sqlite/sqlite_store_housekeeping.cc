// SqliteStore: stop reconciliation, retry expiry, re-deriving unheld applies and the
// event log.
#include "ordo/sync_point.h"
#include "store/lease_token.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_gates.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {

// A pending stop whose apply has nothing in flight: the idle operations (pending,
// failed_retryable, parked without a live holder) become stopped, the apply state is
// re-derived and the stop completes.
Result<std::optional<StopReconciliation>> SqliteStore::ClaimNextStop(std::string_view owner_view) {
  if (owner_view.empty()) return LeaseLost("claim: empty owner");
  std::string owner(owner_view);
  std::string token = NewLeaseToken();
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  int64_t apply_id = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(StopCandidatesSql() + " LIMIT 1"));
    BindGateParams(st, now);
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<StopReconciliation>();
    apply_id = st.Int(0);
  }
  ORDO_SYNC_POINT("Store::ClaimStop:AfterSelect");
  ORDO_ASSIGN_OR_RETURN(StopReconciliation out, ReconcileStop(here_, apply_id, owner, token));
  ORDO_SYNC_POINT("Store::ClaimStop:BeforeCommit");
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return std::optional<StopReconciliation>(std::move(out));
}

Result<int> SqliteStore::ExpireRetries() {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  std::vector<std::pair<int64_t, int>> expired;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(ExpiryCandidatesSql()));
    BindGateParams(st, now);
    while (true) {
      ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      expired.emplace_back(st.Int(0), static_cast<int>(st.Int(1)));
    }
  }
  if (expired.empty()) return 0;
  for (const auto& [apply_id, attempt] : expired)
    ORDO_RETURN_IF_ERROR(ExpireApply(here_, apply_id, attempt));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return static_cast<int>(expired.size());
}

// The candidate query first runs outside a write transaction (most ticks find
// nothing and take no write lock); when it finds applies, it runs again under BEGIN
// IMMEDIATE and each apply is re-derived and swapped in that transaction.
Result<int> SqliteStore::RederiveUnheldApplies() {
  std::lock_guard<std::mutex> lock(mu_);
  ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> seen, QueryIds(RederiveCandidatesSql(), NowMicros()));
  if (seen.empty()) return 0;
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  ORDO_ASSIGN_OR_RETURN(std::vector<int64_t> ids, QueryIds(RederiveCandidatesSql(), now));
  int moved = 0;
  for (int64_t apply_id : ids) {
    ORDO_ASSIGN_OR_RETURN(bool moved_one, RederiveIfUnheld(here_, apply_id, now));
    moved += moved_one ? 1 : 0;
  }
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return moved;
}

Result<std::vector<int64_t>> SqliteStore::StopCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(StopCandidatesSql(), NowMicros());
}

Result<std::vector<int64_t>> SqliteStore::ExpiryCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(ExpiryCandidatesSql(), NowMicros());
}

Result<std::vector<int64_t>> SqliteStore::RederiveCandidates() {
  std::lock_guard<std::mutex> lock(mu_);
  return QueryIds(RederiveCandidatesSql(), NowMicros());
}

}  // namespace ordo::sqlite

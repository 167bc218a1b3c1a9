// SqlStore: the control store's rules written once, over a backend's transactions
// and dialect (store/sql/session.h). The backends (mysql/, sqlite/) derive from it and
// supply how a transaction is opened and what differs in SQL; every rule that does
// not depend on the database is here: the fenced writes and their lease checks, the
// events they write, the apply state re-derived and written with its marks, and the
// requests a settled apply makes moot.
//
// Fenced writes. Every write of a driver is "UPDATE … WHERE id = ? AND lease_token = ?"
// after the operation row was read with the dialect's row lock (so a write from a
// displaced driver issued while a steal is uncommitted waits for the steal, then sees
// the new token). A stale token is LeaseLost, and only a lease_lost event is written —
// and committed; a write that matched no row is re-read: the row still carries the
// token → an idempotent repeat, ok; the row is gone → NotFound.
//
// Thread-safety: as the backend's transactions: each call opens its own.
//
//   class MyStore final : public sqlstore::SqlStore {
//     Result<std::unique_ptr<sqlstore::Transaction>> BeginWrite() override;
//     …
//   };
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "db/dsn.h"
#include "ordo/store.h"
#include "store/gate_candidates.h"
#include "store/sql/gates.h"
#include "store/sql/session.h"
#include "store/sql/sql_text.h"

namespace ordo::sqlstore {

// What the Open of every server backend checks first: the URL's scheme, and that it
// names a database.
Status CheckServerUrl(const db::Dsn& dsn, std::string_view scheme);
// A positive integer parameter of the URL (`pool`, `lock_wait_timeout`), or `fallback`.
int UrlInt(const db::Dsn& dsn, const std::string& name, int fallback);

// The newest migration applied, from "SELECT COALESCE(MAX(version), 0) FROM
// schema_migrations" (a missing table: 0); for SchemaVersion and the backends'
// migration runners.
Result<int> AppliedVersion(Session& s);

class SqlStore : public Store, public GateCandidates {
 public:
  // ---- creates and control requests (sql_store_requests.cc) ----
  Result<ApplyRecord> CreateApply(const NewApply& apply) override;
  Result<RequestAnswer> RequestControl(int64_t apply_id, RequestKind kind,
                                       std::string_view requested_by) override;
  Status CompleteRequest(int64_t apply_id, RequestKind kind) override;
  Status FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) override;
  Status AppendEvent(const EventRecord& event) override;
  Result<bool> BeginCutover(const Lease& lease) override;

  // ---- reads (sql_store_reads.cc) ----
  Result<ApplyRecord> GetApply(int64_t apply_id) override;
  Result<ApplyRecord> FindApply(std::string_view external_id) override;
  Result<std::vector<ApplyRecord>> ListApplies(int limit) override;
  Result<std::vector<OperationRecord>> ListOperations(int64_t apply_id) override;
  Result<OperationRecord> GetOperation(int64_t operation_id) override;
  Result<std::vector<ChangeRecord>> ListChanges(int64_t operation_id) override;
  Result<std::optional<std::string>> HolderOfDeployments(int64_t apply_id) override;
  Result<std::vector<ControlRequestRecord>> ListRequests(int64_t apply_id) override;
  Result<std::vector<EventRecord>> ListEvents(int64_t apply_id) override;

  // ---- fenced writes (sql_store.cc) ----
  Status Heartbeat(const Lease& lease) override;
  Status TransitionOperation(const Lease& lease, OperationState to,
                             std::optional<std::string> error) override;
  Status CompleteOwingCleanup(const Lease& lease) override;
  Status Park(const Lease& lease) override;
  Status SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) override;
  Status SaveResumeState(const Lease& lease, std::string_view resume_state_json) override;
  Result<bool> CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                             std::optional<std::string> error) override;

  // ---- the store itself (sql_store.cc) ----
  // The newest migration applied (0 before the first); the identity the first
  // migration made (NotFound before it); the database clock (`SELECT <now>`).
  Result<int> SchemaVersion() override;
  Result<std::string> StoreId() override;
  Result<Micros> Now() override;

  // ---- claims and housekeeping (sql_store_claims.cc) ----
  Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCutover(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCleanup(std::string_view owner) override;
  Result<std::optional<StopReconciliation>> ClaimNextStop(std::string_view owner) override;
  Result<int> ExpireRetries() override;
  Result<int> RederiveUnheldApplies() override;

  // ---- GateCandidates: the lists the claims and jobs pick from ----
  Result<std::vector<int64_t>> CopyCandidates() override;
  Result<std::vector<int64_t>> CutoverCandidates() override;
  Result<std::vector<int64_t>> CleanupCandidates() override;
  Result<std::vector<int64_t>> StopCandidates() override;
  Result<std::vector<int64_t>> ExpiryCandidates() override;
  Result<std::vector<int64_t>> RederiveCandidates() override;

 protected:
  SqlStore(const Dialect& dialect, const StoreOptions& options)
      : options_(options), d_(dialect), gates_(dialect, options) {}

  // A write transaction, stamped with one clock reading (Dialect::now).
  virtual Result<std::unique_ptr<Transaction>> BeginWrite() = 0;
  // A session for reads outside a write transaction (each statement sees the newest
  // committed rows).
  virtual Result<std::unique_ptr<Session>> BeginRead() = 0;

  // A server backend's Open ends here: one connection made, so an unreachable server
  // or a missing database fails at open rather than at first use.
  template <typename Backend>
  static Result<std::unique_ptr<Backend>> Connected(std::unique_ptr<Backend> store) {
    SqlStore& core = *store;
    ORDO_RETURN_IF_ERROR(core.BeginRead().status());
    return store;
  }

  // ---- how a backend finds a claim's row (sql_store_claims.cc) ----
  enum class Claim { kCopy, kCutover, kCleanup };
  // SELECT id, created_at of every row the claim may take, in (created_at, id) order,
  // not locked. Default: the claim's arms, one SELECT each, UNION ALL'ed.
  virtual SqlText CandidateList(Claim claim) const;
  // The first row in claim order that the claim may take and no other transaction
  // holds, locked until commit where rows lock (the row as committed before the
  // claim). Default: the first rows of CandidateList, each then locked by id with the
  // dialect's skip-locked clause and every arm re-checked against the newest committed
  // row; where write transactions are exclusive, simply the list's first row.
  virtual Result<std::optional<OperationRecord>> FindCandidate(Session& s, Claim claim);
  const ClaimArms& ArmsOf(Claim claim) const;
  // How many rows of the candidate list the default FindCandidate tries.
  static constexpr int kCandidateBatch = 32;

  // ---- the shared helpers; `s` is inside the caller's transaction ----
  struct Event {
    int64_t apply_id = 0;
    std::optional<int64_t> operation_id;
    std::string kind;
    std::optional<std::string> from_state;
    std::optional<std::string> to_state;
    std::string message;
  };
  Status WriteEvent(Session& s, const Event& e);
  // `lock`: with the dialect's row lock (lock order everywhere: operation rows, then
  // their apply).
  Result<ApplyRecord> ReadApply(Session& s, int64_t apply_id, bool lock = false);
  Result<OperationRecord> ReadOperation(Session& s, int64_t operation_id);
  Result<std::vector<OperationRecord>> ReadOperations(Session& s, int64_t apply_id);
  Result<std::vector<ControlRequestRecord>> ReadRequests(Session& s, int64_t apply_id);
  Result<std::optional<RequestStatus>> ReadRequestStatus(Session& s, int64_t apply_id,
                                                         RequestKind kind);
  // The pause policy's latch: a release request pending or completed.
  Result<bool> ReleaseLatched(Session& s, int64_t apply_id);
  // Re-derives the apply's state from its operations and stores it when it changed.
  Status RederiveApply(Session& s, int64_t apply_id, std::string_view why);
  // Writes a new apply state (with its marks and an event); completes moot requests
  // when the state settles.
  Status WriteApplyState(Session& s, const ApplyRecord& apply, ApplyState next,
                         const std::optional<std::string>& error, std::string_view why);
  Status CompleteMootRequests(Session& s, int64_t apply_id, ApplyState state);
  // Whether an earlier sibling holds back operation `operation_id`, by `siblings` (an
  // EarlierSiblingsSql statement): decided from the rows that locking read returns,
  // which stay share-locked until the caller commits.
  Result<bool> HeldBackBySibling(Session& s, std::string_view siblings, int64_t operation_id);
  // Reads the operation row with the dialect's row lock (waiting for an uncommitted
  // writer, passing the sync point "Store::WaitingForLock" first) and checks `lease`:
  // the row when the token is current; NotFound; LeaseLost (a lease_lost event is then
  // written and must be committed by the caller).
  Result<OperationRecord> LockLeased(Session& s, const Lease& lease);
  // Runs a fenced UPDATE (`params` then the operation id and the token bind its
  // trailing "id = ? AND lease_token = ?"); on zero rows, the FenceFailure verdict.
  Status FencedUpdate(Session& s, const Lease& lease, std::string_view sql,
                      std::vector<db::SqlValue> params);
  // After a fenced write matched no row: ok (the row still has the token), NotFound or
  // LeaseLost (an event records it).
  Status FenceFailure(Session& s, const Lease& lease);
  // Records a lease_lost event and returns LeaseLost.
  Status LostLease(Session& s, const Lease& lease, int64_t apply_id,
                   const std::optional<std::string>& holder);

  // Locks the (database, environment) scope so one-active-apply checks serialise (a
  // no-op where write transactions are exclusive).
  Status LockScope(Session& s, const std::string& database, const std::string& environment);
  // "deployment … is held by apply …" for another apply holding one of `deployments`
  // (HoldsDeployment), if any.
  Result<std::optional<std::string>> DeploymentHolder(Session& s, const std::string& database,
                                                      const std::string& environment,
                                                      const std::vector<std::string>& deployments,
                                                      int64_t exclude_apply_id);
  // The apply's one request row of a kind, created or reset (created_at now,
  // completed_at NULL).
  Status UpsertRequest(Session& s, int64_t apply_id, RequestKind kind, RequestStatus status,
                       std::string_view requested_by, const std::optional<std::string>& error);

  // ---- housekeeping of one apply, found and locked by the backend's candidate
  // query (sql_store_housekeeping.cc) ----
  // Stop reconciliation: the apply's lease taken, its idle operations (pending,
  // failed_retryable, parked without a live holder) stopped, its state re-derived and
  // the stop completed.
  Result<StopReconciliation> ReconcileStop(Session& s, int64_t apply_id, const std::string& owner,
                                           const std::string& token);
  // Retry expiry: the apply's failed_retryable rows failed (owing their cleanup when
  // they ever started) and the apply failed, naming why (`attempt` against the budget,
  // or the window).
  Status ExpireApply(Session& s, int64_t apply_id, int attempt);
  // The apply's state re-derived and written when no operation is under a live lease
  // at `now` and the derivation moves it (RederivesUnheld); true when it moved.
  Result<bool> RederiveIfUnheld(Session& s, int64_t apply_id, Micros now);

  // The operations that are swapping now (state cutting_over), for a polling turn
  // watch (turn_signal.h).
  Result<std::vector<int64_t>> SwappingIds();

  // The external id of apply `apply_id`, read once and kept (it never changes and ids
  // are not reused).
  Result<std::string> ExternalIdOf(Session& s, int64_t apply_id);

  const Dialect& dialect() const { return d_; }
  const Gates& gates() const { return gates_; }
  const StoreOptions options_;
  // `text` with every "{now}" replaced by the dialect's clock expression.
  std::string Sql(std::string_view text) const;

 private:
  // CompleteRequest (to completed) or FailRequest (to failed, with `error`).
  Status EndRequest(int64_t apply_id, RequestKind kind, RequestStatus to,
                    const std::optional<std::string>& error);
  // TransitionOperation, or with owe_cleanup CompleteOwingCleanup.
  Status Transition(const Lease& lease, OperationState to, std::optional<std::string> error,
                    bool owe_cleanup);
  // Opens a write transaction and locks the leased row (passing the sync point
  // "Store::FencedWrite:BeforeWrite" first). When the lease check fails the error is
  // returned instead, a LeaseLost one after its lease_lost event was committed.
  struct Leased {
    std::unique_ptr<Transaction> txn;
    OperationRecord row;
  };
  Result<Leased> BeginLeased(const Lease& lease);

  // The claim's move of `before` (found by FindCandidate) under a new lease, with its
  // guarded UPDATE (nothing claimed when it matched no row), its event and the commit.
  Result<std::optional<ClaimedOperation>> TakeCopy(Transaction& t, const OperationRecord& before,
                                                   const std::string& owner,
                                                   const std::string& token);
  Result<std::optional<ClaimedOperation>> TakeCutover(Transaction& t, const OperationRecord& before,
                                                      const std::string& owner,
                                                      const std::string& token);
  Result<std::optional<ClaimedOperation>> TakeCleanup(Transaction& t, const OperationRecord& before,
                                                      const std::string& owner,
                                                      const std::string& token);
  // The claimed event and the commit; the answer holds the state from before the claim.
  Result<ClaimedOperation> CommitClaim(Transaction& t, const OperationRecord& before,
                                       OperationState after, const std::string& owner,
                                       const std::string& token, std::string_view arm);
  // The ids (first column) a candidate query lists.
  Result<std::vector<int64_t>> QueryIds(const SqlText& query);

  const Dialect& d_;
  const Gates gates_;
  Mutex external_ids_mu_;
  std::unordered_map<int64_t, std::string> external_ids_
      ORDO_GUARDED_BY(external_ids_mu_);                  // ExternalIdOf's, by apply id
  static constexpr size_t kMaxCachedExternalIds = 10000;  // then the cache starts over
};

}  // namespace ordo::sqlstore

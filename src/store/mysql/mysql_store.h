// MysqlStore: the control store on MariaDB/MySQL (model.md, docs/store.md).
//
// Connections come from a MysqlPool; every session runs READ COMMITTED with
// time_zone '+00:00', and every timestamp is the database clock (NOW(6) into
// DATETIME(6)). A claim is one transaction: a non-locking query lists the first
// candidates in (created_at, id) order, then each is locked by primary key with
// `SELECT … FOR UPDATE SKIP LOCKED` that repeats every gate against the newest
// committed row, the first one locked is moved by a guarded UPDATE, and the
// transaction commits (zero rows updated: nothing claimed). Fenced writes lock the row
// they write, so a write from a displaced driver waits for an uncommitted steal and
// then fails with LeaseLost. Deadlocks and lock wait timeouts come back as Aborted
// (retryable).
//
// Thread-safety: safe from many threads (each call takes its own pooled connection);
// several processes may share one database.
//
//   ORDO_ASSIGN_OR_RETURN(auto store, mysql::MysqlStore::Open(dsn, {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/dsn.h"
#include "db/mysql/pool.h"
#include "ordo/store.h"
#include "store/gate_candidates.h"
#include "store/mysql/gates.h"

namespace ordo::mysql {

class Transaction;

class MysqlStore final : public Store, public GateCandidates {
 public:
  // Checks that the server answers; does not migrate. Unavailable when it cannot be
  // reached.
  static Result<std::unique_ptr<MysqlStore>> Open(const Dsn& dsn, const StoreOptions& options);

  Status Migrate() override;
  Result<int> SchemaVersion() override;
  Result<Micros> Now() override;
  Result<std::string> StoreId() override;

  Result<ApplyRecord> CreateApply(const NewApply& apply) override;
  Result<ApplyRecord> GetApply(int64_t apply_id) override;
  Result<ApplyRecord> FindApply(std::string_view external_id) override;
  Result<std::vector<ApplyRecord>> ListApplies(int limit) override;
  Result<std::vector<OperationRecord>> ListOperations(int64_t apply_id) override;
  Result<OperationRecord> GetOperation(int64_t operation_id) override;
  Result<std::vector<ChangeRecord>> ListChanges(int64_t operation_id) override;

  Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCutover(std::string_view owner) override;
  Result<std::optional<StopReconciliation>> ClaimNextStop(std::string_view owner) override;
  Result<std::optional<ClaimedOperation>> ClaimNextCleanup(std::string_view owner) override;
  Result<bool> BeginCutover(const Lease& lease) override;

  Status Heartbeat(const Lease& lease) override;
  Status TransitionOperation(const Lease& lease, OperationState to,
                             std::optional<std::string> error) override;
  Status CompleteOwingCleanup(const Lease& lease) override;
  Status Park(const Lease& lease) override;
  Status SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) override;
  Status SaveResumeState(const Lease& lease, std::string_view resume_state_json) override;
  Result<bool> CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                             std::optional<std::string> error) override;

  Result<RequestAnswer> RequestControl(int64_t apply_id, RequestKind kind,
                                       std::string_view requested_by) override;
  Status CompleteRequest(int64_t apply_id, RequestKind kind) override;
  Status FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) override;
  Result<std::vector<ControlRequestRecord>> ListRequests(int64_t apply_id) override;

  Result<int> ExpireRetries() override;
  Result<int> RederiveUnheldApplies() override;
  Status AppendEvent(const EventRecord& event) override;
  Result<std::vector<EventRecord>> ListEvents(int64_t apply_id) override;

  Result<std::vector<int64_t>> CopyCandidates() override;
  Result<std::vector<int64_t>> CutoverCandidates() override;
  Result<std::vector<int64_t>> CleanupCandidates() override;
  Result<std::vector<int64_t>> StopCandidates() override;
  Result<std::vector<int64_t>> ExpiryCandidates() override;
  Result<std::vector<int64_t>> RederiveCandidates() override;

 private:
  MysqlStore(const Dsn& dsn, const StoreOptions& options);

  // ---- helpers (mysql_store.cc); `conn` is inside the caller's transaction ----
  struct Event {
    int64_t apply_id = 0;
    std::optional<int64_t> operation_id;
    std::string kind;
    std::optional<std::string> from_state;
    std::optional<std::string> to_state;
    std::string message;
  };
  Status WriteEvent(MysqlConnection& conn, const Event& e);
  // WriteEvent's INSERT as text, for Transaction::CommitAfter.
  static std::string EventInsert(MysqlConnection& conn, const Event& e);
  Result<ApplyRecord> ReadApply(MysqlConnection& conn, int64_t apply_id, bool for_update = false);
  Result<OperationRecord> ReadOperation(MysqlConnection& conn, int64_t operation_id);
  Result<std::vector<OperationRecord>> ReadOperations(MysqlConnection& conn, int64_t apply_id);
  Result<std::optional<RequestStatus>> ReadRequestStatus(MysqlConnection& conn, int64_t apply_id,
                                                         RequestKind kind);
  Result<std::vector<ControlRequestRecord>> ReadRequests(MysqlConnection& conn, int64_t apply_id);
  Result<bool> ReleaseLatched(MysqlConnection& conn, int64_t apply_id);
  Result<std::vector<int64_t>> QueryIds(const GateQuery& query);
  // Locks the operation row (waiting for an uncommitted writer, passing the sync point
  // "Store::WaitingForLock" first) and checks `lease`: ok with the row when the token
  // is current; NotFound; LeaseLost (a lease_lost event is then written and must be
  // committed by the caller).
  Result<OperationRecord> LockLeased(MysqlConnection& conn, const Lease& lease);
  // After a fenced write matched no row: ok (the row still has the token), NotFound or
  // LeaseLost (an event records it).
  Status FenceFailure(MysqlConnection& conn, const Lease& lease);
  // Records a lease_lost event and returns LeaseLost.
  Status LostLease(MysqlConnection& conn, const Lease& lease, int64_t apply_id,
                   const std::optional<std::string>& holder);
  // TransitionOperation, or with owe_cleanup CompleteOwingCleanup.
  Status Transition(const Lease& lease, OperationState to, std::optional<std::string> error,
                    bool owe_cleanup);
  // Re-derives the apply's state from its operations and stores it when it changed.
  Status RederiveApply(MysqlConnection& conn, int64_t apply_id, std::string_view why);
  // Writes a new apply state (with marks and an event); completes moot requests when
  // the state settles.
  Status WriteApplyState(MysqlConnection& conn, const ApplyRecord& apply, ApplyState next,
                         const std::optional<std::string>& error, std::string_view why);
  Status CompleteMootRequests(MysqlConnection& conn, int64_t apply_id, ApplyState state);
  // Locks the (database, environment) scope so one-active-apply checks serialise.
  Status LockScope(MysqlConnection& conn, const std::string& database,
                   const std::string& environment);
  // "deployment … is held by apply …" for another apply holding one of `deployments`
  // (HoldsDeployment), if any.
  Result<std::optional<std::string>> DeploymentHolder(MysqlConnection& conn,
                                                      const std::string& database,
                                                      const std::string& environment,
                                                      const std::vector<std::string>& deployments,
                                                      int64_t exclude_apply_id);
  Status UpsertRequest(MysqlConnection& conn, int64_t apply_id, RequestKind kind,
                       RequestStatus status, std::string_view requested_by,
                       const std::optional<std::string>& error);
  // A candidate row locked by this transaction, and the database clock then.
  struct Locked {
    OperationRecord operation;  // as committed before the claim
    std::string now;            // NOW(6) as DATETIME text, reused for every write of the claim
  };
  // The external id of apply `apply_id`, read once per apply (`conn` may be inside a
  // transaction) and kept: an apply's external id never changes and ids are not reused.
  Result<std::string> ExternalIdOf(MysqlConnection& conn, int64_t apply_id);
  static constexpr size_t kMaxCachedExternalIds = 10000;  // then the cache starts over
  // Locks the first row in claim order that is claimable (every gate evaluated on the
  // newest committed row) and that no other transaction holds (see ClaimGates).
  Result<std::optional<Locked>> LockFirstCandidate(MysqlConnection& conn, const ClaimGates& gates);
  // Writes the claimed event and commits, in one round trip, and builds the answer
  // (the state from before the claim).
  Result<ClaimedOperation> CommitClaim(Transaction& txn, const Locked& locked,
                                       OperationState after, const std::string& owner,
                                       const std::string& token, std::string_view arm);
  // The rare-arm probe reads at most this many pages of rows that turn out not to be
  // claimable before the claim settles for the ordered arm's row.
  static constexpr int kMaxCandidatePages = 16;
  // Runs a fenced UPDATE; on zero rows returns the FenceFailure verdict.
  Status FencedUpdate(MysqlConnection& conn, const Lease& lease, std::string_view sql,
                      std::vector<SqlValue> params);

  StoreOptions options_;
  GateParams gate_params_;
  std::unique_ptr<MysqlPool> pool_;      // single statements (autocommit)
  std::unique_ptr<MysqlPool> txn_pool_;  // transactions (autocommit off)
  std::mutex external_ids_mu_;
  std::unordered_map<int64_t, std::string> external_ids_;  // ExternalIdOf's, by apply id
};

// The settings of every store session (UTC time zone, READ COMMITTED, strict sql_mode,
// MariaDB optimizer switches; the DSN's lock_wait_timeout). Tools that must plan
// queries exactly as the store does (EXPLAIN in bench/store) connect with these.
MysqlConnectOptions SessionOptions(const Dsn& dsn);

// OpenStore's entry for "mysql:": `rest` is the URL after the scheme
// ("//user:pass@host:port/database?lock_wait_timeout=10&pool=64").
Result<std::unique_ptr<Store>> OpenMysqlUrl(std::string_view rest, const StoreOptions& options);

}  // namespace ordo::mysql

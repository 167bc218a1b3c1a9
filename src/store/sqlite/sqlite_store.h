// SqliteStore: the control store on one SQLite file (model.md, docs/store.md).
//
// Every write transaction is BEGIN IMMEDIATE: SQLite has one writer at a time, so a
// claim's SELECT and guarded UPDATE run with no other writer in between, across
// threads and processes alike. The file is in WAL mode (readers never block the
// writer); lock waits poll up to a busy timeout and then fail with Aborted (retryable).
//
// Thread-safety: safe from many threads (one connection guarded by a mutex); several
// processes (or several SqliteStore objects) may open the same file.
//
//   ORDO_ASSIGN_OR_RETURN(auto store, SqliteStore::Open("/var/lib/ordo/ordo.db", {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/store.h"
#include "store/gate_candidates.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_dialect.h"

namespace ordo::sqlite {

class SqliteStore final : public Store, public GateCandidates {
 public:
  // Opens (creating) the file; does not migrate.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const StoreOptions& options);

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
  SqliteStore(std::unique_ptr<SqliteDb> db, const StoreOptions& options)
      : db_(std::move(db)), options_(options) {}

  // The database clock: StoreOptions::clock when set, else the host clock. Shadows
  // sqlite::NowMicros() in every member function.
  Micros NowMicros() const {
    return options_.clock != nullptr ? options_.clock->NowMicros() : sqlite::NowMicros();
  }

  // ---- helpers; callers hold mu_ and (for writes) an open transaction ----
  struct Event {
    int64_t apply_id = 0;
    std::optional<int64_t> operation_id;
    std::string kind;
    std::optional<std::string> from_state;
    std::optional<std::string> to_state;
    std::string message;
  };
  Status WriteEvent(const Event& e, Micros now);
  Result<ApplyRecord> ReadApply(int64_t apply_id);
  Result<OperationRecord> ReadOperation(int64_t operation_id);
  Result<std::vector<OperationRecord>> ReadOperations(int64_t apply_id);
  Result<std::optional<RequestStatus>> ReadRequestStatus(int64_t apply_id, RequestKind kind);
  Result<std::vector<ControlRequestRecord>> ReadRequests(int64_t apply_id);
  Result<bool> ReleaseLatched(int64_t apply_id);
  Result<std::vector<int64_t>> QueryIds(std::string_view sql, Micros now);
  // Binds :now, :stale_before, :budget and :fresh_after.
  void BindGateParams(Statement& st, Micros now) const;
  // After a fenced write matched no row: ok (row still has the token), NotFound or
  // LeaseLost (an event records it).
  Status FenceFailure(const Lease& lease, Micros now);
  // Checks the lease is current; NotFound / LeaseLost otherwise.
  Status CheckLease(const Lease& lease, Micros now);
  // TransitionOperation, or with owe_cleanup CompleteOwingCleanup.
  Status Transition(const Lease& lease, OperationState to, std::optional<std::string> error,
                    bool owe_cleanup);
  // Re-derives the apply's state from its operations and stores it when it changed.
  Status RederiveApply(int64_t apply_id, Micros now, std::string_view why);
  // Writes a new apply state (with marks and events); completes moot requests when the
  // state settles.
  Status WriteApplyState(const ApplyRecord& apply, ApplyState next,
                         const std::optional<std::string>& error, Micros now,
                         std::string_view why);
  Status CompleteMootRequests(int64_t apply_id, ApplyState state, Micros now);
  // "deployment … is held by apply …" for another apply holding one of `deployments`
  // (HoldsDeployment), if any.
  Result<std::optional<std::string>> DeploymentHolder(const std::string& database,
                                                      const std::string& environment,
                                                      const std::vector<std::string>& deployments,
                                                      int64_t exclude_apply_id);
  Status UpsertRequest(int64_t apply_id, RequestKind kind, RequestStatus status,
                       std::string_view requested_by, const std::optional<std::string>& error,
                       Micros now);
  Result<ClaimedOperation> FinishClaim(int64_t operation_id, const OperationRecord& before,
                                       const std::string& owner, const std::string& token,
                                       std::string_view arm, Micros now);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  StoreOptions options_;
};

}  // namespace ordo::sqlite

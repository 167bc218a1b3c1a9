// Store: ordo's control store (applies, operations, changes, control requests,
// events) and its claims. docs/store.md says what each claim and request decides; the
// conformance suite (tests/store) pins the answers every backend (SQLite,
// MariaDB/MySQL, PostgreSQL) must give.
//
// Every claim runs in one transaction and returns the operation with its state from
// *before* the claim plus a fresh lease. Every write after a claim is fenced by the
// lease token: a write that matches no row re-reads it and answers ok (the row still
// carries the token: idempotent), NotFound (row gone) or LeaseLost (another token).
// Staleness is judged by the database clock only.
//
// Thread-safety: a Store is safe to use from several threads; backends pool or
// serialise connections internally. Several processes may share one store.
//
//   ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore("sqlite:ordo.db", {}));
//   ORDO_RETURN_IF_ERROR(store->Migrate());
//   ORDO_ASSIGN_OR_RETURN(auto claimed, store->ClaimNextCopy("host/42/driver-1"));
//   if (claimed) { /* drive claimed->operation with claimed->lease */ }
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ordo/clock.h"
#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo {

struct StoreOptions {
  // A lease whose heartbeat is older than this may be taken over.
  Micros lease_staleness_micros = 60'000'000;
  // A failed_retryable apply is redispatched while attempt < retry_budget ...
  int retry_budget = 10;
  // ... and it failed within this window.
  Micros retry_freshness_micros = 86'400'000'000;
  // The database clock of backends whose clock is the host's (SQLite); null: the
  // system clock. The scheduler simulator injects a virtual clock here. Server
  // backends ignore it (their clock is the server's NOW()).
  Clock* clock = nullptr;
  // false: a SQLite store whose file does not exist is NotFound and no file is made
  // (the commands that only read never create a store).
  bool create = true;
};

struct NewChange {
  std::string schema_name;
  std::string table_name;
  std::string ddl;
};

struct NewOperation {
  std::string deployment;
  std::vector<NewChange> changes;
};

struct NewApply {
  std::string external_id;  // empty: the store generates "ap_<random>"
  std::string database;
  std::string environment;
  std::string cutover_policy = "rolling";  // captured raw onto every operation
  std::string on_failure = "halt";         // captured raw onto every operation
  ApplyOptions options;
  std::vector<NewOperation> operations;  // in deployment order
  std::string requested_by;
};

struct ClaimedOperation {
  OperationRecord operation;  // state from before the claim
  std::string apply_external_id;
  Lease lease;
};

struct StopReconciliation {
  int64_t apply_id = 0;
  std::vector<int64_t> stopped_operation_ids;
};

// Progress of one table change, written by the driver holding the lease.
struct ChangeProgress {
  int64_t change_id = 0;
  std::string state;  // engine phase: copying, in_sync, cutting_over, …
  int64_t rows_copied = 0;
  int64_t rows_total = 0;
  double percent = 0;
  std::optional<int64_t> eta_seconds;
  bool instant = false;
  std::optional<int64_t> cutover_lock_ms;
  std::optional<std::string> error;
};

enum class RequestOutcome { kAccepted, kAlreadyRequested, kRefused };

struct RequestAnswer {
  RequestOutcome outcome = RequestOutcome::kAccepted;
  std::string reason;  // why it was refused
};

// A watch on the turns of other processes (Store::WatchTurns): one watcher's own
// subscription. Wait() blocks for at most `timeout_micros` and answers true when,
// since the watch began or the last Wait(), another process may have let a parked
// deployment's turn come (a swap ended, a deployment failed), so a keeper should ask
// begin_cutover again now instead of at its next poll; false when the time ran out.
// A spurious true is harmless (one more begin_cutover). Unavailable when the watch
// lost its connection (it reconnects at the next Wait()).
//
// Thread-safety: one thread at a time.
class TurnSignal {
 public:
  virtual ~TurnSignal() = default;
  virtual Result<bool> Wait(Micros timeout_micros) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // A new watch on other processes' turns, or nullptr when the store offers none (its
  // keepers then learn of another process's swap at their next poll).
  virtual std::unique_ptr<TurnSignal> WatchTurns() { return nullptr; }

  // Brings the schema to the newest version. Idempotent; safe to race.
  virtual Status Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;
  // The database clock, microseconds since the epoch.
  virtual Result<Micros> Now() = 0;
  // The store's identity: a random id ("st_…") created once by Migrate() and kept in
  // the store itself, so every process and every URL that opens this store reads the
  // same one, and no other store has it. Targets record it as the owner of ordo's
  // tables (docs/engine.md, "Ownership on the target"). NotFound before Migrate().
  virtual Result<std::string> StoreId() = 0;

  // ---- applies -------------------------------------------------------------------
  // Inserts the apply, its operations (in order) and changes in one transaction.
  // Conflict naming the other apply when a deployment is held by a non-settled apply
  // of the same database and environment (a stopped one holds its deployments only
  // while a start of it is pending); InvalidArgument on an empty or duplicate
  // deployment list, or a cutover_policy / on_failure that is not exactly one of the
  // known values ("Continue" and "continue " are refused).
  virtual Result<ApplyRecord> CreateApply(const NewApply& apply) = 0;
  virtual Result<ApplyRecord> GetApply(int64_t apply_id) = 0;
  virtual Result<ApplyRecord> FindApply(std::string_view external_id) = 0;
  // Most recent first.
  virtual Result<std::vector<ApplyRecord>> ListApplies(int limit) = 0;
  // In deployment order.
  virtual Result<std::vector<OperationRecord>> ListOperations(int64_t apply_id) = 0;
  virtual Result<OperationRecord> GetOperation(int64_t operation_id) = 0;
  virtual Result<std::vector<ChangeRecord>> ListChanges(int64_t operation_id) = 0;
  // The other apply holding one of this apply's deployments (same database and
  // environment), named as a start of this apply would be refused for it ("deployment
  // d is held by apply ap_…"); nullopt when none does. A read that locks nothing: the
  // start decides again when it is asked for.
  virtual Result<std::optional<std::string>> HolderOfDeployments(int64_t apply_id) = 0;

  // ---- claims (docs/model.md) ----------------------------------------------------
  // Empty owner → LeaseLost without running any SQL. nullopt: nothing claimable.
  virtual Result<std::optional<ClaimedOperation>> ClaimNextCopy(std::string_view owner) = 0;
  virtual Result<std::optional<ClaimedOperation>> ClaimNextCutover(std::string_view owner) = 0;
  virtual Result<std::optional<StopReconciliation>> ClaimNextStop(std::string_view owner) = 0;
  // The cleanup claim: a row no other gate hands out again — pending, stopped,
  // failed_retryable, or waiting_for_cutover — of an apply whose stored state is
  // settled or that has a pending cancel, held by no live lease (no token, or a stale
  // heartbeat); or a failed or completed row whose target cleanup is owed
  // (cleanup_pending: failed by retry expiry, or completed at its swap) and that no
  // live lease holds. Leased with its state unchanged (returned as
  // it was) so a driver can cancel it, or clean up and fail it again. Empty owner →
  // LeaseLost without SQL; nullopt: nothing to clean up.
  virtual Result<std::optional<ClaimedOperation>> ClaimNextCleanup(std::string_view owner) = 0;
  // For a live holder of a parked row: true when the row moved waiting_for_cutover →
  // cutting_over; false ("not yet") when its turn has not come (nothing changed).
  // LeaseLost when the lease is not current.
  virtual Result<bool> BeginCutover(const Lease& lease) = 0;

  // ---- fenced writes ---------------------------------------------------------------
  virtual Status Heartbeat(const Lease& lease) = 0;
  // Moves the operation to `to`, recording the error (if any) and an event, and sets
  // the marks once (first timestamps kept): started_at on running, cutover_started_at
  // on cutting_over, cutover_completed_at on revert_window (or completed straight from
  // cutting_over), completed_at on completed/failed/cancelled/reverted. A settled state
  // clears cleanup_pending (repeating `failed` on a failed row is how the cleanup
  // claim's driver reports its target cleaned up). `stopped` also releases the lease
  // (owner and token cleared) and re-derives the apply in the same transaction, as stop
  // reconciliation does; repeating it then answers LeaseLost. Otherwise repeating the
  // current state is an idempotent success.
  virtual Status TransitionOperation(const Lease& lease, OperationState to,
                                     std::optional<std::string> error = std::nullopt) = 0;
  // The end of a turn whose holder still has the target to clean up (the old tables
  // of a swap without a revert window): cutting_over → completed like
  // TransitionOperation (marks, event), with cleanup_pending set and the lease kept.
  // The next deployment's turn may begin at once; the holder then drops what is left
  // and repeats `completed`, which clears the flag. Should the holder die first, the
  // cleanup claim hands the row out once its heartbeat is stale. From completed it
  // changes nothing (idempotent); from any other state FailedPrecondition, nothing
  // written. LeaseLost when the lease is not current.
  virtual Status CompleteOwingCleanup(const Lease& lease) = 0;
  // Moves the operation to waiting_for_cutover and clears the token: released at the
  // barrier (only the cutover claim takes it from there). Only from running, resuming
  // or waiting_for_cutover: from any other state (e.g. cutting_over after a
  // begin_cutover whose answer was lost) it changes nothing, writes no event and
  // answers FailedPrecondition "operation <id> is <state>; not parked". LeaseLost when
  // the lease is not current (so also when it is repeated: the token is gone).
  virtual Status Park(const Lease& lease) = 0;
  virtual Status SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) = 0;
  virtual Status SaveResumeState(const Lease& lease, std::string_view resume_state_json) = 0;
  // Compare-and-swap of the apply's derived state, fenced by one of its operations'
  // leases. true: swapped (or already `next` when expected == next: then only an
  // `error` other than the stored one is written, without an event); false: the
  // stored state was not `expected`. LeaseLost (never false) when the lease is stale.
  virtual Result<bool> CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                                     std::optional<std::string> error = std::nullopt) = 0;

  // ---- control requests -------------------------------------------------------------
  // Stores the intent (one reusable row per apply and kind) and an event. Answers
  // "already requested" when one is pending, "refused: why" when it cannot apply now
  // (the decision: core/request_decision.h). An accepted cancel also records a stop
  // when some operation is active.
  virtual Result<RequestAnswer> RequestControl(int64_t apply_id, RequestKind kind,
                                               std::string_view requested_by) = 0;
  virtual Status CompleteRequest(int64_t apply_id, RequestKind kind) = 0;
  virtual Status FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) = 0;
  virtual Result<std::vector<ControlRequestRecord>> ListRequests(int64_t apply_id) = 0;

  // ---- housekeeping -------------------------------------------------------------------
  // Fails failed_retryable applies whose budget or freshness ran out (reason recorded)
  // and their failed_retryable operations; each of those that ever started is marked
  // cleanup_pending (what it left on its target is still to be removed, by the cleanup
  // claim's driver). Returns how many applies were expired.
  virtual Result<int> ExpireRetries() = 0;
  // Re-derives the applies nobody holds: an apply whose stored state is not settled,
  // none of whose operations has a live lease (a token and a heartbeat fresh by the
  // database clock), and whose stored state is not what its operations derive to
  // (except an admitted retry — stored active, derived failed_retryable — which the
  // copy claim's arm D recovers) is moved by one compare-and-swap (stored → derived),
  // recorded like a driver's: an event, and moot requests completed when it settles.
  // This is what moves an apply whose driver stopped between its last transition and
  // its swap. Returns how many applies were moved.
  virtual Result<int> RederiveUnheldApplies() = 0;
  virtual Status AppendEvent(const EventRecord& event) = 0;
  // Oldest first.
  virtual Result<std::vector<EventRecord>> ListEvents(int64_t apply_id) = 0;
};

// Opens a store from a URL: "sqlite:PATH", "mysql://user:pass@host:port/db",
// "postgres://…". InvalidArgument for an unknown scheme, Unavailable when the server
// cannot be reached.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options);

}  // namespace ordo

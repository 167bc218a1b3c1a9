// SqliteStore: writes fenced by a lease token (heartbeat, transitions, park,
// progress, resume state) and the derived apply-state compare-and-swap.
//
// Every write is "UPDATE … WHERE id = :id AND lease_token = :token". When it matches
// no row, FenceFailure re-reads: the row still carries the token → idempotent ok; the
// row is gone → NotFound; otherwise LeaseLost, and only a lease_lost event is written.
#include "ordo/sync_point.h"
#include "store/park_guard.h"
#include "store/values.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {
namespace {

Status EmptyLease(const Lease& lease) {
  if (lease.owner.empty() || lease.token.empty())
    return LeaseLost("operation " + std::to_string(lease.operation_id) + ": empty lease");
  return Status::Ok();
}

}  // namespace

// Runs a fenced UPDATE (bound with :id, :token, :now plus `bind`) and commits; on zero
// rows, commits the FenceFailure verdict (its lease_lost event) instead.
#define ORDO_FENCED_UPDATE(txn, lease, now, statement)                         \
  do {                                                                         \
    ORDO_RETURN_IF_ERROR((statement)                                           \
                             .Bind(":id", (lease).operation_id)                \
                             .Bind(":token", (lease).token)                    \
                             .Bind(":now", (now))                              \
                             .Run());                                          \
    if (db_->Changes() == 0) {                                                 \
      Status fence_ = FenceFailure((lease), (now));                            \
      if (fence_.ok() || fence_.Is(StatusCode::kLeaseLost))                    \
        ORDO_RETURN_IF_ERROR((txn).Commit());                                  \
      return fence_;                                                           \
    }                                                                          \
  } while (0)

Status SqliteStore::Heartbeat(const Lease& lease) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("UPDATE apply_operations SET updated_at = :now WHERE id = :id AND lease_token = :token"));
  ORDO_FENCED_UPDATE(txn, lease, now, st);
  return txn.Commit();
}

Status SqliteStore::TransitionOperation(const Lease& lease, OperationState to,
                                        std::optional<std::string> error) {
  return Transition(lease, to, std::move(error), /*owe_cleanup=*/false);
}

Status SqliteStore::CompleteOwingCleanup(const Lease& lease) {
  return Transition(lease, OperationState::kCompleted, std::nullopt, /*owe_cleanup=*/true);
}

Status SqliteStore::Transition(const Lease& lease, OperationState to, std::optional<std::string> error,
                               bool owe_cleanup) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  Status fence = CheckLease(lease, now);
  if (!fence.ok()) {
    if (fence.Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn.Commit());
    return fence;
  }
  ORDO_ASSIGN_OR_RETURN(OperationRecord before, ReadOperation(lease.operation_id));
  if (owe_cleanup) {
    ORDO_ASSIGN_OR_RETURN(bool write, CompleteOwingGuard(before.id, before.state));
    if (!write) return txn.Commit();
  }
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  using S = OperationState;
  bool cutover_done = to == S::kRevertWindow ||
                      (to == S::kCompleted && before.state == S::kCuttingOver);
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE apply_operations SET state = :to, "
      "error = CASE WHEN :clear THEN NULL ELSE COALESCE(:error, error) END, updated_at = :now, "
      "started_at = CASE WHEN :running THEN COALESCE(started_at, :now) ELSE started_at END, "
      "cutover_started_at = CASE WHEN :cutting THEN COALESCE(cutover_started_at, :now) ELSE cutover_started_at END, "
      "cutover_completed_at = CASE WHEN :cut THEN COALESCE(cutover_completed_at, :now) ELSE cutover_completed_at END, "
      "completed_at = CASE WHEN :done THEN COALESCE(completed_at, :now) ELSE completed_at END, "
      "cleanup_pending = CASE WHEN :owe THEN 1 WHEN :done THEN 0 ELSE cleanup_pending END, "
      "lease_owner = CASE WHEN :release THEN NULL ELSE lease_owner END, "
      "lease_token = CASE WHEN :release THEN NULL ELSE lease_token END "
      "WHERE id = :id AND lease_token = :token"));
  st.Bind(":to", ToString(to))
      .Bind(":error", error)
      .Bind(":clear", int64_t{TransitionClearsError(to, error)})
      .Bind(":running", int64_t{to == S::kRunning})
      .Bind(":cutting", int64_t{to == S::kCuttingOver})
      .Bind(":cut", int64_t{cutover_done})
      .Bind(":done", int64_t{IsSettled(to)})
      .Bind(":owe", int64_t{owe_cleanup})
      .Bind(":release", int64_t{to == S::kStopped});
  ORDO_FENCED_UPDATE(txn, lease, now, st);
  if (before.state != to) {
    ORDO_RETURN_IF_ERROR(WriteEvent({before.apply_id, before.id, "state_change",
                                     std::string(ToString(before.state)), std::string(ToString(to)),
                                     "by " + lease.owner + " token=" + lease.token +
                                         (error ? ": " + *error : "")},
                                    now));
  }
  // A stopped row holds no lease; its apply moves in the same transaction, since its
  // driver's own swap no longer can.
  if (to == S::kStopped)
    ORDO_RETURN_IF_ERROR(RederiveApply(before.apply_id, now, "stopped by " + lease.owner));
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeCommit");
  return txn.Commit();
}

Status SqliteStore::Park(const Lease& lease) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  Status fence = CheckLease(lease, now);
  if (!fence.ok()) {
    if (fence.Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn.Commit());
    return fence;
  }
  ORDO_ASSIGN_OR_RETURN(OperationRecord before, ReadOperation(lease.operation_id));
  ORDO_RETURN_IF_ERROR(ParkGuard(before.id, before.state));  // nothing written
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE apply_operations SET state = 'waiting_for_cutover', lease_owner = NULL, "
      "lease_token = NULL, updated_at = :now WHERE id = :id AND lease_token = :token"));
  ORDO_FENCED_UPDATE(txn, lease, now, st);
  ORDO_RETURN_IF_ERROR(WriteEvent({before.apply_id, before.id, "parked", std::string(ToString(before.state)),
                                   "waiting_for_cutover",
                                   "released at the barrier by " + lease.owner + " token=" + lease.token},
                                  now));
  return txn.Commit();
}

Status SqliteStore::SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  // The heartbeat doubles as the fence for the change rows written below.
  ORDO_ASSIGN_OR_RETURN(auto hb, db_->Prepare("UPDATE apply_operations SET updated_at = :now WHERE id = :id AND lease_token = :token"));
  ORDO_FENCED_UPDATE(txn, lease, now, hb);
  for (const auto& p : progress) {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "UPDATE apply_changes SET state = :state, rows_copied = :copied, rows_total = :total, "
        "progress = :percent, eta_seconds = :eta, instant = :instant, cutover_lock_ms = :lock_ms, "
        "error = :error, updated_at = :now WHERE id = :change AND operation_id = :op"));
    ORDO_RETURN_IF_ERROR(st.Bind(":state", p.state)
                             .Bind(":copied", p.rows_copied)
                             .Bind(":total", p.rows_total)
                             .Bind(":percent", p.percent)
                             .Bind(":eta", p.eta_seconds)
                             .Bind(":instant", int64_t{p.instant})
                             .Bind(":lock_ms", p.cutover_lock_ms)
                             .Bind(":error", p.error)
                             .Bind(":now", now)
                             .Bind(":change", p.change_id)
                             .Bind(":op", lease.operation_id)
                             .Run());
    if (db_->Changes() == 0)
      return NotFound("change " + std::to_string(p.change_id) + " is not part of operation " +
                      std::to_string(lease.operation_id));
  }
  return txn.Commit();
}

Status SqliteStore::SaveResumeState(const Lease& lease, std::string_view resume_state_json) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE apply_operations SET resume_state = :resume, updated_at = :now WHERE id = :id AND "
      "lease_token = :token"));
  st.Bind(":resume", resume_state_json);
  ORDO_FENCED_UPDATE(txn, lease, now, st);
  return txn.Commit();
}

Result<bool> SqliteStore::CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                                        std::optional<std::string> error) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  Status fence = CheckLease(lease, now);
  if (!fence.ok()) {
    if (fence.Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn.Commit());
    return fence;
  }
  ORDO_ASSIGN_OR_RETURN(OperationRecord op, ReadOperation(lease.operation_id));
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(op.apply_id));
  if (apply.state != expected) return false;
  if (expected == next) {
    // Already there; only a new error is written (a later deployment failed while the
    // apply stays in an earlier one's revert window).
    if (!error || error == apply.error) return true;
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("UPDATE applies SET error = :error WHERE id = :id"));
    ORDO_RETURN_IF_ERROR(st.Bind(":error", error).Bind(":id", apply.id).Run());
    ORDO_RETURN_IF_ERROR(txn.Commit());
    return true;
  }
  ORDO_RETURN_IF_ERROR(WriteApplyState(apply, next, error, now, "cas by " + lease.owner));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return true;
}

}  // namespace ordo::sqlite

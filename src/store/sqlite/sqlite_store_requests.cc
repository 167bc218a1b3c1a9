// SqliteStore: control requests. One reusable row per (apply, kind); the answer is
// "accepted", "already requested" (one is pending) or "refused: why" (it cannot apply
// in the apply's current state). Refusals are recorded as a failed request with the
// reason, so `status` shows them.
#include <set>

#include "core/derive.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {
namespace {

RequestAnswer Refused(std::string reason) {
  return RequestAnswer{RequestOutcome::kRefused, std::move(reason)};
}

bool AnyIn(const std::vector<OperationRecord>& ops, std::initializer_list<OperationState> states) {
  for (const auto& op : ops)
    for (OperationState s : states)
      if (op.state == s) return true;
  return false;
}

}  // namespace

Status SqliteStore::UpsertRequest(int64_t apply_id, RequestKind kind, RequestStatus status,
                                  std::string_view requested_by,
                                  const std::optional<std::string>& error, Micros now) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "INSERT INTO control_requests (apply_id, kind, status, requested_by, error, created_at, "
      "updated_at, completed_at) VALUES (:apply, :kind, :status, :by, :error, :now, :now, NULL) "
      "ON CONFLICT (apply_id, kind) DO UPDATE SET status = excluded.status, requested_by = "
      "excluded.requested_by, error = excluded.error, created_at = excluded.created_at, "
      "updated_at = excluded.updated_at, completed_at = NULL"));
  return st.Bind(":apply", apply_id)
      .Bind(":kind", ToString(kind))
      .Bind(":status", ToString(status))
      .Bind(":by", requested_by)
      .Bind(":error", error)
      .Bind(":now", now)
      .Run();
}

// Whether `kind` can apply to `apply` now; for an accepted start, also moves the
// never-started stopped operations back to pending so they go through the ordering
// gate again (a start never reorders).
Result<RequestAnswer> SqliteStore::DecideRequest(const ApplyRecord& apply, RequestKind kind,
                                                 Micros now) {
  using S = OperationState;
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(apply.id));
  ORDO_ASSIGN_OR_RETURN(auto stop, ReadRequestStatus(apply.id, RequestKind::kStop));
  ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(apply.id));
  ApplyState derived = DeriveApplyState(ops, latched).state;
  if (IsSettled(apply.state) || IsSettled(derived)) {
    ApplyState shown = IsSettled(apply.state) ? apply.state : derived;
    return Refused("apply " + apply.external_id + " is " + std::string(ToString(shown)));
  }
  switch (kind) {
    case RequestKind::kStop: {
      bool any_active = false;
      for (const auto& op : ops) any_active = any_active || IsActive(op.state);
      if (!any_active) return Refused("nothing to stop: no operation is active");
      // A stop supersedes a start that has not finished resuming.
      ORDO_ASSIGN_OR_RETURN(auto start, ReadRequestStatus(apply.id, RequestKind::kStart));
      if (start == RequestStatus::kPending) {
        ORDO_RETURN_IF_ERROR(UpsertRequest(apply.id, RequestKind::kStart, RequestStatus::kFailed, "", "superseded by stop", now));
        ORDO_RETURN_IF_ERROR(WriteEvent({apply.id, std::nullopt, "control_request", "pending", "failed", "start superseded by stop"}, now));
      }
      break;
    }
    case RequestKind::kStart: {
      if (stop == RequestStatus::kPending) return Refused("a stop is still in progress");
      if (!AnyIn(ops, {S::kStopped})) return Refused("nothing to start: no operation is stopped");
      std::vector<std::string> deployments;
      for (const auto& op : ops)
        if (!IsSettled(op.state)) deployments.push_back(op.deployment);
      ORDO_ASSIGN_OR_RETURN(auto holder, DeploymentHolder(apply.database, apply.environment, deployments, apply.id));
      if (holder) return Refused(*holder);
      for (const auto& op : ops) {
        if (op.state != S::kStopped || op.started_at.has_value()) continue;
        ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
            "UPDATE apply_operations SET state = 'pending', lease_owner = NULL, lease_token = "
            "NULL, updated_at = :now WHERE id = :id AND state = 'stopped'"));
        ORDO_RETURN_IF_ERROR(st.Bind(":now", now).Bind(":id", op.id).Run());
        ORDO_RETURN_IF_ERROR(WriteEvent({apply.id, op.id, "state_change", "stopped", "pending", "start: never started, back to the ordering gate"}, now));
      }
      break;
    }
    case RequestKind::kRevert:
    case RequestKind::kSkipRevert:
      if (!AnyIn(ops, {S::kRevertWindow}))
        return Refused(std::string(ToString(kind)) + " applies only during a revert window");
      break;
    case RequestKind::kCutover:
    case RequestKind::kCancel:
    case RequestKind::kRelease:
      break;
  }
  return RequestAnswer{RequestOutcome::kAccepted, ""};
}

Result<RequestAnswer> SqliteStore::RequestControl(int64_t apply_id, RequestKind kind,
                                                  std::string_view requested_by) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(apply_id));
  ORDO_ASSIGN_OR_RETURN(auto current, ReadRequestStatus(apply_id, kind));
  std::string name(ToString(kind));
  if (current == RequestStatus::kPending)
    return RequestAnswer{RequestOutcome::kAlreadyRequested, name + " already requested"};
  ORDO_ASSIGN_OR_RETURN(RequestAnswer answer, DecideRequest(apply, kind, now));
  if (answer.outcome == RequestOutcome::kRefused) {
    ORDO_RETURN_IF_ERROR(UpsertRequest(apply_id, kind, RequestStatus::kFailed, requested_by, answer.reason, now));
    ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, std::nullopt, "control_request", std::nullopt, "failed",
                                     name + " refused: " + answer.reason}, now));
  } else {
    ORDO_RETURN_IF_ERROR(UpsertRequest(apply_id, kind, RequestStatus::kPending, requested_by, std::nullopt, now));
    ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, std::nullopt, "control_request", std::nullopt, "pending",
                                     name + " requested by " + std::string(requested_by)}, now));
    if (kind == RequestKind::kStart) {
      ORDO_RETURN_IF_ERROR(RederiveApply(apply_id, now, "start"));
      // Nothing left stopped (every stopped row had never started): served already.
      ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(apply_id));
      if (!AnyIn(ops, {OperationState::kStopped})) {
        ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
            "UPDATE control_requests SET status = 'completed', completed_at = :now, updated_at = "
            ":now WHERE apply_id = :apply AND kind = 'start'"));
        ORDO_RETURN_IF_ERROR(st.Bind(":now", now).Bind(":apply", apply_id).Run());
        ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, std::nullopt, "control_request", "pending", "completed", "start completed: nothing left to resume"}, now));
      }
    }
  }
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return answer;
}

Status SqliteStore::CompleteRequest(int64_t apply_id, RequestKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  ORDO_ASSIGN_OR_RETURN(auto current, ReadRequestStatus(apply_id, kind));
  std::string name(ToString(kind));
  if (!current) return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  if (*current == RequestStatus::kCompleted) return Status::Ok();
  if (*current == RequestStatus::kFailed) return FailedPrecondition(name + " request already failed");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE control_requests SET status = 'completed', completed_at = :now, updated_at = :now "
      "WHERE apply_id = :apply AND kind = :kind AND status = 'pending'"));
  ORDO_RETURN_IF_ERROR(st.Bind(":now", now).Bind(":apply", apply_id).Bind(":kind", name).Run());
  ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, std::nullopt, "control_request", "pending", "completed", name + " completed"}, now));
  return txn.Commit();
}

Status SqliteStore::FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = NowMicros();
  ORDO_ASSIGN_OR_RETURN(auto current, ReadRequestStatus(apply_id, kind));
  std::string name(ToString(kind));
  if (!current) return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  if (*current == RequestStatus::kFailed) return Status::Ok();
  if (*current == RequestStatus::kCompleted) return FailedPrecondition(name + " request already completed");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE control_requests SET status = 'failed', error = :error, completed_at = :now, "
      "updated_at = :now WHERE apply_id = :apply AND kind = :kind AND status = 'pending'"));
  ORDO_RETURN_IF_ERROR(st.Bind(":error", error).Bind(":now", now).Bind(":apply", apply_id).Bind(":kind", name).Run());
  ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, std::nullopt, "control_request", "pending", "failed", name + " failed: " + std::string(error)}, now));
  return txn.Commit();
}

Result<std::vector<ControlRequestRecord>> SqliteStore::ListRequests(int64_t apply_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(std::string("SELECT ") + kRequestColumns + " FROM control_requests WHERE apply_id = :apply ORDER BY id"));
  st.Bind(":apply", apply_id);
  std::vector<ControlRequestRecord> out;
  while (true) {
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ORDO_ASSIGN_OR_RETURN(ControlRequestRecord r, RequestFromRow(st));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ordo::sqlite

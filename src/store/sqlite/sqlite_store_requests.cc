// SqliteStore: control requests. One reusable row per (apply, kind); the answer is
// "accepted", "already requested" (one is pending) or "refused: why" (it cannot apply
// in the apply's current state). Refusals are recorded as a failed request with the
// reason, so `status` shows them.
#include "store/record_request.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo::sqlite {

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

// Decided and recorded by RecordRequest (store/record_request.h) over the rows as they
// are under the write lock, with this backend's statements.
Result<RequestAnswer> SqliteStore::RequestControl(int64_t apply_id, RequestKind kind,
                                                  std::string_view requested_by) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  RequestFacts facts;
  ORDO_ASSIGN_OR_RETURN(facts.apply, ReadApply(here_, apply_id));
  ORDO_ASSIGN_OR_RETURN(facts.operations, ReadOperations(here_, apply_id));
  ORDO_ASSIGN_OR_RETURN(facts.requests, ReadRequests(here_, apply_id));
  const ApplyRecord& apply = facts.apply;
  DeploymentHolderLookup holder = [&](const std::vector<std::string>& deployments) {
    return DeploymentHolder(apply.database, apply.environment, deployments, apply_id);
  };
  RequestWrites writes;
  writes.upsert = [&](RequestKind k, RequestStatus status, std::string_view by,
                      const std::optional<std::string>& error) {
    return UpsertRequest(apply_id, k, status, by, error, now);
  };
  writes.event = [&](const RequestEvent& e) {
    return WriteEvent(here_, {apply_id, e.operation_id, e.kind, e.from_state, e.to_state, e.message});
  };
  writes.back_to_pending = [&](int64_t operation_id) -> Status {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "UPDATE apply_operations SET state = 'pending', lease_owner = NULL, lease_token = "
        "NULL, updated_at = :now WHERE id = :id AND state = 'stopped'"));
    return st.Bind(":now", now).Bind(":id", operation_id).Run();
  };
  writes.rederive = [&] { return RederiveApply(here_, apply_id, "start"); };
  writes.complete_start = [&]() -> Status {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "UPDATE control_requests SET status = 'completed', completed_at = :now, updated_at = "
        ":now WHERE apply_id = :apply AND kind = 'start'"));
    return st.Bind(":now", now).Bind(":apply", apply_id).Run();
  };
  ORDO_ASSIGN_OR_RETURN(RequestAnswer answer,
                        RecordRequest(facts, kind, holder, writes, requested_by));
  ORDO_RETURN_IF_ERROR(txn.Commit());
  return answer;
}

Status SqliteStore::CompleteRequest(int64_t apply_id, RequestKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  ORDO_ASSIGN_OR_RETURN(auto current, ReadRequestStatus(here_, apply_id, kind));
  std::string name(ToString(kind));
  if (!current) return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  if (*current == RequestStatus::kCompleted) return Status::Ok();
  if (*current == RequestStatus::kFailed) return FailedPrecondition(name + " request already failed");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE control_requests SET status = 'completed', completed_at = :now, updated_at = :now "
      "WHERE apply_id = :apply AND kind = :kind AND status = 'pending'"));
  ORDO_RETURN_IF_ERROR(st.Bind(":now", now).Bind(":apply", apply_id).Bind(":kind", name).Run());
  ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply_id, std::nullopt, "control_request", "pending", "completed", name + " completed"}));
  return txn.Commit();
}

Status SqliteStore::FailRequest(int64_t apply_id, RequestKind kind, std::string_view error) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  Micros now = TxnNow();
  ORDO_ASSIGN_OR_RETURN(auto current, ReadRequestStatus(here_, apply_id, kind));
  std::string name(ToString(kind));
  if (!current) return NotFound("no " + name + " request for apply " + std::to_string(apply_id));
  if (*current == RequestStatus::kFailed) return Status::Ok();
  if (*current == RequestStatus::kCompleted) return FailedPrecondition(name + " request already completed");
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE control_requests SET status = 'failed', error = :error, completed_at = :now, "
      "updated_at = :now WHERE apply_id = :apply AND kind = :kind AND status = 'pending'"));
  ORDO_RETURN_IF_ERROR(st.Bind(":error", error).Bind(":now", now).Bind(":apply", apply_id).Bind(":kind", name).Run());
  ORDO_RETURN_IF_ERROR(WriteEvent(here_, {apply_id, std::nullopt, "control_request", "pending", "failed", name + " failed: " + std::string(error)}));
  return txn.Commit();
}

}  // namespace ordo::sqlite

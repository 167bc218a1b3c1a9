#include "store/sql/sql_store.h"

#include <cstdlib>

#include "core/derive.h"
#include "ordo/sync_point.h"
#include "store/park_guard.h"
#include "store/sql/records.h"
#include "store/values.h"

namespace ordo::sqlstore {
namespace {

Status EmptyLease(const Lease& lease) {
  if (lease.owner.empty() || lease.token.empty())
    return LeaseLost("operation " + std::to_string(lease.operation_id) + ": empty lease");
  return Status::Ok();
}

db::SqlValue OptText(const std::optional<std::string>& v) {
  return v ? db::SqlValue::Text(*v) : db::SqlValue::Null();
}

db::SqlValue OptInt(const std::optional<int64_t>& v) {
  return v ? db::SqlValue::Int(*v) : db::SqlValue::Null();
}

db::SqlValue Flag(bool b) { return db::SqlValue::Int(b ? 1 : 0); }

}  // namespace

std::string SqlStore::Sql(std::string_view text) const {
  std::string out;
  out.reserve(text.size() + 32);
  constexpr std::string_view kNow = "{now}";
  size_t at = 0;
  while (true) {
    size_t hit = text.find(kNow, at);
    out.append(text.substr(at, hit == std::string_view::npos ? hit : hit - at));
    if (hit == std::string_view::npos) return out;
    out.append(d_.now);
    at = hit + kNow.size();
  }
}

// ---- the store itself ----

Status CheckServerUrl(const db::Dsn& dsn, std::string_view scheme) {
  if (dsn.scheme != scheme)
    return InvalidArgument("not a " + std::string(scheme) + ":// URL: " + dsn.Redacted());
  if (dsn.database.empty())
    return InvalidArgument(std::string(scheme) +
                           " store: the URL names no database: " + dsn.Redacted());
  return Status::Ok();
}

int UrlInt(const db::Dsn& dsn, const std::string& name, int fallback) {
  auto it = dsn.params.find(name);
  int value = it == dsn.params.end() ? 0 : std::atoi(it->second.c_str());
  return value > 0 ? value : fallback;
}

Result<int> AppliedVersion(Session& s) {
  auto rows = s.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
  if (!rows.ok()) {
    if (rows.status().Is(StatusCode::kNotFound)) return 0;  // no table yet
    return rows.status();
  }
  if (rows->rows.empty() || !rows->rows[0][0]) return 0;
  ORDO_ASSIGN_OR_RETURN(int64_t version, CellInt(rows->rows[0], 0));
  return static_cast<int>(version);
}

Result<int> SqlStore::SchemaVersion() {
  ORDO_ASSIGN_OR_RETURN(auto s, BeginRead());
  return AppliedVersion(*s);
}

Result<std::string> SqlStore::StoreId() {
  ORDO_ASSIGN_OR_RETURN(auto s, BeginRead());
  auto rows = s->Query("SELECT id FROM store_identity ORDER BY created_at, id LIMIT 1", {});
  if (!rows.ok() && !rows.status().Is(StatusCode::kNotFound)) return rows.status();
  if (!rows.ok() || rows->rows.empty() || !rows->rows[0][0])
    return NotFound("the store has no identity yet: migrate it first");
  return *rows->rows[0][0];
}

Result<Micros> SqlStore::Now() {
  ORDO_ASSIGN_OR_RETURN(auto s, BeginRead());
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s->Query(Sql("SELECT {now}"), {}));
  if (rows.rows.empty() || !rows.rows[0][0]) return Internal("the clock query returned nothing");
  return d_.parse_time(*rows.rows[0][0]);
}

// ---- helpers ----

Status SqlStore::WriteEvent(Session& s, const Event& e) {
  return s
      .Execute(Sql("INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, "
                   "to_state, message) VALUES (?, ?, {now}, ?, ?, ?, ?)"),
               {db::SqlValue::Int(e.apply_id), OptInt(e.operation_id), db::SqlValue::Text(e.kind),
                OptText(e.from_state), OptText(e.to_state), db::SqlValue::Text(e.message)})
      .status();
}

Result<ApplyRecord> SqlStore::ReadApply(Session& s, int64_t apply_id, bool lock) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s.Query(std::string("SELECT ") + kApplyColumns +
                                                      " FROM applies a WHERE a.id = ?" +
                                                      std::string(lock ? d_.lock_rows : ""),
                                                  {db::SqlValue::Int(apply_id)}));
  if (rows.rows.empty()) return NotFound("apply " + std::to_string(apply_id) + " not found");
  return DecodeApply(d_, rows.rows[0]);
}

Result<OperationRecord> SqlStore::ReadOperation(Session& s, int64_t operation_id) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s.Query(std::string("SELECT ") + kOperationColumns +
                                                      " FROM apply_operations o WHERE o.id = ?",
                                                  {db::SqlValue::Int(operation_id)}));
  if (rows.rows.empty())
    return NotFound("operation " + std::to_string(operation_id) + " not found");
  return DecodeOperation(d_, rows.rows[0]);
}

Result<std::vector<OperationRecord>> SqlStore::ReadOperations(Session& s, int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        s.Query(std::string("SELECT ") + kOperationColumns +
                                    " FROM apply_operations o WHERE o.apply_id = ? ORDER BY o.id",
                                {db::SqlValue::Int(apply_id)}));
  return DecodeRows<OperationRecord>(rows,
                                     [&](const db::SqlRow& r) { return DecodeOperation(d_, r); });
}

Result<std::optional<RequestStatus>> SqlStore::ReadRequestStatus(Session& s, int64_t apply_id,
                                                                 RequestKind kind) {
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      s.Query("SELECT status FROM control_requests WHERE apply_id = ? AND kind = ?",
              {db::SqlValue::Int(apply_id), db::SqlValue::Text(std::string(ToString(kind)))}));
  if (rows.rows.empty() || !rows.rows[0][0]) return std::optional<RequestStatus>();
  ORDO_ASSIGN_OR_RETURN(RequestStatus status, StoredRequestStatus(*rows.rows[0][0]));
  return std::optional<RequestStatus>(status);
}

Result<bool> SqlStore::ReleaseLatched(Session& s, int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(auto status, ReadRequestStatus(s, apply_id, RequestKind::kRelease));
  return status == RequestStatus::kPending || status == RequestStatus::kCompleted;
}

Status SqlStore::RederiveApply(Session& s, int64_t apply_id, std::string_view why) {
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(s, apply_id, /*lock=*/true));
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(s, apply_id));
  ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(s, apply_id));
  DerivedApplyState derived = DeriveApplyState(ops, latched);
  if (derived.state == apply.state) return Status::Ok();
  return WriteApplyState(s, apply, derived.state, derived.error, why);
}

Status SqlStore::WriteApplyState(Session& s, const ApplyRecord& apply, ApplyState next,
                                 const std::optional<std::string>& error, std::string_view why) {
  ORDO_RETURN_IF_ERROR(
      s.Execute(
           Sql("UPDATE applies SET state = ?, error = COALESCE(?, error), updated_at = {now}, "
               "started_at = CASE WHEN ? = 1 THEN COALESCE(started_at, {now}) ELSE started_at END, "
               "completed_at = CASE WHEN ? = 1 THEN COALESCE(completed_at, {now}) ELSE "
               "completed_at END, "
               "failed_at = CASE WHEN ? = 1 THEN {now} ELSE failed_at END WHERE id = ?"),
           {db::SqlValue::Text(std::string(ToString(next))), OptText(error),
            Flag(next != ApplyState::kPending), Flag(IsSettled(next)),
            Flag(next == ApplyState::kFailedRetryable), db::SqlValue::Int(apply.id)})
          .status());
  ORDO_RETURN_IF_ERROR(WriteEvent(
      s, {apply.id, std::nullopt, "state_change", std::string(ToString(apply.state)),
          std::string(ToString(next)), std::string(why) + (error ? ": " + *error : "")}));
  if (IsSettled(next)) return CompleteMootRequests(s, apply.id, next);
  return Status::Ok();
}

Status SqlStore::CompleteMootRequests(Session& s, int64_t apply_id, ApplyState state) {
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      s.Query(
          "SELECT kind FROM control_requests WHERE apply_id = ? AND status = 'pending' ORDER BY id",
          {db::SqlValue::Int(apply_id)}));
  std::string why = "moot: apply " + std::string(ToString(state));
  for (const auto& row : rows.rows) {
    std::string kind = row[0].value_or("");
    ORDO_RETURN_IF_ERROR(
        s.Execute(
             Sql("UPDATE control_requests SET status = 'completed', error = ?, updated_at = {now}, "
                 "completed_at = {now} WHERE apply_id = ? AND kind = ? AND status = 'pending'"),
             {db::SqlValue::Text(why), db::SqlValue::Int(apply_id), db::SqlValue::Text(kind)})
            .status());
    ORDO_RETURN_IF_ERROR(WriteEvent(
        s, {apply_id, std::nullopt, "control_request", "pending", "completed", kind + " " + why}));
  }
  return Status::Ok();
}

Result<bool> SqlStore::HeldBackBySibling(Session& s, std::string_view siblings,
                                         int64_t operation_id) {
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows, s.Query(siblings, {db::SqlValue::Int(operation_id)}));
  for (const auto& row : rows.rows) {
    ORDO_ASSIGN_OR_RETURN(int64_t held, CellInt(row, 1));
    if (held != 0) return true;
  }
  return false;
}

Result<OperationRecord> SqlStore::LockLeased(Session& s, const Lease& lease) {
  const std::string sql =
      std::string("SELECT ") + kOperationColumns + " FROM apply_operations o WHERE o.id = ?";
  const std::vector<db::SqlValue> id = {db::SqlValue::Int(lease.operation_id)};
  Result<db::SqlRows> rows = Internal("unreachable");
  if (d_.lock_rows.empty()) {
    rows = s.Query(sql, id);  // the transaction is exclusive: no other writer to wait for
  } else {
    // Try without waiting first (SKIP LOCKED: no row and no error, which would end a
    // PostgreSQL transaction): when another transaction holds the row (a claim
    // stealing it, not yet committed) say so at the sync point, then wait for it. The
    // locking read returns the newest committed row, so the token check below sees
    // the steal once it commits.
    rows = s.Query(sql + std::string(d_.lock_rows_skip), id);
    if (rows.ok() && rows->rows.empty()) {
      ORDO_SYNC_POINT("Store::WaitingForLock");
      rows = s.Query(sql + std::string(d_.lock_rows), id);
    }
  }
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty())
    return NotFound("operation " + std::to_string(lease.operation_id) + " not found");
  ORDO_ASSIGN_OR_RETURN(OperationRecord op, DecodeOperation(d_, rows->rows[0]));
  if (op.lease_token == lease.token) return op;
  return LostLease(s, lease, op.apply_id, op.lease_owner);
}

Status SqlStore::FencedUpdate(Session& s, const Lease& lease, std::string_view sql,
                              std::vector<db::SqlValue> params) {
  params.push_back(db::SqlValue::Int(lease.operation_id));
  params.push_back(db::SqlValue::Text(lease.token));
  ORDO_ASSIGN_OR_RETURN(uint64_t updated, s.Execute(Sql(sql), params));
  if (updated != 0) return Status::Ok();
  return FenceFailure(s, lease);
}

Status SqlStore::FenceFailure(Session& s, const Lease& lease) {
  ORDO_ASSIGN_OR_RETURN(
      db::SqlRows rows,
      s.Query("SELECT apply_id, lease_token, lease_owner FROM apply_operations WHERE id = ?",
              {db::SqlValue::Int(lease.operation_id)}));
  if (rows.rows.empty())
    return NotFound("operation " + std::to_string(lease.operation_id) + " not found");
  const db::SqlRow& row = rows.rows[0];
  if (row[1] == lease.token) return Status::Ok();
  ORDO_ASSIGN_OR_RETURN(int64_t apply_id, CellInt(row, 0));
  return LostLease(s, lease, apply_id, row[2]);
}

Status SqlStore::LostLease(Session& s, const Lease& lease, int64_t apply_id,
                           const std::optional<std::string>& holder) {
  std::string message = "lease of " + lease.owner + " (token " + lease.token + ") lost; held by " +
                        holder.value_or("nobody");
  ORDO_RETURN_IF_ERROR(WriteEvent(
      s, {apply_id, lease.operation_id, "lease_lost", std::nullopt, std::nullopt, message}));
  return LeaseLost("operation " + std::to_string(lease.operation_id) + ": " + message);
}

// ---- the fenced writes ----

Result<SqlStore::Leased> SqlStore::BeginLeased(const Lease& lease) {
  ORDO_RETURN_IF_ERROR(EmptyLease(lease));
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, BeginWrite());
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeWrite");
  Result<OperationRecord> row = LockLeased(*txn, lease);
  if (!row.ok()) {
    // A lost lease commits its event; an idempotent repeat cannot reach here.
    if (row.status().Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR(txn->Commit());
    return row.status();
  }
  return Leased{std::move(txn), *std::move(row)};
}

// A fenced write that matched no row commits its verdict when it is ok (the row still
// carries the token: a repeat) or LeaseLost (its event).
#define ORDO_FENCED(txn, expr)                                                       \
  do {                                                                               \
    Status fenced_ = (expr);                                                         \
    if (!fenced_.ok()) {                                                             \
      if (fenced_.Is(StatusCode::kLeaseLost)) ORDO_RETURN_IF_ERROR((txn)->Commit()); \
      return fenced_;                                                                \
    }                                                                                \
  } while (0)

Status SqlStore::Heartbeat(const Lease& lease) {
  ORDO_ASSIGN_OR_RETURN(Leased l, BeginLeased(lease));
  ORDO_FENCED(
      l.txn,
      FencedUpdate(
          *l.txn, lease,
          "UPDATE apply_operations SET updated_at = {now} WHERE id = ? AND lease_token = ?", {}));
  return l.txn->Commit();
}

Status SqlStore::TransitionOperation(const Lease& lease, OperationState to,
                                     std::optional<std::string> error) {
  return Transition(lease, to, std::move(error), /*owe_cleanup=*/false);
}

Status SqlStore::CompleteOwingCleanup(const Lease& lease) {
  return Transition(lease, OperationState::kCompleted, std::nullopt, /*owe_cleanup=*/true);
}

Status SqlStore::Transition(const Lease& lease, OperationState to, std::optional<std::string> error,
                            bool owe_cleanup) {
  ORDO_ASSIGN_OR_RETURN(Leased l, BeginLeased(lease));
  const OperationRecord& before = l.row;
  if (owe_cleanup) {
    // The row is locked: its state cannot change before the UPDATE.
    ORDO_ASSIGN_OR_RETURN(bool write, CompleteOwingGuard(before.id, before.state));
    if (!write) return l.txn->Commit();
  }
  using S = OperationState;
  bool cutover_done =
      to == S::kRevertWindow || (to == S::kCompleted && before.state == S::kCuttingOver);
  ORDO_FENCED(
      l.txn,
      FencedUpdate(
          *l.txn, lease,
          "UPDATE apply_operations SET state = ?, "
          "error = CASE WHEN ? = 1 THEN NULL ELSE COALESCE(?, error) END, updated_at = {now}, "
          "started_at = CASE WHEN ? = 1 THEN COALESCE(started_at, {now}) ELSE started_at END, "
          "cutover_started_at = CASE WHEN ? = 1 THEN COALESCE(cutover_started_at, {now}) "
          "ELSE cutover_started_at END, "
          "cutover_completed_at = CASE WHEN ? = 1 THEN COALESCE(cutover_completed_at, {now}) "
          "ELSE cutover_completed_at END, "
          "completed_at = CASE WHEN ? = 1 THEN COALESCE(completed_at, {now}) ELSE completed_at "
          "END, "
          "cleanup_pending = CASE WHEN ? = 1 THEN 1 WHEN ? = 1 THEN 0 ELSE cleanup_pending END, "
          "lease_owner = CASE WHEN ? = 1 THEN NULL ELSE lease_owner END, "
          "lease_token = CASE WHEN ? = 1 THEN NULL ELSE lease_token END "
          "WHERE id = ? AND lease_token = ?",
          {db::SqlValue::Text(std::string(ToString(to))), Flag(TransitionClearsError(to, error)),
           OptText(error), Flag(to == S::kRunning), Flag(to == S::kCuttingOver), Flag(cutover_done),
           Flag(IsSettled(to)), Flag(owe_cleanup), Flag(IsSettled(to)), Flag(to == S::kStopped),
           Flag(to == S::kStopped)}));
  if (before.state != to) {
    ORDO_RETURN_IF_ERROR(WriteEvent(
        *l.txn, {before.apply_id, before.id, "state_change", std::string(ToString(before.state)),
                 std::string(ToString(to)),
                 "by " + lease.owner + " token=" + lease.token + (error ? ": " + *error : "")}));
  }
  // A deployment that ended may let the next one's turn come: other processes' keepers
  // hear of it when this commits.
  if ((to == S::kCompleted || to == S::kFailed) && !d_.notify_turn.empty())
    ORDO_RETURN_IF_ERROR(l.txn->Query(d_.notify_turn, {}).status());
  // A stopped row holds no lease; its apply moves in the same transaction, since its
  // driver's own swap no longer can (lock order: the operation row, then the apply).
  if (to == S::kStopped)
    ORDO_RETURN_IF_ERROR(RederiveApply(*l.txn, before.apply_id, "stopped by " + lease.owner));
  ORDO_SYNC_POINT("Store::FencedWrite:BeforeCommit");
  return l.txn->Commit();
}

Status SqlStore::Park(const Lease& lease) {
  ORDO_ASSIGN_OR_RETURN(Leased l, BeginLeased(lease));
  const OperationRecord& before = l.row;
  // The row is locked: its state cannot change before the UPDATE. Nothing is written.
  ORDO_RETURN_IF_ERROR(ParkGuard(before.id, before.state));
  ORDO_FENCED(l.txn, FencedUpdate(*l.txn, lease,
                                  "UPDATE apply_operations SET state = 'waiting_for_cutover', "
                                  "lease_owner = NULL, lease_token = NULL, updated_at = {now} "
                                  "WHERE id = ? AND lease_token = ?",
                                  {}));
  ORDO_RETURN_IF_ERROR(
      WriteEvent(*l.txn, {before.apply_id, before.id, "parked", std::string(ToString(before.state)),
                          "waiting_for_cutover",
                          "released at the barrier by " + lease.owner + " token=" + lease.token}));
  return l.txn->Commit();
}

Status SqlStore::SaveProgress(const Lease& lease, const std::vector<ChangeProgress>& progress) {
  ORDO_ASSIGN_OR_RETURN(Leased l, BeginLeased(lease));
  // The heartbeat doubles as the fence for the change rows written below.
  ORDO_FENCED(
      l.txn,
      FencedUpdate(
          *l.txn, lease,
          "UPDATE apply_operations SET updated_at = {now} WHERE id = ? AND lease_token = ?", {}));
  const std::string sql =
      Sql("UPDATE apply_changes SET state = ?, rows_copied = ?, rows_total = ?, progress = ?, "
          "eta_seconds = ?, instant = ?, cutover_lock_ms = ?, error = ?, updated_at = {now} "
          "WHERE id = ? AND operation_id = ?");
  for (const auto& p : progress) {
    ORDO_ASSIGN_OR_RETURN(
        uint64_t updated,
        l.txn->Execute(sql, {db::SqlValue::Text(p.state), db::SqlValue::Int(p.rows_copied),
                             db::SqlValue::Int(p.rows_total), db::SqlValue::Double(p.percent),
                             OptInt(p.eta_seconds), Flag(p.instant), OptInt(p.cutover_lock_ms),
                             OptText(p.error), db::SqlValue::Int(p.change_id),
                             db::SqlValue::Int(lease.operation_id)}));
    if (updated == 0)
      return NotFound("change " + std::to_string(p.change_id) + " is not part of operation " +
                      std::to_string(lease.operation_id));
  }
  return l.txn->Commit();
}

Status SqlStore::SaveResumeState(const Lease& lease, std::string_view resume_state_json) {
  ORDO_ASSIGN_OR_RETURN(Leased l, BeginLeased(lease));
  ORDO_FENCED(l.txn,
              FencedUpdate(*l.txn, lease,
                           "UPDATE apply_operations SET resume_state = ?, updated_at = {now} "
                           "WHERE id = ? AND lease_token = ?",
                           {db::SqlValue::Text(std::string(resume_state_json))}));
  return l.txn->Commit();
}

Result<bool> SqlStore::CasApplyState(const Lease& lease, ApplyState expected, ApplyState next,
                                     std::optional<std::string> error) {
  ORDO_ASSIGN_OR_RETURN(Leased l, BeginLeased(lease));
  // Lock order everywhere: the operation row, then its apply row.
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(*l.txn, l.row.apply_id, /*lock=*/true));
  if (apply.state != expected) return false;
  if (expected == next) {
    // Already there; only a new error is written (a later deployment failed while the
    // apply stays in an earlier one's revert window).
    if (!error || error == apply.error) return true;
    ORDO_RETURN_IF_ERROR(l.txn
                             ->Execute("UPDATE applies SET error = ? WHERE id = ?",
                                       {db::SqlValue::Text(*error), db::SqlValue::Int(apply.id)})
                             .status());
    ORDO_RETURN_IF_ERROR(l.txn->Commit());
    return true;
  }
  ORDO_RETURN_IF_ERROR(WriteApplyState(*l.txn, apply, next, error, "cas by " + lease.owner));
  ORDO_RETURN_IF_ERROR(l.txn->Commit());
  return true;
}

}  // namespace ordo::sqlstore

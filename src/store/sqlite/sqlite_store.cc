// SqliteStore: opening, migrations, the clock and the helpers the other
// sqlite_store_*.cc files share (events, row reads, apply-state writes).
#include "store/sqlite/sqlite_store.h"

#include "core/derive.h"
#include "store/sqlite/sqlite_dialect.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/values.h"

namespace ordo::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 10'000;

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const StoreOptions& options) {
  if (path.empty()) return InvalidArgument("sqlite store: empty path");
  ORDO_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, kBusyTimeoutMs));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), options));
}

Status SqliteStore::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction txn(db_.get());
  ORDO_RETURN_IF_ERROR(txn.BeginImmediate());
  ORDO_RETURN_IF_ERROR(db_->ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at INTEGER NOT NULL)"));
  int current = 0;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) current = static_cast<int>(st.Int(0));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    ORDO_RETURN_IF_ERROR(db_->ExecScript(m.sql).WithContext("migration " + std::to_string(m.version)));
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :now)"));
    ORDO_RETURN_IF_ERROR(st.Bind(":v", m.version).Bind(":now", NowMicros()).Run());
  }
  return txn.Commit();
}

Result<int> SqliteStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  ORDO_ASSIGN_OR_RETURN(auto exists, db_->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"));
  ORDO_ASSIGN_OR_RETURN(bool has_table, exists.Step());
  if (!has_table) return 0;
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<int>(st.Int(0)) : 0;
}

Result<Micros> SqliteStore::Now() { return NowMicros(); }

Result<std::string> SqliteStore::StoreId() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_->Prepare("SELECT id FROM store_identity ORDER BY created_at, id LIMIT 1");
  if (!st.ok()) return NotFound("the store has no identity yet: migrate it first");
  ORDO_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return NotFound("the store has no identity yet: migrate it first");
  return st->Text(0);
}

void SqliteStore::BindGateParams(Statement& st, Micros now) const {
  st.Bind(":now", now)
      .Bind(":stale_before", now - options_.lease_staleness_micros)
      .Bind(":budget", options_.retry_budget)
      .Bind(":fresh_after", now - options_.retry_freshness_micros);
}

Status SqliteStore::WriteEvent(const Event& e, Micros now) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "INSERT INTO apply_events (apply_id, operation_id, at, kind, from_state, to_state, message) "
      "VALUES (:apply, :op, :now, :kind, :from, :to, :message)"));
  return st.Bind(":apply", e.apply_id)
      .Bind(":op", e.operation_id)
      .Bind(":now", now)
      .Bind(":kind", e.kind)
      .Bind(":from", e.from_state)
      .Bind(":to", e.to_state)
      .Bind(":message", e.message)
      .Run();
}

Result<ApplyRecord> SqliteStore::ReadApply(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(std::string("SELECT ") + kApplyColumns + " FROM applies WHERE id = :id"));
  st.Bind(":id", apply_id);
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("apply " + std::to_string(apply_id) + " not found");
  return ApplyFromRow(st);
}

Result<OperationRecord> SqliteStore::ReadOperation(int64_t operation_id) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(std::string("SELECT ") + kOperationColumns + " FROM apply_operations WHERE id = :id"));
  st.Bind(":id", operation_id);
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("operation " + std::to_string(operation_id) + " not found");
  return OperationFromRow(st);
}

Result<std::vector<OperationRecord>> SqliteStore::ReadOperations(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(std::string("SELECT ") + kOperationColumns + " FROM apply_operations WHERE apply_id = :id ORDER BY id"));
  st.Bind(":id", apply_id);
  std::vector<OperationRecord> out;
  while (true) {
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ORDO_ASSIGN_OR_RETURN(OperationRecord op, OperationFromRow(st));
    out.push_back(std::move(op));
  }
  return out;
}

Result<std::optional<RequestStatus>> SqliteStore::ReadRequestStatus(int64_t apply_id,
                                                                    RequestKind kind) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT status FROM control_requests WHERE apply_id = :apply AND kind = :kind"));
  st.Bind(":apply", apply_id).Bind(":kind", ToString(kind));
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<RequestStatus>();
  ORDO_ASSIGN_OR_RETURN(RequestStatus status, StoredRequestStatus(st.Text(0)));
  return std::optional<RequestStatus>(status);
}

Result<bool> SqliteStore::ReleaseLatched(int64_t apply_id) {
  ORDO_ASSIGN_OR_RETURN(auto status, ReadRequestStatus(apply_id, RequestKind::kRelease));
  return status == RequestStatus::kPending || status == RequestStatus::kCompleted;
}

Result<std::vector<int64_t>> SqliteStore::QueryIds(std::string_view sql, Micros now) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(sql));
  BindGateParams(st, now);
  std::vector<int64_t> ids;
  while (true) {
    ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ids.push_back(st.Int(0));
  }
  return ids;
}

Status SqliteStore::RederiveApply(int64_t apply_id, Micros now, std::string_view why) {
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ReadApply(apply_id));
  ORDO_ASSIGN_OR_RETURN(auto ops, ReadOperations(apply_id));
  ORDO_ASSIGN_OR_RETURN(bool latched, ReleaseLatched(apply_id));
  DerivedApplyState derived = DeriveApplyState(ops, latched);
  if (derived.state == apply.state) return Status::Ok();
  return WriteApplyState(apply, derived.state, derived.error, now, why);
}

Status SqliteStore::WriteApplyState(const ApplyRecord& apply, ApplyState next,
                                    const std::optional<std::string>& error, Micros now,
                                    std::string_view why) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
      "UPDATE applies SET state = :next, error = COALESCE(:error, error), updated_at = :now, "
      "started_at = CASE WHEN :started THEN COALESCE(started_at, :now) ELSE started_at END, "
      "completed_at = CASE WHEN :settled THEN COALESCE(completed_at, :now) ELSE completed_at END, "
      "failed_at = CASE WHEN :retryable THEN :now ELSE failed_at END WHERE id = :id"));
  bool started = next != ApplyState::kPending;
  ORDO_RETURN_IF_ERROR(st.Bind(":next", ToString(next))
                           .Bind(":error", error)
                           .Bind(":now", now)
                           .Bind(":started", int64_t{started})
                           .Bind(":settled", int64_t{IsSettled(next)})
                           .Bind(":retryable", int64_t{next == ApplyState::kFailedRetryable})
                           .Bind(":id", apply.id)
                           .Run());
  ORDO_RETURN_IF_ERROR(WriteEvent({apply.id, std::nullopt, "state_change",
                                   std::string(ToString(apply.state)), std::string(ToString(next)),
                                   std::string(why) + (error ? ": " + *error : "")},
                                  now));
  if (IsSettled(next)) return CompleteMootRequests(apply.id, next, now);
  return Status::Ok();
}

Status SqliteStore::CompleteMootRequests(int64_t apply_id, ApplyState state, Micros now) {
  std::vector<std::string> kinds;
  {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT kind FROM control_requests WHERE apply_id = :apply AND status = 'pending' ORDER BY id"));
    st.Bind(":apply", apply_id);
    while (true) {
      ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      kinds.push_back(st.Text(0));
    }
  }
  std::string why = "moot: apply " + std::string(ToString(state));
  for (const auto& kind : kinds) {
    ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare(
        "UPDATE control_requests SET status = 'completed', error = :why, updated_at = :now, "
        "completed_at = :now WHERE apply_id = :apply AND kind = :kind AND status = 'pending'"));
    ORDO_RETURN_IF_ERROR(st.Bind(":why", why).Bind(":now", now).Bind(":apply", apply_id).Bind(":kind", kind).Run());
    ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, std::nullopt, "control_request", "pending", "completed", kind + " " + why}, now));
  }
  return Status::Ok();
}

Status SqliteStore::CheckLease(const Lease& lease, Micros now) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT lease_token FROM apply_operations WHERE id = :id"));
  st.Bind(":id", lease.operation_id);
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("operation " + std::to_string(lease.operation_id) + " not found");
  if (st.OptText(0) == lease.token) return Status::Ok();
  return FenceFailure(lease, now);
}

Status SqliteStore::FenceFailure(const Lease& lease, Micros now) {
  ORDO_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT apply_id, lease_token, lease_owner FROM apply_operations WHERE id = :id"));
  st.Bind(":id", lease.operation_id);
  ORDO_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return NotFound("operation " + std::to_string(lease.operation_id) + " not found");
  if (st.OptText(1) == lease.token) return Status::Ok();
  int64_t apply_id = st.Int(0);
  std::string holder = st.OptText(2).value_or("nobody");
  std::string message = "lease of " + lease.owner + " (token " + lease.token +
                        ") lost; held by " + holder;
  ORDO_RETURN_IF_ERROR(WriteEvent({apply_id, lease.operation_id, "lease_lost", std::nullopt, std::nullopt, message}, now));
  return LeaseLost("operation " + std::to_string(lease.operation_id) + ": " + message);
}

}  // namespace ordo::sqlite

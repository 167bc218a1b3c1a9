#include "store/sqlite/sqlite_rows.h"

#include "store/values.h"

namespace ordo::sqlite {

const char* const kApplyColumns =
    "id, external_id, database_name, environment, state, defer_cutover, options, error, "
    "attempt, lease_owner, lease_token, lease_acquired_at, started_at, completed_at, "
    "created_at, updated_at";

const char* const kOperationColumns =
    "id, apply_id, deployment, state, error, cutover_policy, on_failure, attempt, lease_owner, "
    "lease_token, lease_acquired_at, resume_state, started_at, cutover_started_at, "
    "cutover_completed_at, completed_at, created_at, updated_at, cleanup_pending";

const char* const kChangeColumns =
    "id, operation_id, schema_name, table_name, ddl, state, rows_copied, rows_total, progress, "
    "eta_seconds, instant, cutover_lock_ms, error, updated_at";

const char* const kRequestColumns =
    "id, apply_id, kind, status, requested_by, error, created_at, updated_at, completed_at";

Result<ApplyRecord> ApplyFromRow(const Statement& st) {
  ApplyRecord a;
  a.id = st.Int(0);
  a.external_id = st.Text(1);
  a.database = st.Text(2);
  a.environment = st.Text(3);
  ORDO_ASSIGN_OR_RETURN(a.state, StoredApplyState(st.Text(4)));
  a.options.defer_cutover = st.Int(5) != 0;
  a.options.allow_unsafe = st.Text(6).find("\"allow_unsafe\":true") != std::string::npos;
  a.error = st.OptText(7);
  a.attempt = static_cast<int>(st.Int(8));
  a.lease_owner = st.OptText(9);
  a.lease_token = st.OptText(10);
  a.lease_acquired_at = st.OptInt(11);
  a.started_at = st.OptInt(12);
  a.completed_at = st.OptInt(13);
  a.created_at = st.Int(14);
  a.updated_at = st.Int(15);
  return a;
}

Result<OperationRecord> OperationFromRow(const Statement& st) {
  OperationRecord o;
  o.id = st.Int(0);
  o.apply_id = st.Int(1);
  o.deployment = st.Text(2);
  ORDO_ASSIGN_OR_RETURN(o.state, StoredOperationState(st.Text(3)));
  o.error = st.OptText(4);
  o.cutover_policy = st.Text(5);
  o.on_failure = st.Text(6);
  o.attempt = static_cast<int>(st.Int(7));
  o.lease_owner = st.OptText(8);
  o.lease_token = st.OptText(9);
  o.lease_acquired_at = st.OptInt(10);
  o.resume_state = st.OptText(11);
  o.started_at = st.OptInt(12);
  o.cutover_started_at = st.OptInt(13);
  o.cutover_completed_at = st.OptInt(14);
  o.completed_at = st.OptInt(15);
  o.created_at = st.Int(16);
  o.updated_at = st.Int(17);
  o.cleanup_pending = st.Int(18) != 0;
  return o;
}

ChangeRecord ChangeFromRow(const Statement& st) {
  ChangeRecord c;
  c.id = st.Int(0);
  c.operation_id = st.Int(1);
  c.schema_name = st.Text(2);
  c.table_name = st.Text(3);
  c.ddl = st.Text(4);
  c.state = st.Text(5);
  c.rows_copied = st.Int(6);
  c.rows_total = st.Int(7);
  c.progress = st.Double(8);
  c.eta_seconds = st.OptInt(9);
  c.instant = st.Int(10) != 0;
  c.cutover_lock_ms = st.OptInt(11);
  c.error = st.OptText(12);
  c.updated_at = st.Int(13);
  return c;
}

Result<ControlRequestRecord> RequestFromRow(const Statement& st) {
  ControlRequestRecord r;
  r.id = st.Int(0);
  r.apply_id = st.Int(1);
  ORDO_ASSIGN_OR_RETURN(r.kind, StoredRequestKind(st.Text(2)));
  ORDO_ASSIGN_OR_RETURN(r.status, StoredRequestStatus(st.Text(3)));
  r.requested_by = st.Text(4);
  r.error = st.OptText(5);
  r.created_at = st.Int(6);
  r.updated_at = st.Int(7);
  r.completed_at = st.OptInt(8);
  return r;
}

std::string OptionsJson(const ApplyOptions& options) {
  return std::string("{\"defer_cutover\":") + (options.defer_cutover ? "true" : "false") +
         ",\"allow_unsafe\":" + (options.allow_unsafe ? "true" : "false") + "}";
}

}  // namespace ordo::sqlite

#include "store/sql/records.h"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "store/values.h"

namespace ordo::sqlstore {
namespace {

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

Result<std::optional<Micros>> OptTime(const Dialect& d, const db::SqlRow& row, size_t i) {
  if (!row[i]) return std::optional<Micros>();
  ORDO_ASSIGN_OR_RETURN(Micros t, d.parse_time(*row[i]));
  return std::optional<Micros>(t);
}

Result<Micros> Time(const Dialect& d, const db::SqlRow& row, size_t i) {
  if (!row[i]) return Internal("NULL timestamp in column " + std::to_string(i));
  return d.parse_time(*row[i]);
}

std::optional<std::string> OptText(const db::SqlRow& row, size_t i) { return row[i]; }
std::string Text(const db::SqlRow& row, size_t i) { return row[i].value_or(""); }

Result<std::optional<int64_t>> OptInt(const db::SqlRow& row, size_t i) {
  if (!row[i]) return std::optional<int64_t>();
  ORDO_ASSIGN_OR_RETURN(int64_t v, CellInt(row, i));
  return std::optional<int64_t>(v);
}

}  // namespace

Result<int64_t> CellInt(const db::SqlRow& row, size_t i) {
  int64_t v = 0;
  if (i >= row.size() || !row[i] || !ParseInt(*row[i], &v))
    return Internal("expected an integer in result column " + std::to_string(i));
  return v;
}

const char kOperationColumns[] =
    "o.id, o.apply_id, o.deployment, o.state, o.error, o.cutover_policy, o.on_failure, "
    "o.attempt, o.lease_owner, o.lease_token, o.lease_acquired_at, o.resume_state, "
    "o.started_at, o.cutover_started_at, o.cutover_completed_at, o.completed_at, "
    "o.created_at, o.updated_at, o.cleanup_pending";

Result<OperationRecord> DecodeOperation(const Dialect& d, const db::SqlRow& row, size_t f) {
  if (row.size() < f + kOperationColumnCount) return Internal("operation row too short");
  OperationRecord op;
  ORDO_ASSIGN_OR_RETURN(op.id, CellInt(row, f + 0));
  ORDO_ASSIGN_OR_RETURN(op.apply_id, CellInt(row, f + 1));
  op.deployment = Text(row, f + 2);
  ORDO_ASSIGN_OR_RETURN(op.state, StoredOperationState(Text(row, f + 3)));
  op.error = OptText(row, f + 4);
  op.cutover_policy = Text(row, f + 5);
  op.on_failure = Text(row, f + 6);
  ORDO_ASSIGN_OR_RETURN(int64_t attempt, CellInt(row, f + 7));
  op.attempt = static_cast<int>(attempt);
  op.lease_owner = OptText(row, f + 8);
  op.lease_token = OptText(row, f + 9);
  ORDO_ASSIGN_OR_RETURN(op.lease_acquired_at, OptTime(d, row, f + 10));
  op.resume_state = OptText(row, f + 11);
  ORDO_ASSIGN_OR_RETURN(op.started_at, OptTime(d, row, f + 12));
  ORDO_ASSIGN_OR_RETURN(op.cutover_started_at, OptTime(d, row, f + 13));
  ORDO_ASSIGN_OR_RETURN(op.cutover_completed_at, OptTime(d, row, f + 14));
  ORDO_ASSIGN_OR_RETURN(op.completed_at, OptTime(d, row, f + 15));
  ORDO_ASSIGN_OR_RETURN(op.created_at, Time(d, row, f + 16));
  ORDO_ASSIGN_OR_RETURN(op.updated_at, Time(d, row, f + 17));
  ORDO_ASSIGN_OR_RETURN(int64_t cleanup_pending, CellInt(row, f + 18));
  op.cleanup_pending = cleanup_pending != 0;
  return op;
}

const char kApplyColumns[] =
    "a.id, a.external_id, a.database_name, a.environment, a.state, a.defer_cutover, "
    "a.options, a.error, a.attempt, a.lease_owner, a.lease_token, a.lease_acquired_at, "
    "a.started_at, a.completed_at, a.created_at, a.updated_at";

Result<ApplyRecord> DecodeApply(const Dialect& d, const db::SqlRow& row, size_t f) {
  if (row.size() < f + 16) return Internal("apply row too short");
  ApplyRecord a;
  ORDO_ASSIGN_OR_RETURN(a.id, CellInt(row, f + 0));
  a.external_id = Text(row, f + 1);
  a.database = Text(row, f + 2);
  a.environment = Text(row, f + 3);
  ORDO_ASSIGN_OR_RETURN(a.state, StoredApplyState(Text(row, f + 4)));
  ORDO_ASSIGN_OR_RETURN(int64_t defer, CellInt(row, f + 5));
  a.options.defer_cutover = defer != 0;
  // The column is what the gates read; the JSON carries the rest of the options.
  auto options = nlohmann::json::parse(Text(row, f + 6), nullptr, /*allow_exceptions=*/false);
  if (options.is_object()) {
    auto it = options.find("allow_unsafe");
    if (it != options.end() && it->is_boolean()) a.options.allow_unsafe = it->get<bool>();
    it = options.find("created_by");
    if (it != options.end() && it->is_string()) a.created_by = it->get<std::string>();
  }
  a.error = OptText(row, f + 7);
  ORDO_ASSIGN_OR_RETURN(int64_t attempt, CellInt(row, f + 8));
  a.attempt = static_cast<int>(attempt);
  a.lease_owner = OptText(row, f + 9);
  a.lease_token = OptText(row, f + 10);
  ORDO_ASSIGN_OR_RETURN(a.lease_acquired_at, OptTime(d, row, f + 11));
  ORDO_ASSIGN_OR_RETURN(a.started_at, OptTime(d, row, f + 12));
  ORDO_ASSIGN_OR_RETURN(a.completed_at, OptTime(d, row, f + 13));
  ORDO_ASSIGN_OR_RETURN(a.created_at, Time(d, row, f + 14));
  ORDO_ASSIGN_OR_RETURN(a.updated_at, Time(d, row, f + 15));
  return a;
}

const char kChangeColumns[] =
    "id, operation_id, schema_name, table_name, ddl, state, rows_copied, rows_total, "
    "progress, eta_seconds, instant, cutover_lock_ms, error, updated_at";

Result<ChangeRecord> DecodeChange(const Dialect& d, const db::SqlRow& row) {
  if (row.size() < 14) return Internal("change row too short");
  ChangeRecord c;
  ORDO_ASSIGN_OR_RETURN(c.id, CellInt(row, 0));
  ORDO_ASSIGN_OR_RETURN(c.operation_id, CellInt(row, 1));
  c.schema_name = Text(row, 2);
  c.table_name = Text(row, 3);
  c.ddl = Text(row, 4);
  c.state = Text(row, 5);
  ORDO_ASSIGN_OR_RETURN(c.rows_copied, CellInt(row, 6));
  ORDO_ASSIGN_OR_RETURN(c.rows_total, CellInt(row, 7));
  c.progress = row[8] ? std::strtod(row[8]->c_str(), nullptr) : 0.0;
  ORDO_ASSIGN_OR_RETURN(c.eta_seconds, OptInt(row, 9));
  ORDO_ASSIGN_OR_RETURN(int64_t instant, CellInt(row, 10));
  c.instant = instant != 0;
  ORDO_ASSIGN_OR_RETURN(c.cutover_lock_ms, OptInt(row, 11));
  c.error = OptText(row, 12);
  ORDO_ASSIGN_OR_RETURN(c.updated_at, Time(d, row, 13));
  return c;
}

const char kRequestColumns[] =
    "id, apply_id, kind, status, requested_by, error, created_at, updated_at, completed_at";

Result<ControlRequestRecord> DecodeRequest(const Dialect& d, const db::SqlRow& row) {
  if (row.size() < 9) return Internal("request row too short");
  ControlRequestRecord r;
  ORDO_ASSIGN_OR_RETURN(r.id, CellInt(row, 0));
  ORDO_ASSIGN_OR_RETURN(r.apply_id, CellInt(row, 1));
  ORDO_ASSIGN_OR_RETURN(r.kind, StoredRequestKind(Text(row, 2)));
  ORDO_ASSIGN_OR_RETURN(r.status, StoredRequestStatus(Text(row, 3)));
  r.requested_by = Text(row, 4);
  r.error = OptText(row, 5);
  ORDO_ASSIGN_OR_RETURN(r.created_at, Time(d, row, 6));
  ORDO_ASSIGN_OR_RETURN(r.updated_at, Time(d, row, 7));
  ORDO_ASSIGN_OR_RETURN(r.completed_at, OptTime(d, row, 8));
  return r;
}

const char kEventColumns[] =
    "e.id, e.apply_id, e.operation_id, o.deployment, e.at, e.kind, e.from_state, "
    "e.to_state, e.message";

Result<EventRecord> DecodeEvent(const Dialect& d, const db::SqlRow& row) {
  if (row.size() < 9) return Internal("event row too short");
  EventRecord e;
  ORDO_ASSIGN_OR_RETURN(e.id, CellInt(row, 0));
  ORDO_ASSIGN_OR_RETURN(e.apply_id, CellInt(row, 1));
  ORDO_ASSIGN_OR_RETURN(e.operation_id, OptInt(row, 2));
  e.deployment = OptText(row, 3);
  ORDO_ASSIGN_OR_RETURN(e.at, Time(d, row, 4));
  e.kind = Text(row, 5);
  e.from_state = OptText(row, 6);
  e.to_state = OptText(row, 7);
  e.message = Text(row, 8);
  return e;
}

std::string OptionsJson(const ApplyOptions& options, std::string_view created_by) {
  return nlohmann::json{{"defer_cutover", options.defer_cutover},
                        {"allow_unsafe", options.allow_unsafe},
                        {"created_by", created_by}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ordo::sqlstore

#include "api/documents.h"

#include <ctime>
#include <map>

#include "core/phase.h"

namespace ordo {
namespace {

nlohmann::json Time(const std::optional<Micros>& t) {
  if (!t) return nullptr;
  return FormatRfc3339(*t);
}

nlohmann::json Text(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return *s;
}

nlohmann::json ChangeDocument(const ChangeRecord& c) {
  return {
      {"table", c.table_name},
      {"schema", c.schema_name},
      {"ddl", c.ddl},
      {"state", c.state},
      {"rows_copied", c.rows_copied},
      {"rows_total", c.rows_total},
      {"percent", c.progress},
      {"eta_seconds", c.eta_seconds ? nlohmann::json(*c.eta_seconds) : nlohmann::json(nullptr)},
      {"instant", c.instant},
      {"cutover_lock_ms",
       c.cutover_lock_ms ? nlohmann::json(*c.cutover_lock_ms) : nlohmann::json(nullptr)},
      {"error", Text(c.error)},
  };
}

}  // namespace

std::string FormatRfc3339(Micros micros) {
  int64_t secs = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

nlohmann::json ApplySummary(const ApplyRecord& a) {
  return {
      {"id", a.external_id},
      {"database", a.database},
      {"environment", a.environment},
      {"state", std::string(ToString(a.state))},
      {"created_by", a.created_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.created_by)},
      {"created_at", FormatRfc3339(a.created_at)},
      {"started_at", Time(a.started_at)},
      {"completed_at", Time(a.completed_at)},
      {"error", Text(a.error)},
  };
}

nlohmann::json ApplyDocument(const app::ApplyView& view) {
  nlohmann::json doc = ApplySummary(view.apply);
  // Policies are captured per operation at create; they are the same on every row.
  std::string policy = "rolling", on_failure = "halt";
  if (!view.operations.empty()) {
    policy = view.operations.front().operation.cutover_policy;
    on_failure = view.operations.front().operation.on_failure;
  }
  doc["cutover_policy"] = policy;
  doc["on_failure"] = on_failure;
  doc["options"] = {{"defer_cutover", view.apply.options.defer_cutover},
                    {"allow_unsafe", view.apply.options.allow_unsafe}};
  doc["attempt"] = view.apply.attempt;
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& ov : view.operations) {
    const OperationRecord& op = ov.operation;
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : ov.changes) changes.push_back(ChangeDocument(c));
    ops.push_back({
        {"deployment", op.deployment},
        {"state", std::string(ToString(op.state))},
        {"phase", OperationPhase(op, ov.changes)},
        {"swap_waiting", Text(ov.swap_waiting)},
        {"attempt", op.attempt},
        {"started_at", Time(op.started_at)},
        {"cutover_started_at", Time(op.cutover_started_at)},
        {"cutover_completed_at", Time(op.cutover_completed_at)},
        {"completed_at", Time(op.completed_at)},
        {"error", Text(op.error)},
        {"changes", changes},
    });
  }
  doc["operations"] = ops;
  return doc;
}

nlohmann::json EventsDocument(const std::vector<EventRecord>& events) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : events) {
    list.push_back({
        {"at", FormatRfc3339(e.at)},
        {"operation", Text(e.deployment)},
        {"kind", e.kind},
        {"from", Text(e.from_state)},
        {"to", Text(e.to_state)},
        {"message", e.message},
    });
  }
  return {{"events", list}};
}

nlohmann::json ErrorDocument(const Status& status) {
  return {{"error",
           {{"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}}}};
}

nlohmann::json ControlAnswerDocument(const ApplyRecord& apply, RequestKind kind,
                                     const RequestAnswer& answer) {
  static const char* const kOutcomes[] = {"accepted", "already_requested", "refused"};
  return {
      {"apply", apply.external_id},
      {"request", std::string(ToString(kind))},
      {"outcome", kOutcomes[static_cast<int>(answer.outcome)]},
      {"reason", answer.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(answer.reason)}};
}

}  // namespace ordo

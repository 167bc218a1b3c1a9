// GET /healthz, GET /metrics, POST /v1/plans.
#include <array>

#include "api/routes.h"
#include "app/plan_document.h"

namespace ordo::api {
namespace {

constexpr std::array kApplyStates = {
    ApplyState::kPending,     ApplyState::kRunning,         ApplyState::kWaitingForCutover,
    ApplyState::kCuttingOver, ApplyState::kRevertWindow,    ApplyState::kCompleted,
    ApplyState::kFailed,      ApplyState::kFailedRetryable, ApplyState::kStopped,
    ApplyState::kCancelled,   ApplyState::kReverted,        ApplyState::kRunningDegraded,
    ApplyState::kPaused,
};

// Reads the applies' states from the store into the gauges. On a store error the
// gauges keep their last values and ordo_store_up says 0.
void RefreshStoreGauges(RouteContext& ctx) {
  Gauge& up = ctx.metrics.GetGauge("ordo_store_up",
                                   "1 when the last scrape could read the control store, else 0.");
  auto applies = ctx.store.ListApplies(ctx.options.metrics_apply_scan);
  if (!applies.ok()) {
    up.Set(0);
    return;
  }
  up.Set(1);
  std::array<int, kApplyStates.size()> counts{};
  for (const ApplyRecord& a : *applies)
    for (size_t i = 0; i < kApplyStates.size(); ++i)
      if (a.state == kApplyStates[i]) ++counts[i];
  std::string help = "Applies by state, among the " +
                     std::to_string(ctx.options.metrics_apply_scan) +
                     " most recent in the control store.";
  for (size_t i = 0; i < kApplyStates.size(); ++i)
    ctx.metrics.GetGauge("ordo_applies", help, {{"state", std::string(ToString(kApplyStates[i]))}})
        .Set(counts[i]);
}

// The body of POST /v1/plans: {"database": "…", "environment": "…"}.
Result<app::PlanRequest> ParsePlanRequest(const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return InvalidArgument("body: expected a JSON object");
  app::PlanRequest request;
  for (const char* key : {"database", "environment"}) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty())
      return InvalidArgument(std::string("body: ") + key + ": expected a non-empty string");
  }
  request.database = doc["database"].get<std::string>();
  request.environment = doc["environment"].get<std::string>();
  return request;
}

}  // namespace

void AddSystemRoutes(httplib::Server& server, RouteContext& ctx) {
  // Open (no token): for load balancers and process supervisors. It says only
  // whether this process can reach its store, never why not.
  server.Get("/healthz", [&ctx](const httplib::Request&, httplib::Response& res) {
    auto now = ctx.store.Now();
    if (!now.ok()) {
      ReplyError(res, 503, "unavailable", "the control store is unreachable");
      return;
    }
    ReplyJson(res, 200, {{"status", "ok"}});
  });

  server.Get("/metrics", [&ctx](const httplib::Request&, httplib::Response& res) {
    RefreshStoreGauges(ctx);
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(ctx.metrics.RenderText(), "text/plain; version=0.0.4; charset=utf-8");
  });

  // The plan of every deployment of an environment, as `ordo plan --json` prints it.
  // Nothing is stored; the scratch schemas it uses are dropped before it answers.
  server.Post("/v1/plans", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto request = ParsePlanRequest(req.body);
    if (!request.ok()) {
      ReplyError(res, request.status());
      return;
    }
    if (!ctx.hooks.compute_plan) {
      ReplyError(res, 501, "not_implemented", "this server cannot compute plans");
      return;
    }
    auto plan = ctx.hooks.compute_plan(*request);
    if (!plan.ok()) {
      ReplyError(res, plan.status());
      return;
    }
    ReplyJson(res, 200, app::PlanDocument(*plan));
  });
}

}  // namespace ordo::api

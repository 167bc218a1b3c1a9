// GET /healthz, GET /metrics, POST /v1/plans.
#include <array>

#include "api/routes.h"

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

  server.Post("/v1/plans", [](const httplib::Request&, httplib::Response& res) {
    ReplyError(res, 501, "not_implemented",
               "declarative plans are not available yet; create an apply with POST /v1/applies and "
               "a ddl list");
  });
}

}  // namespace ordo::api

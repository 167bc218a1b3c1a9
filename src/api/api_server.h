// ApiServer: ordo's HTTP API (docs/guide.md, "HTTP API"), served by `ordo serve`.
//
// JSON over HTTP. Every route but GET /healthz and the console's files needs
// `Authorization: Bearer <token>` when a token is configured (the caller decides whether
// running without one is allowed; `ordo serve` allows it on loopback only). Routes:
//
//   GET  /healthz                         200 {"status":"ok"}; 503 when the store is away
//   GET  /metrics                         Prometheus text (the registry + applies by state)
//   POST /v1/plans                        200 the plan's document (app/plan_document.h);
//                                         body {"database":…,"environment":…}; 400 / 503
//   POST /v1/applies                      201 the apply's document; 400 / 409 / 503
//   GET  /v1/applies[?limit=N]            200 {"applies":[…]} (as `status --json`)
//   GET  /v1/applies/{id}                 200 the apply's document (as `status APPLY --json`)
//   GET  /v1/applies/{id}/events          200 {"events":[…]} (as `logs APPLY --json`)
//   GET  /v1/applies/{id}/timeline        200 the rollout timeline (api/timeline_document.h)
//   GET  /v1/applies/{id}/stream          text/event-stream: the apply's page, live
//   (stream_routes.h) GET  /, /console.css, /console.js     the web console (api/console/console.h)
//   GET  /v1/applies/{id}/timeline.svg    200 the timeline as SVG (also under /api/v1/…)
//   POST /v1/applies/{id}/{request}       202 accepted, 200 already requested, 409 refused
//
// Errors are {"error":{"code":"…","message":"…"}}: 400 bad input, 401 missing or wrong
// token, 404 no such apply or route, 409 refused by the current state, 501 not built
// yet, 503 store unreachable or busy, 500 anything else. Every response counts in
// ordo_http_requests_total{method,code}.
//
// Thread-safety: requests are served on the server's own thread pool; Stop() may be
// called from any thread (a signal watcher), even before Run().
//
//   ApiServer api(store, metrics, logger, hooks, options);
//   ORDO_RETURN_IF_ERROR(api.Bind(address));
//   std::thread t([&] { (void)api.Run(); });
//   …
//   api.Stop();  // no new connections; requests in flight finish; Run() returns
//   t.join();
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "api/apply_request.h"
#include "api/listen_address.h"
#include "app/plan.h"
#include "core/logger.h"
#include "core/metrics.h"
#include "ordo/store.h"

namespace ordo {

struct ApiOptions {
  // Expected bearer token; empty: no authentication at all.
  std::string token;
  // Larger request bodies are refused (413).
  size_t max_body_bytes = 1 << 20;
  // GET /metrics counts applies by state among this many of the most recent.
  int metrics_apply_scan = 10'000;
};

struct ApiHooks {
  // Validates a request and creates the apply: the path `ordo apply --detach` takes.
  // InvalidArgument (400), Conflict (409: a deployment is busy), Unavailable (503).
  std::function<Result<ApplyRecord>(const app::ApplyRequest&, const std::string& requested_by)>
      create_apply;
  // Computes the declarative plan of an environment (app/plan.h, ComputePlan).
  std::function<Result<app::PlanResult>(const app::PlanRequest&)> compute_plan;
  // Wakes this process's worker after an apply was created or a request accepted.
  std::function<void()> notify;
  // The revert window of an apply's environment (0 when unknown), for the timeline's
  // time left in an open window.
  std::function<Micros(const ApplyRecord&)> revert_window;
};

class ApiServer {
 public:
  ApiServer(Store& store, MetricsRegistry& metrics, Logger& logger, ApiHooks hooks,
            ApiOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket (port 0: any free port). Unavailable when the address
  // cannot be bound (in use, not local).
  Status Bind(const ListenAddress& address);
  // The bound port (after Bind).
  int port() const { return port_; }
  // Serves until Stop(). Internal when the server fails on its own.
  Status Run();
  // Stops accepting connections; requests in flight finish, then Run() returns.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
};

}  // namespace ordo

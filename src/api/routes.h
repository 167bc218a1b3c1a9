// The HTTP API's routes, one file per group (routes_system.cc, routes_applies.cc,
// routes_control.cc, routes_timeline.cc), and what they share: the context and the JSON replies.
// Internal to src/api; ApiServer (api_server.h) is the public face.
//
// Thread-safety: handlers run on the server's pool at once; everything they touch
// through RouteContext is thread-safe.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_server.h"
#include "api/documents.h"

namespace ordo::api {

struct RouteContext {
  Store& store;
  MetricsRegistry& metrics;
  Logger& logger;
  const ApiHooks& hooks;
  const ApiOptions& options;
};

// 400 invalid_argument, 404 not_found, 409 conflict/already_exists/failed_precondition,
// 503 unavailable/aborted/timeout, 500 anything else.
int HttpStatusFor(const Status& status);

// Replies with a JSON document.
void ReplyJson(httplib::Response& res, int http_status, const nlohmann::json& doc);
// Replies with the error document for `status` (URL passwords redacted); retryable
// store errors add Retry-After.
void ReplyError(httplib::Response& res, const Status& status);
// Replies with {"error":{"code":code,"message":message}}.
void ReplyError(httplib::Response& res, int http_status, const std::string& code,
                const std::string& message);

// Who recorded something through the API, for requested_by and the event log.
std::string RequestedBy(const httplib::Request& req);

void AddSystemRoutes(httplib::Server& server, RouteContext& ctx);
void AddApplyRoutes(httplib::Server& server, RouteContext& ctx);
void AddControlRoutes(httplib::Server& server, RouteContext& ctx);
// GET /v1/applies/{id}/timeline and the timeline's SVG (routes_timeline.cc).
void AddTimelineRoutes(httplib::Server& server, RouteContext& ctx);

}  // namespace ordo::api

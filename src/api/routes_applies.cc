// POST /v1/applies, GET /v1/applies, GET /v1/applies/{id}, GET /v1/applies/{id}/events.
// The documents are the CLI's (`status --json`, `logs --json`): api/documents.h.
#include <charconv>

#include "api/routes.h"

namespace ordo::api {
namespace {

constexpr int kDefaultListLimit = 20;
constexpr int kMaxListLimit = 1000;

// The creation path speaks of `--ddl #N` (the CLI's flag); in the API the list is
// the body's "ddl" field.
Status ForApi(const Status& s) {
  if (!s.Is(StatusCode::kInvalidArgument) || s.message().rfind("--ddl", 0) != 0) return s;
  return InvalidArgument(s.message().substr(2));
}

Result<int> ListLimit(const httplib::Request& req) {
  if (!req.has_param("limit")) return kDefaultListLimit;
  std::string text = req.get_param_value("limit");
  int limit = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || limit < 1 ||
      limit > kMaxListLimit)
    return InvalidArgument("limit: expected a number from 1 to " + std::to_string(kMaxListLimit) +
                           "; got \"" + text + "\"");
  return limit;
}

}  // namespace

void AddApplyRoutes(httplib::Server& server, RouteContext& ctx) {
  server.Post("/v1/applies", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto request = ParseApplyRequest(req.body);
    if (!request.ok()) return ReplyError(res, request.status());
    if (!ctx.hooks.create_apply)
      return ReplyError(res, 501, "not_implemented", "this server does not create applies");
    auto created = ctx.hooks.create_apply(*request, RequestedBy(req));
    if (!created.ok()) return ReplyError(res, ForApi(created.status()));
    ctx.logger.Log(LogLevel::kInfo, {created->external_id, "", ""},
                   "created via the API by " + req.remote_addr + " for " + request->database + "/" +
                       request->environment);
    if (ctx.hooks.notify) ctx.hooks.notify();
    res.set_header("Location", "/v1/applies/" + created->external_id);
    // The apply exists from here on: a failed re-read still answers 201, with the
    // summary instead of the full document.
    auto view = app::LoadApplyView(ctx.store, created->external_id);
    ReplyJson(res, 201, view.ok() ? ApplyDocument(*view) : ApplySummary(*created));
  });

  server.Get("/v1/applies", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto limit = ListLimit(req);
    if (!limit.ok()) return ReplyError(res, limit.status());
    auto applies = ctx.store.ListApplies(*limit);
    if (!applies.ok()) return ReplyError(res, applies.status());
    nlohmann::json list = nlohmann::json::array();
    for (const ApplyRecord& a : *applies) list.push_back(ApplySummary(a));
    ReplyJson(res, 200, {{"applies", list}});
  });

  server.Get(R"(/v1/applies/([^/]+))", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto view = app::LoadApplyView(ctx.store, req.matches[1].str());
    if (!view.ok()) return ReplyError(res, view.status());
    ReplyJson(res, 200, ApplyDocument(*view));
  });

  server.Get(R"(/v1/applies/([^/]+)/events)",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               auto apply = ctx.store.FindApply(req.matches[1].str());
               if (!apply.ok()) return ReplyError(res, apply.status());
               auto events = ctx.store.ListEvents(apply->id);
               if (!events.ok()) return ReplyError(res, events.status());
               ReplyJson(res, 200, EventsDocument(*events));
             });
}

}  // namespace ordo::api

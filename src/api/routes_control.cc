// POST /v1/applies/{id}/{stop|start|cutover|revert|skip-revert|cancel|release}: the
// control requests, recorded as the CLI records them (app/control.h).
//
// The answer is one document for all three outcomes — the one `ordo stop … --json`
// prints — with the HTTP status telling them apart: 202 accepted, 200 already
// requested, 409 refused (then it also carries the error document's "error" member,
// so a client that only checks for errors sees the reason).
#include "api/routes.h"
#include "app/control.h"

namespace ordo::api {

void AddControlRoutes(httplib::Server& server, RouteContext& ctx) {
  const char* pattern =
      R"(/v1/applies/([^/]+)/(stop|start|cutover|revert|skip-revert|cancel|release))";
  server.Post(pattern, [&ctx](const httplib::Request& req, httplib::Response& res) {
    std::string id = req.matches[1].str();
    std::string verb = req.matches[2].str();
    RequestKind kind = *app::ParseControlVerb(verb);  // the pattern admits known verbs only
    auto apply = ctx.store.FindApply(id);
    if (!apply.ok()) return ReplyError(res, apply.status());
    auto answer = app::RecordControl(ctx.store, *apply, kind, RequestedBy(req));
    if (!answer.ok()) return ReplyError(res, answer.status());
    nlohmann::json doc = ControlAnswerDocument(*apply, kind, *answer);
    ctx.logger.Log(answer->outcome == RequestOutcome::kRefused ? LogLevel::kWarn : LogLevel::kInfo,
                   {apply->external_id, "", ""},
                   verb + " requested via the API by " + req.remote_addr + ": " +
                       app::DescribeAnswer(*answer));
    switch (answer->outcome) {
      case RequestOutcome::kAccepted:
        if (ctx.hooks.notify) ctx.hooks.notify();
        return ReplyJson(res, 202, doc);
      case RequestOutcome::kAlreadyRequested:
        return ReplyJson(res, 200, doc);
      case RequestOutcome::kRefused:
        doc["error"] = {{"code", "refused"}, {"message", verb + " refused: " + answer->reason}};
        return ReplyJson(res, 409, doc);
    }
  });
}

}  // namespace ordo::api

// GET /v1/applies/{id}/timeline: the rollout timeline's JSON (api/timeline_document.h),
// as `ordo status APPLY --timeline --json` prints it; GET /v1/applies/{id}/timeline.svg
// (also under /api/v1/…): the same timeline as an SVG image (app/timeline_svg.h).
#include "api/routes.h"
#include "api/timeline_document.h"
#include "app/timeline.h"
#include "app/timeline_svg.h"
#include "ordo/clock.h"

namespace ordo::api {
namespace {

Result<app::Timeline> TimelineFor(RouteContext& ctx, const std::string& id) {
  ORDO_ASSIGN_OR_RETURN(ApplyRecord apply, ctx.store.FindApply(id));
  Micros window = ctx.hooks.revert_window ? ctx.hooks.revert_window(apply) : 0;
  return app::LoadTimeline(ctx.store, id, SystemClock::Default()->NowMicros(), window);
}

}  // namespace

void AddTimelineRoutes(httplib::Server& server, RouteContext& ctx) {
  server.Get(R"(/v1/applies/([^/]+)/timeline)",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               auto timeline = TimelineFor(ctx, req.matches[1].str());
               if (!timeline.ok()) return ReplyError(res, timeline.status());
               ReplyJson(res, 200, TimelineDocument(*timeline));
             });
  auto svg = [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto timeline = TimelineFor(ctx, req.matches[1].str());
    if (!timeline.ok()) return ReplyError(res, timeline.status());
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(app::RenderTimelineSvg(*timeline), "image/svg+xml; charset=utf-8");
  };
  server.Get(R"(/v1/applies/([^/]+)/timeline\.svg)", svg);
  server.Get(R"(/api/v1/applies/([^/]+)/timeline\.svg)", svg);
}

}  // namespace ordo::api

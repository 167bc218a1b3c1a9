// ordo status [APPLY] [--json] [--timeline] [--timeline-svg FILE]: one apply in full (or
// its timeline), or the recent applies.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "api/documents.h"
#include "api/timeline_document.h"
#include "app/timeline.h"
#include "app/timeline_svg.h"
#include "cli/command.h"
#include "cli/live_view.h"
#include "cli/session.h"
#include "cli/timeline_render.h"
#include "ordo/clock.h"

namespace ordo::cli {
namespace {

struct StatusFlags {
  std::string apply;
  int limit = 20;
  bool json = false;
  bool timeline = false;
  std::string timeline_svg;  // a file to write the timeline's SVG to
};

// The environment's revert window (for the time left in an open window); 0 without a
// config that names it.
Micros RevertWindowOf(Session& s, const std::string& apply_id, Store& store) {
  auto cfg = s.LoadConfig();
  auto apply = store.FindApply(apply_id);
  if (!cfg.ok() || !apply.ok()) return 0;
  const auto* env = (*cfg)->FindEnvironment(apply->database, apply->environment);
  return env ? env->revert_window_micros : 0;
}

int RunTimeline(const StatusFlags& f, Session& s, Store& store) {
  Micros window = RevertWindowOf(s, f.apply, store);
  auto timeline = app::LoadTimeline(store, f.apply, SystemClock::Default()->NowMicros(), window);
  if (!timeline.ok()) return s.Fail(timeline.status());
  if (!f.timeline_svg.empty()) {
    std::ofstream out(f.timeline_svg, std::ios::binary | std::ios::trunc);
    out << app::RenderTimelineSvg(*timeline);
    out.close();
    if (!out)
      return s.Fail(InvalidArgument("--timeline-svg: cannot write " + f.timeline_svg + ": " +
                                    std::strerror(errno)));
    if (!f.timeline) {
      if (f.json) std::cout << nlohmann::json{{"svg", f.timeline_svg}}.dump() << std::endl;
      return 0;
    }
  }
  if (f.json) {
    std::cout << TimelineDocument(*timeline).dump() << std::endl;
    return 0;
  }
  const bool tty = isatty(STDOUT_FILENO) != 0;
  for (const std::string& line : RenderTimeline(*timeline, {TimelineColumns(), UseColor(tty)}))
    std::cout << line << "\n";
  return 0;
}

int RunStatus(const StatusFlags& f, Globals& g) {
  Session s(g, f.json);
  auto store = s.Store();
  if (!store.ok()) return s.Fail(store.status());
  if (f.timeline || !f.timeline_svg.empty()) {
    if (f.apply.empty())
      return s.Fail(InvalidArgument("--timeline: name the apply (ordo status ap_… --timeline)"));
    return RunTimeline(f, s, **store);
  }
  if (!f.apply.empty()) {
    auto view = app::LoadApplyView(**store, f.apply);
    if (!view.ok()) return s.Fail(view.status());
    if (f.json) {
      std::cout << ApplyDocument(*view).dump() << std::endl;
      return 0;
    }
    LiveView printer(std::cout, false);
    for (const auto& line : printer.Render(*view)) std::cout << line << "\n";
    return 0;
  }
  auto applies = (*store)->ListApplies(f.limit);
  if (!applies.ok()) return s.Fail(applies.status());
  if (f.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : *applies) list.push_back(ApplySummary(a));
    std::cout << nlohmann::json{{"applies", list}}.dump() << std::endl;
    return 0;
  }
  if (applies->empty()) std::cout << "no applies\n";
  for (const auto& a : *applies) {
    std::cout << a.external_id << "  " << a.database << "/" << a.environment << "  "
              << ToString(a.state) << "  created " << FormatRfc3339(a.created_at);
    if (a.error) std::cout << "  " << *a.error;
    std::cout << "\n";
  }
  return 0;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<StatusFlags>();
  auto* cmd = app.add_subcommand("status", "one apply in full, or a list of recent applies");
  cmd->add_option("apply", f->apply, "apply id (ap_…)");
  cmd->add_option("--limit", f->limit, "how many recent applies to list")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--json", f->json, "print one JSON document");
  cmd->add_flag("--timeline", f->timeline,
                "the apply's timeline: one lane per deployment (with --json: its segments)");
  cmd->add_option("--timeline-svg", f->timeline_svg, "write the apply's timeline as SVG to FILE");
  return [f, &g] { return RunStatus(*f, g); };
}

ORDO_COMMAND(status, 20, Setup);

}  // namespace
}  // namespace ordo::cli

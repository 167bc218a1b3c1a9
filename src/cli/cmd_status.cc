// ordo status [APPLY] [--json]: one apply in full, or the recent applies.
#include <iostream>
#include <memory>

#include "api/documents.h"
#include "cli/command.h"
#include "cli/live_view.h"
#include "cli/session.h"

namespace ordo::cli {
namespace {

struct StatusFlags {
  std::string apply;
  int limit = 20;
  bool json = false;
};

int RunStatus(const StatusFlags& f, Globals& g) {
  Session s(g, f.json);
  auto store = s.Store();
  if (!store.ok()) return s.Fail(store.status());
  if (!f.apply.empty()) {
    auto view = LoadApplyView(**store, f.apply);
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
  return [f, &g] { return RunStatus(*f, g); };
}

ORDO_COMMAND(status, 20, Setup);

}  // namespace
}  // namespace ordo::cli

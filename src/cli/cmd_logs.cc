// ordo logs APPLY [--json]: the apply's events, oldest first.
#include <iostream>
#include <memory>

#include "api/documents.h"
#include "cli/command.h"
#include "cli/session.h"

namespace ordo::cli {
namespace {

struct LogsFlags {
  std::string apply;
  bool json = false;
};

int RunLogs(const LogsFlags& f, Globals& g) {
  Session s(g, f.json);
  auto store = s.Store();
  if (!store.ok()) return s.Fail(store.status());
  auto apply = (*store)->FindApply(f.apply);
  if (!apply.ok()) return s.Fail(apply.status());
  auto events = (*store)->ListEvents(apply->id);
  if (!events.ok()) return s.Fail(events.status());
  if (f.json) {
    std::cout << EventsDocument(*events).dump() << std::endl;
    return 0;
  }
  for (const auto& e : *events) {
    std::cout << FormatRfc3339(e.at) << "  " << e.deployment.value_or("-") << "  " << e.kind;
    if (e.from_state || e.to_state)
      std::cout << "  " << e.from_state.value_or("") << " -> " << e.to_state.value_or("");
    std::cout << "  " << e.message << "\n";
  }
  return 0;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<LogsFlags>();
  auto* cmd = app.add_subcommand("logs", "the apply's events, oldest first");
  cmd->add_option("apply", f->apply, "apply id (ap_…)")->required();
  cmd->add_flag("--json", f->json, "print one JSON document");
  return [f, &g] { return RunLogs(*f, g); };
}

ORDO_COMMAND(logs, 40, Setup);

}  // namespace
}  // namespace ordo::cli

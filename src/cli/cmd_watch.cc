// ordo watch APPLY [--timeline]: live progress (or the rollout timeline) until the
// apply settles (or stops). Exit 0 when it completed, 1 otherwise, 130 when Ctrl-C
// stopped watching (the apply goes on).
#include <unistd.h>

#include <memory>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/follow.h"
#include "cli/session.h"

namespace ordo::cli {
namespace {

struct WatchFlags {
  std::string apply;
  bool timeline = false;
};

int RunWatch(const WatchFlags& f, Globals& g) {
  const std::string& apply = f.apply;
  Session s(g, false, LogLevel::kWarn);
  FollowOptions follow;
  follow.tty = isatty(STDOUT_FILENO) != 0;
  follow.timeline = f.timeline;
  auto result = FollowApply(s, apply, follow);
  if (!result.ok()) return s.Fail(result.status());
  if (result->interrupted) {
    SayStillRunning(apply);
    return kExitInterrupted;
  }
  return ExitCodeFor(result->state);
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<WatchFlags>();
  auto* cmd = app.add_subcommand("watch", "live progress until the apply settles");
  cmd->add_option("apply", f->apply, "apply id (ap_…)")->required();
  cmd->add_flag("--timeline", f->timeline, "draw the rollout timeline, one lane per deployment");
  return [f, &g] { return RunWatch(*f, g); };
}

ORDO_COMMAND(watch, 30, Setup);

}  // namespace
}  // namespace ordo::cli

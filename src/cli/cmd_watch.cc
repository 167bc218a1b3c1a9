// ordo watch APPLY: live progress until the apply settles (or stops). Exit 0 when
// it completed, 1 otherwise, 130 when Ctrl-C stopped watching (the apply goes on).
#include <unistd.h>

#include <memory>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/follow.h"
#include "cli/session.h"

namespace ordo::cli {
namespace {

int RunWatch(const std::string& apply, Globals& g) {
  Session s(g, false, LogLevel::kWarn);
  FollowOptions follow;
  follow.tty = isatty(STDOUT_FILENO) != 0;
  auto result = FollowApply(s, apply, follow);
  if (!result.ok()) return s.Fail(result.status());
  if (result->interrupted) {
    SayStillRunning(apply);
    return kExitInterrupted;
  }
  return ExitCodeFor(result->state);
}

Runner Setup(CLI::App& app, Globals& g) {
  auto apply = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("watch", "live progress until the apply settles");
  cmd->add_option("apply", *apply, "apply id (ap_…)")->required();
  return [apply, &g] { return RunWatch(*apply, g); };
}

ORDO_COMMAND(watch, 30, Setup);

}  // namespace
}  // namespace ordo::cli

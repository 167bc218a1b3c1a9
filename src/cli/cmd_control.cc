// ordo stop|start|cutover|revert|skip-revert|cancel|release APPLY [--json] [--detach]
//
// Records a control request and prints whether it was accepted, already requested,
// or refused and why (exit 0, 0, 1). With an embedded (SQLite) store, an accepted
// `start`, `cutover`, `cancel`, `revert` or `skip-revert` then drives the apply in this
// process like `ordo apply` does (unless --detach), since no worker may be running to
// act on it: until the apply settles (a cancel: until every deployment is cleaned up),
// or stops. Then `start` and `cutover` exit like `apply` (0 only when it completed);
// `cancel`, `revert` and `skip-revert` exit 0 once their request was carried out.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "api/documents.h"
#include "app/control.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/follow.h"
#include "cli/session.h"

namespace ordo::cli {
namespace {

struct ControlFlags {
  std::string apply;
  bool json = false;
  bool detach = false;
};

const char* const kVerbs[][2] = {
    {"stop", "stop: no new starts or cutovers; copies stop at their next safe point"},
    {"start", "resume a stopped apply (never reorders)"},
    {"cutover", "let a --defer-cutover apply cut over, in order"},
    {"revert", "swap back during the revert window"},
    {"skip-revert", "end the revert window now"},
    {"cancel", "stop for good and remove shadow tables"},
    {"release", "let a paused rollout (on_failure: pause) go on"},
};

int RunControl(const std::string& verb, const ControlFlags& f, Globals& g) {
  // As `apply`: a command that may draw the live view logs warnings only on a terminal.
  bool tty = isatty(STDOUT_FILENO) != 0 && !f.json;
  Session s(g, f.json, tty ? LogLevel::kWarn : LogLevel::kInfo);
  RequestKind kind = *app::ParseControlVerb(verb);
  auto store = s.Store();
  if (!store.ok()) return s.Fail(store.status());
  auto apply = (*store)->FindApply(f.apply);
  if (!apply.ok()) return s.Fail(apply.status());
  bool drives = kind == RequestKind::kStart || kind == RequestKind::kCutover ||
                kind == RequestKind::kCancel || kind == RequestKind::kRevert ||
                kind == RequestKind::kSkipRevert;
  std::string url = g.store_url;
  if (url.empty()) url = (*s.LoadConfig())->store;  // loaded: the store was opened from it
  drives = drives && !f.detach && !f.json && IsEmbeddedStore(url);
  // Driving needs the config (the deployments' DSNs): without one, refuse before the
  // request is recorded rather than record it and then fail.
  if (drives) {
    if (auto cfg = s.LoadConfig(); !cfg.ok())
      return s.Fail(Status(cfg.status().code(),
                           verb + " drives the apply in this process and needs its config: " +
                               cfg.status().message() +
                               "; or pass --detach to only record the request"));
  }
  auto answer = app::RecordControl(**store, *apply, kind, "cli (" + OwnerPrefix() + ")");
  if (!answer.ok()) return s.Fail(answer.status());
  if (f.json) {
    std::cout << ControlAnswerDocument(*apply, kind, *answer).dump() << std::endl;
  } else {
    std::cout << verb << " " << apply->external_id << ": " << app::DescribeAnswer(*answer)
              << std::endl;
  }
  if (answer->outcome == RequestOutcome::kRefused) return kExitNotCompleted;
  if (!drives) return kExitOk;
  FollowOptions follow;
  follow.drive = true;
  follow.tty = tty;
  follow.request = kind;
  auto followed = FollowApply(s, apply->external_id, follow);
  if (!followed.ok()) return s.Fail(followed.status());
  if (kind == RequestKind::kStart || kind == RequestKind::kCutover)
    return ExitCodeFor(followed->state);
  // cancel, revert, skip-revert: done when the request was carried out (a revert can
  // still be refused by the engine, e.g. for an instant change).
  auto requests = (*store)->ListRequests(apply->id);
  if (!requests.ok()) return s.Fail(requests.status());
  for (const auto& r : *requests) {
    if (r.kind != kind) continue;
    if (r.status == RequestStatus::kCompleted) return kExitOk;
    if (r.status == RequestStatus::kFailed)
      std::cout << verb << " " << apply->external_id << ": " << r.error.value_or("failed")
                << std::endl;
  }
  return kExitNotCompleted;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<ControlFlags>();
  std::vector<std::pair<CLI::App*, std::string>> subs;
  for (const auto& v : kVerbs) {
    auto* cmd = app.add_subcommand(v[0], v[1]);
    cmd->add_option("apply", f->apply, "apply id (ap_…)")->required();
    cmd->add_flag("--json", f->json, "print the answer as one JSON document");
    std::string verb = v[0];
    if (verb != "stop" && verb != "release")
      cmd->add_flag("--detach", f->detach, "embedded store: only record the request");
    subs.emplace_back(cmd, v[0]);
  }
  return [f, subs, &g] {
    for (const auto& [cmd, verb] : subs)
      if (cmd->parsed()) return RunControl(verb, *f, g);
    return kExitUsage;
  };
}

ORDO_COMMAND(control, 50, Setup);

}  // namespace
}  // namespace ordo::cli

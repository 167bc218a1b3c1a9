// ordo apply -d DB -e ENV --ddl SQL… [--defer-cutover] [--allow-unsafe] [--detach] [--yes] [--json]
//
// Creates the apply (one operation per deployment of the environment, in order).
// With an embedded (SQLite) store it then drives the apply to the end in this
// process with the live view; with a fleet store it watches the workers do it;
// --detach only creates it. Exit: 0 completed (or created, with --detach), 1 ended
// failed/stopped/cancelled/reverted or refused (deployment busy), 2 usage/config/DDL,
// 3 store or target unreachable.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "api/documents.h"
#include "app/apply_creation.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/follow.h"
#include "cli/session.h"

namespace ordo::cli {
namespace {

struct ApplyFlags {
  std::string database;
  std::string environment;
  std::string plan;
  std::vector<std::string> ddl;
  bool defer_cutover = false;
  bool allow_unsafe = false;
  bool detach = false;
  bool yes = false;
  bool json = false;
};

bool Confirm(const std::string& db, const EnvironmentConfig& env,
             const std::vector<NewOperation>& ops) {
  std::cout << "Apply to " << db << "/" << env.name << " (" << env.cutover_policy << ", on_failure "
            << env.on_failure << "):\n";
  for (const auto& op : ops) {
    std::cout << "  " << op.deployment << "\n";
    for (const auto& c : op.changes) std::cout << "    " << c.schema_name << ": " << c.ddl << "\n";
  }
  std::cout << "Proceed? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

int RunApply(const ApplyFlags& f, Globals& g) {
  bool tty = isatty(STDOUT_FILENO) != 0 && !f.json;
  Session s(g, f.json, tty ? LogLevel::kWarn : LogLevel::kInfo);
  if (!f.plan.empty())
    return s.Fail(InvalidArgument(
        "--plan: declarative plans are not available yet; pass the changes with --ddl"));
  auto cfg = s.LoadConfig();
  if (!cfg.ok()) return s.Fail(cfg.status());
  app::ApplyRequest request{f.database, f.environment, f.ddl, f.defer_cutover, f.allow_unsafe};
  auto prepared = app::PrepareApply(**cfg, request, "cli (" + OwnerPrefix() + ")");
  if (!prepared.ok()) return s.Fail(prepared.status());
  // PrepareApply found the environment.
  const EnvironmentConfig* env = (*cfg)->FindEnvironment(f.database, f.environment);
  if (!f.yes && isatty(STDIN_FILENO) == 0)
    return s.Fail(
        InvalidArgument("no terminal to confirm on: pass --yes to apply without confirmation"));
  bool embedded = IsEmbeddedStore(g.store_url.empty() ? (*cfg)->store : g.store_url);
  if (Status tried =
          app::TryOnDeployments(*env, prepared->operations, embedded && !f.detach, s.logger());
      !tried.ok())
    return s.Fail(tried);
  if (!f.yes) {
    if (!Confirm(f.database, *env, prepared->operations)) {
      std::cerr << "ordo: not applied" << std::endl;
      return kExitUsage;
    }
  }
  auto store = s.Store(Session::Use::kCreate);
  if (!store.ok()) return s.Fail(store.status());

  const NewApply& a = *prepared;
  auto created = (*store)->CreateApply(a);
  if (!created.ok()) return s.Fail(created.status());
  s.logger().Log(LogLevel::kInfo, {created->external_id, "", ""},
                 "created for " + std::to_string(a.operations.size()) + " deployment(s) of " +
                     f.database + "/" + f.environment);
  if (!f.json) std::cout << "apply " << created->external_id << " created\n" << std::flush;

  ApplyState final_state = created->state;
  if (!f.detach) {
    FollowOptions follow;
    follow.drive = embedded;
    follow.view = !f.json;
    follow.tty = tty;
    auto followed = FollowApply(s, created->external_id, follow);
    if (!followed.ok()) return s.Fail(followed.status());
    final_state = followed->state;
    if (!f.json && followed->interrupted && final_state == ApplyState::kStopped)
      std::cout << "stopped; resume with: ordo start " << created->external_id << "\n";
    if (followed->interrupted && !embedded) {
      SayStillRunning(created->external_id);
      return kExitInterrupted;
    }
  }
  if (f.json) {
    auto view = app::LoadApplyView(**store, created->external_id);
    if (!view.ok()) return s.Fail(view.status());
    std::cout << ApplyDocument(*view).dump() << std::endl;
  }
  if (f.detach) return kExitOk;
  return ExitCodeFor(final_state);
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<ApplyFlags>();
  auto* cmd = app.add_subcommand(
      "apply", "create an apply; embedded: drive it to the end with live progress");
  cmd->add_option("-d,--database", f->database, "database (as in ordo.yaml)")->required();
  cmd->add_option("-e,--environment", f->environment, "environment of the database")->required();
  cmd->add_option("--ddl", f->ddl, "one ALTER TABLE per table (repeatable)");
  cmd->add_option("--plan", f->plan, "a stored plan id (arrives with declarative plans)");
  cmd->add_flag("--defer-cutover", f->defer_cutover,
                "park every deployment in sync until `ordo cutover`");
  cmd->add_flag("--allow-unsafe", f->allow_unsafe, "allow changes flagged unsafe");
  cmd->add_flag("--detach", f->detach, "only create the apply; workers drive it");
  cmd->add_flag("-y,--yes", f->yes, "do not ask for confirmation");
  cmd->add_flag("--json", f->json, "print the apply's status document at the end");
  return [f, &g] { return RunApply(*f, g); };
}

ORDO_COMMAND(apply, 10, Setup);

}  // namespace
}  // namespace ordo::cli

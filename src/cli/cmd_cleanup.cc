// ordo cleanup -d DB -e ENV [--deployment NAME] [--drop [--owner APPLY]] [-y|--yes] [--json]
//
// Lists ordo's tables on every deployment of the environment (or one) with their
// owner and what this store says of it (in flight, abandoned, another store's). With
// --drop it drops what is abandoned (owned by an apply of this store that settled, or
// by nobody); with --owner, instead, the tables of that one apply, of any store, unless
// it is an apply of this store still in flight (refused: cancel it first). It asks
// first on a terminal; --yes otherwise. Backups (`<t>_ordo_bak_…`) are never touched.
// Exit: 0 done, 1 something named was refused or changed owner meanwhile, 2 usage or
// config, 3 the store or a deployment unreachable.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/session.h"
#include "db/dsn.h"
#include "operator/leftovers.h"

namespace ordo::cli {
namespace {

struct CleanupFlags {
  std::string database;
  std::string environment;
  std::string deployment;
  std::string owner;
  bool drop = false;
  bool yes = false;
  bool json = false;
};

// One deployment's leftovers and what the cleanup does with each.
struct Target {
  const DeploymentConfig* deployment = nullptr;
  Status reached;  // listing (and dropping) on it
  std::vector<worker::Leftover> leftovers;
  std::vector<worker::CleanupDecision> decisions;
  bool dropped = false;
};

std::string Redacted(const std::string& dsn) {
  auto parsed = db::ParseDsn(dsn);
  return parsed.ok() ? parsed->Redacted() : db::RedactUrls(dsn);
}

const char* StatusText(worker::LeftoverStatus status) {
  switch (status) {
    case worker::LeftoverStatus::kInFlight:
      return "in flight";
    case worker::LeftoverStatus::kAbandoned:
      return "abandoned";
    case worker::LeftoverStatus::kOtherStore:
      return "another store's";
  }
  return "";
}

std::string ActionText(const worker::CleanupDecision& d, bool dropped) {
  switch (d.action) {
    case worker::CleanupAction::kDrop:
      return dropped ? "dropped" : "to drop";
    case worker::CleanupAction::kKeep:
      return "kept: " + d.why;
    case worker::CleanupAction::kRefuse:
      return "refused: " + d.why;
  }
  return "";
}

void PrintText(const std::vector<Target>& targets, bool drop) {
  for (const Target& t : targets) {
    std::cout << t.deployment->name << " (" << Redacted(t.deployment->dsn) << ")";
    if (!t.reached.ok()) {
      std::cout << ": " << db::RedactUrls(t.reached.message()) << "\n";
      continue;
    }
    if (t.leftovers.empty()) {
      std::cout << ": no ordo tables\n";
      continue;
    }
    std::cout << "\n";
    for (size_t i = 0; i < t.leftovers.size(); ++i) {
      const worker::Leftover& l = t.leftovers[i];
      std::cout << "  " << l.object.schema + "." + l.object.name << "  " << ToString(l.object.kind)
                << "  "
                << (l.object.owner ? "owner: " + l.object.owner->Describe()
                                   : std::string("no owner"))
                << "\n"
                << "      " << StatusText(l.status) << " (" << l.why << ")";
      if (drop) std::cout << "; " << ActionText(t.decisions[i], t.dropped);
      std::cout << "\n";
    }
  }
}

nlohmann::json Document(const std::vector<Target>& targets, bool drop) {
  nlohmann::json deployments = nlohmann::json::array();
  for (const Target& t : targets) {
    nlohmann::json objects = nlohmann::json::array();
    for (size_t i = 0; i < t.leftovers.size(); ++i) {
      const worker::Leftover& l = t.leftovers[i];
      nlohmann::json owner = nullptr;
      if (l.object.owner)
        owner = {{"apply", l.object.owner->apply_id},
                 {"deployment", l.object.owner->deployment},
                 {"store", l.object.owner->store_name},
                 {"store_id", l.object.owner->store_id},
                 {"this_store", l.this_store}};
      static const char* kActions[] = {"drop", "keep", "refuse"};
      nlohmann::json action = nullptr;
      if (drop)
        action = t.decisions[i].action == worker::CleanupAction::kDrop && t.dropped
                     ? "dropped"
                     : kActions[static_cast<int>(t.decisions[i].action)];
      objects.push_back(
          {{"schema", l.object.schema},
           {"name", l.object.name},
           {"table", l.object.table},
           {"kind", ToString(l.object.kind)},
           {"owner", owner},
           {"status", ToString(l.status)},
           {"reason", l.why},
           {"action", action},
           {"note",
            drop && !t.decisions[i].why.empty() ? nlohmann::json(t.decisions[i].why) : nullptr}});
    }
    deployments.push_back(
        {{"deployment", t.deployment->name},
         {"error", t.reached.ok() ? nlohmann::json(nullptr)
                                  : nlohmann::json(db::RedactUrls(t.reached.message()))},
         {"objects", objects}});
  }
  return {{"deployments", deployments}};
}

// The objects of `t` the cleanup drops.
std::vector<TargetObject> ToDrop(const Target& t) {
  std::vector<TargetObject> out;
  for (size_t i = 0; i < t.leftovers.size(); ++i)
    if (t.decisions[i].action == worker::CleanupAction::kDrop) out.push_back(t.leftovers[i].object);
  return out;
}

int RunCleanup(const CleanupFlags& f, Globals& g) {
  Session s(g, f.json);
  if (!f.owner.empty() && !f.drop)
    return s.Fail(InvalidArgument("--owner names what --drop drops: add --drop"));
  auto cfg = s.LoadConfig();
  if (!cfg.ok()) return s.Fail(cfg.status());
  const EnvironmentConfig* env = (*cfg)->FindEnvironment(f.database, f.environment);
  if (env == nullptr)
    return s.Fail(InvalidArgument((*cfg)->path + ": databases." + f.database + ".environments." +
                                  f.environment + ": not configured"));
  std::vector<Target> targets;
  for (const auto& d : env->deployments)
    if (f.deployment.empty() || d.name == f.deployment)
      targets.push_back(Target{&d, Status::Ok(), {}, {}, false});
  if (targets.empty())
    return s.Fail(
        InvalidArgument("--deployment: " + f.environment + " has no deployment " + f.deployment));
  // Without a store (none was ever created here) nothing found is this store's; a
  // listing creates none.
  auto identity = s.Identity();
  if (!identity.ok() && !identity.status().Is(StatusCode::kNotFound))
    return s.Fail(identity.status());
  ordo::Store* store = identity.ok() ? *s.Store() : nullptr;  // opened by Identity()
  const std::string store_id = identity.ok() ? identity->id : "";
  std::optional<std::string> owner;
  if (!f.owner.empty()) owner = f.owner;

  bool unreachable = false;
  size_t to_drop = 0;
  for (Target& t : targets) {
    auto objects = ListTargetObjects(t.deployment->dsn);
    if (!objects.ok()) {
      t.reached = objects.status().WithContext("deployment " + t.deployment->name);
      unreachable = true;
      continue;
    }
    auto judged = worker::JudgeLeftovers(store, store_id, std::move(objects).value());
    if (!judged.ok()) return s.Fail(judged.status());
    t.leftovers = std::move(judged).value();
    for (const worker::Leftover& l : t.leftovers) {
      t.decisions.push_back(worker::DecideCleanup(l, owner));
      to_drop += t.decisions.back().action == worker::CleanupAction::kDrop;
    }
  }
  if (f.drop && to_drop > 0) {
    if (!f.json) PrintText(targets, /*drop=*/false);
    if (!f.yes) {
      if (isatty(STDIN_FILENO) == 0)
        return s.Fail(
            InvalidArgument("no terminal to confirm on: pass --yes to drop without confirmation"));
      std::cout << "Drop " << to_drop << " table(s)? [y/N] " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") {
        std::cerr << "ordo: nothing dropped" << std::endl;
        return kExitUsage;
      }
    }
    for (Target& t : targets) {
      if (!t.reached.ok()) continue;
      std::vector<TargetObject> objects = ToDrop(t);
      if (objects.empty()) continue;
      t.reached = DropTargetObjects(t.deployment->dsn, objects)
                      .WithContext("deployment " + t.deployment->name);
      t.dropped = t.reached.ok();
      unreachable = unreachable || t.reached.Is(StatusCode::kUnavailable);
    }
  }
  if (f.json) {
    std::cout << Document(targets, f.drop).dump() << std::endl;
  } else {
    if (f.drop && to_drop > 0) std::cout << "\n";
    PrintText(targets, f.drop);
    if (f.drop && to_drop == 0) std::cout << "nothing to drop\n";
  }
  bool refused = false;
  for (const Target& t : targets) {
    refused = refused || (!t.reached.ok() && !t.reached.Is(StatusCode::kUnavailable));
    for (const worker::CleanupDecision& d : t.decisions)
      refused = refused || (f.drop && d.action == worker::CleanupAction::kRefuse);
  }
  if (unreachable) return kExitUnreachable;
  return refused ? kExitNotCompleted : kExitOk;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<CleanupFlags>();
  auto* cmd = app.add_subcommand(
      "cleanup", "list ordo's tables on the deployments; --drop the abandoned ones");
  cmd->add_option("-d,--database", f->database, "database (as in ordo.yaml)")->required();
  cmd->add_option("-e,--environment", f->environment, "environment of the database")->required();
  cmd->add_option("--deployment", f->deployment, "only this deployment of the environment");
  cmd->add_flag("--drop", f->drop,
                "drop what is abandoned (this store's settled applies', and ownerless ones)");
  cmd->add_option("--owner", f->owner,
                  "with --drop: drop the tables of this apply (ap_…), of any store, instead");
  cmd->add_flag("-y,--yes", f->yes, "do not ask for confirmation");
  cmd->add_flag("--json", f->json, "print one JSON document");
  return [f, &g] { return RunCleanup(*f, g); };
}

ORDO_COMMAND(cleanup, 58, Setup);

}  // namespace
}  // namespace ordo::cli

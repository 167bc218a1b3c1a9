// ordo lint -d DB -e ENV [--json]
//
// Lints the live schema of every deployment of the environment alone (app/lint.h):
// what blocks ordo's online path (a table without a usable key, foreign keys) and the
// advisory rules (duplicate and redundant indexes, FLOAT money, zero dates,
// AUTO_INCREMENT capacity, reserved words). The lint of a change is `ordo plan`'s.
// Exit: 0 nothing blocked, 4 a finding is blocked, 2 usage or config (or a login
// refused), 3 a deployment unreachable (the others are still linted and printed).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/lint.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/session.h"
#include "db/dsn.h"

namespace ordo::cli {
namespace {

struct LintFlags {
  std::string database;
  std::string environment;
  bool json = false;
};

std::string CountsText(const std::array<int, 4>& c) {
  return std::to_string(c[0]) + " blocked, " + std::to_string(c[1]) + " unsafe, " +
         std::to_string(c[2]) + " native, " + std::to_string(c[3]) + " advisory";
}

void PrintText(const std::vector<app::DeploymentLint>& linted) {
  for (const app::DeploymentLint& d : linted) {
    std::cout << d.deployment;
    if (!d.dsn.empty()) std::cout << " (" << d.dsn << ")";
    if (!d.reached.ok()) {
      std::cout << ": " << db::RedactUrls(d.reached.message()) << "\n";
      continue;
    }
    if (d.findings.empty()) {
      std::cout << ": no findings\n";
      continue;
    }
    std::cout << ": " << CountsText(app::CountFindings(d.findings)) << "\n"
              << app::FindingsText(d.findings, "  ");
  }
}

nlohmann::json Document(const LintFlags& f, const std::vector<app::DeploymentLint>& linted) {
  nlohmann::json deployments = nlohmann::json::array();
  std::array<int, 4> total{};
  for (const app::DeploymentLint& d : linted) {
    std::array<int, 4> c = app::CountFindings(d.findings);
    for (size_t i = 0; i < c.size(); ++i) total[i] += c[i];
    deployments.push_back(
        {{"deployment", d.deployment},
         {"error", d.reached.ok() ? nlohmann::json(nullptr)
                                  : nlohmann::json(db::RedactUrls(d.reached.message()))},
         {"findings", app::FindingsJson(d.findings)}});
  }
  return {{"database", f.database},
          {"environment", f.environment},
          {"deployments", deployments},
          {"counts",
           {{"blocked", total[0]},
            {"unsafe", total[1]},
            {"native", total[2]},
            {"advisory", total[3]}}}};
}

int RunLint(const LintFlags& f, Globals& g) {
  Session s(g, f.json);
  auto cfg = s.LoadConfig();
  if (!cfg.ok()) return s.Fail(cfg.status());
  auto linted = app::LintEnvironment(**cfg, f.database, f.environment);
  if (!linted.ok()) return s.Fail(linted.status());
  if (f.json)
    std::cout << Document(f, *linted).dump() << std::endl;
  else
    PrintText(*linted);
  bool unreachable = false, refused_login = false, blocked = false;
  for (const app::DeploymentLint& d : *linted) {
    unreachable = unreachable || d.reached.Is(StatusCode::kUnavailable);
    refused_login = refused_login || (!d.reached.ok() && !d.reached.Is(StatusCode::kUnavailable));
    blocked = blocked || app::CountFindings(d.findings)[0] > 0;
  }
  if (unreachable) return kExitUnreachable;
  if (refused_login) return kExitUsage;
  return blocked ? kExitRefusedByLint : kExitOk;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<LintFlags>();
  auto* cmd = app.add_subcommand(
      "lint", "lint the live schema of every deployment: what blocks online changes, and advice");
  cmd->add_option("-d,--database", f->database, "database (as in ordo.yaml)")->required();
  cmd->add_option("-e,--environment", f->environment, "environment of the database")->required();
  cmd->add_flag("--json", f->json, "print one JSON document");
  return [f, &g] { return RunLint(*f, g); };
}

ORDO_COMMAND(lint, 8, Setup);

}  // namespace
}  // namespace ordo::cli

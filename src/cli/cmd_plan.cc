// ordo plan -d DB -e ENV [--allow-unsafe] [--json]
//
// For every deployment of the environment, the DDL that brings its live schema to the
// CREATE TABLE files of the database's schema_dir (app/plan.h), each plan verified on a
// scratch copy and linted (its findings, worst first, under each deployment); first,
// whether the deployments' live schemas differ from each other.
// Writes nothing on the deployments but scratch schemas (`_ordo_plan_…`), which are
// dropped before it exits, also on Ctrl-C. Exit: 0 (with or without changes), 4 the
// lint refuses the plan (a blocked finding, or an unsafe one without --allow-unsafe),
// 2 for config, schema files or a plan that does not verify, 3 a deployment
// unreachable, 130 interrupted.
#include <array>
#include <iostream>
#include <memory>

#include "app/lint.h"
#include "app/plan.h"
#include "app/plan_document.h"
#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/session.h"
#include "cli/signals.h"

namespace ordo::cli {
namespace {

struct PlanFlags {
  std::string database;
  std::string environment;
  bool json = false;
  bool allow_unsafe = false;
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The statement indented under its deployment, with what it changes as comments.
void PrintStatement(const app::PlannedStatement& s) {
  for (const std::string& d : s.details) std::cout << "  -- " << s.table << ": " << d << "\n";
  std::string text = s.statement;
  std::string indented = "  ";
  for (char c : text) {
    indented += c;
    if (c == '\n') indented += "  ";
  }
  std::cout << indented << ";\n";
}

void PrintDrift(const app::PlanResult& plan) {
  if (!plan.drifted()) {
    std::cout << "Drift: none (" << plan.deployments.size()
              << " deployment(s) with the same live schema)\n\n";
    return;
  }
  std::cout << "Drift: the deployments' live schemas differ (" << plan.drift.size() << " groups)\n";
  for (size_t i = 0; i < plan.drift.size(); ++i) {
    const app::PlanDriftGroup& g = plan.drift[i];
    std::cout << "  group " << i + 1 << ": " << Join(g.deployments);
    if (i == 0) {
      std::cout << "\n";
      continue;
    }
    std::cout << " — what differs from group 1:\n";
    for (const app::PlannedStatement& s : g.differences)
      for (const std::string& d : s.details) std::cout << "    " << s.table << ": " << d << "\n";
  }
  std::cout << "\n";
}

void PrintPlan(const app::PlanResult& plan) {
  std::cout << "Plan for " << plan.database << "/" << plan.environment << " from "
            << plan.schema_dir << " (files " << plan.desired_hash.substr(0, 12) << ")\n\n";
  PrintDrift(plan);
  for (const app::DeploymentPlan& d : plan.deployments) {
    if (&d != &plan.deployments.front()) std::cout << "\n";
    std::cout << d.deployment << " (" << d.schema << ", live " << d.live_fingerprint.substr(0, 12)
              << "): ";
    if (d.statements.empty()) {
      std::cout << "no changes\n";
      continue;
    }
    std::cout << d.statements.size() << " statement(s), verified on a scratch copy\n";
    for (const app::PlannedStatement& s : d.statements) PrintStatement(s);
    if (!d.findings.empty()) std::cout << "  findings:\n" << app::FindingsText(d.findings, "    ");
  }
  if (!plan.HasChanges()) std::cout << "\nNo changes: every deployment matches the files.\n";
}

int RunPlan(const PlanFlags& f, Globals& g) {
  Session s(g, f.json, LogLevel::kWarn);
  auto cfg = s.LoadConfig();
  if (!cfg.ok()) return s.Fail(cfg.status());
  // Ctrl-C stops the plan between statements; the scratch schemas are dropped on the way out.
  SignalWatcher signals;
  auto plan = app::ComputePlan(**cfg, {f.database, f.environment},
                               [&signals] { return signals.count() > 0; });
  if (!plan.ok()) {
    if (plan.status().Is(StatusCode::kCancelled)) {
      std::cerr << "ordo: plan interrupted; its scratch schemas were dropped" << std::endl;
      return kExitInterrupted;
    }
    return s.Fail(plan.status());
  }
  if (f.json)
    std::cout << app::PlanDocument(*plan).dump(2) << std::endl;
  else
    PrintPlan(*plan);
  // The lint refuses the plan: a blocked finding, or an unsafe one without --allow-unsafe.
  std::array<int, 4> counts{};
  for (const app::DeploymentPlan& d : plan->deployments) {
    std::array<int, 4> c = app::CountFindings(d.findings);
    counts[0] += c[0];
    counts[1] += c[1];
  }
  if (counts[0] > 0 || (counts[1] > 0 && !f.allow_unsafe)) {
    std::cerr << "ordo: the plan is refused: " << counts[0] << " blocked and " << counts[1]
              << " unsafe finding(s)"
              << (counts[0] > 0 ? "; blocked ones cannot be allowed"
                                : "; pass --allow-unsafe to accept the unsafe ones")
              << std::endl;
    return kExitRefusedByLint;
  }
  return kExitOk;
}

Runner Setup(CLI::App& app, Globals& g) {
  auto f = std::make_shared<PlanFlags>();
  auto* cmd = app.add_subcommand(
      "plan", "show the DDL that brings every deployment to the schema_dir files");
  cmd->add_option("-d,--database", f->database, "database (as in ordo.yaml)")->required();
  cmd->add_option("-e,--environment", f->environment, "environment of the database")->required();
  cmd->add_flag("--json", f->json, "print the plan as JSON");
  cmd->add_flag("--allow-unsafe", f->allow_unsafe,
                "accept unsafe findings (drops, narrowing, …); blocked ones stay refused");
  return [f, &g] { return RunPlan(*f, g); };
}

ORDO_COMMAND(plan, 5, Setup);

}  // namespace
}  // namespace ordo::cli

// ordo: the command-line edge. Builds the CLI from the registered commands
// (cmd_*.cc), parses, runs the chosen one. Exit codes: see exit_codes.h.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/session.h"

int main(int argc, char** argv) {
  using namespace ordo::cli;
  CLI::App app{"ordo: ordered online schema changes across many MySQL/MariaDB deployments", "ordo"};
  app.require_subcommand(0, 1);  // plain `ordo` prints the usage
  // The global options may also follow the command (`ordo status --store URL`).
  app.fallthrough();
  Globals globals;
  app.add_option("-c,--config", globals.config_path, "config file (default ./ordo.yaml)")
      ->each([&globals](const std::string&) { globals.config_given = true; });
  app.add_option("--store", globals.store_url, "store URL, overriding the config's `store:`");
  app.add_option("--log-format", globals.log_format, "text or json");
  app.add_option("--log-level", globals.log_level, "debug, info, warn or error");

  std::vector<CommandEntry> commands = Commands();
  std::sort(commands.begin(), commands.end(),
            [](const CommandEntry& a, const CommandEntry& b) { return a.order < b.order; });
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (auto& c : commands) {
    auto all = [](CLI::App*) { return true; };
    size_t before = app.get_subcommands(all).size();
    Runner runner = c.setup(app, globals);
    auto subs = app.get_subcommands(all);
    for (size_t i = before; i < subs.size(); ++i) runners.emplace_back(subs[i], runner);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (ordo::Status s = ValidateGlobals(globals); !s.ok()) {
    std::cerr << "ordo: " << s.message() << std::endl;
    return kExitUsage;
  }
  for (auto& [sub, runner] : runners)
    if (sub->parsed()) return runner();
  std::cout << app.help();
  return kExitOk;
}

// ordo help [COMMAND]: the usage of ordo, or of one command (as `ordo COMMAND --help`).
// Plain `ordo` prints the same usage (main.cc).
#include <iostream>

#include "cli/command.h"
#include "cli/exit_codes.h"

namespace {

ordo::cli::Runner Setup(CLI::App& app, ordo::cli::Globals&) {
  auto* cmd = app.add_subcommand("help", "print the usage of ordo or of one command");
  auto topic = std::make_shared<std::string>();
  cmd->add_option("command", *topic, "the command");
  return [&app, topic] {
    if (topic->empty()) {
      // app.help() would print the selected subcommand's (this one's) usage.
      std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
      return ordo::cli::kExitOk;
    }
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      if (sub->get_name() == *topic) {
        // As `ordo COMMAND --help` prints it: "Usage: ordo COMMAND …".
        std::cout << sub->get_formatter()->make_help(sub, app.get_name() + " " + sub->get_name(),
                                                     CLI::AppFormatMode::Normal);
        return ordo::cli::kExitOk;
      }
    std::cerr << "ordo: help: no command \"" << *topic << "\" (ordo help lists them)" << std::endl;
    return ordo::cli::kExitUsage;
  };
}

ORDO_COMMAND(help, 110, Setup);

}  // namespace

// ordo version
#include <iostream>

#include "cli/command.h"

namespace {

ordo::cli::Runner Setup(CLI::App& app, ordo::cli::Globals&) {
  app.add_subcommand("version", "print the version");
  return [] {
    std::cout << "ordo " << ORDO_VERSION << "\n";
    return 0;
  };
}

ORDO_COMMAND(version, 100, Setup);

}  // namespace

// ordo version (and `ordo --version`): the version, the commit and the day of the build.
#include <iostream>

#include "cli/build_info.h"
#include "cli/command.h"

namespace {

std::string VersionLine() {
  return std::string("ordo ") + ORDO_VERSION + " (commit " + ordo::cli::kBuildCommit + ", built " +
         ordo::cli::kBuildDate + ")";
}

ordo::cli::Runner Setup(CLI::App& app, ordo::cli::Globals&) {
  app.add_subcommand("version", "print the version, the commit and the build date");
  app.set_version_flag("--version", VersionLine(), "print the version and exit");
  return [] {
    std::cout << VersionLine() << "\n";
    return 0;
  };
}

ORDO_COMMAND(version, 100, Setup);

}  // namespace

// The command registry of the `ordo` binary: each subcommand lives in its own
// cmd_<name>.cc, which registers itself with ORDO_COMMAND; main.cc only builds the
// CLI11 app from the registry, parses and runs the chosen command. Adding a command
// is adding one file (src/cli/CMakeLists.txt picks up cmd_*.cc).
//
// Thread-safety: registration happens during static initialisation, before main.
//
//   // cmd_hello.cc
//   namespace {
//   ordo::cli::Runner Setup(CLI::App& app, ordo::cli::Globals& g) {
//     auto* cmd = app.add_subcommand("hello", "say hello");
//     return [&g] { std::cout << "hello\n"; return 0; };
//   }
//   ORDO_COMMAND(hello, 90, Setup);
//   }
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace ordo::cli {

// Global options, shared by every command.
struct Globals {
  std::string config_path = "ordo.yaml";
  bool config_given = false;  // -c was passed
  std::string store_url;      // --store: overrides the config's store
  std::string log_format = "text";
  std::string log_level;  // empty: the command's default
};

// Runs the command once CLI11 selected it; returns the process exit code.
using Runner = std::function<int()>;
// Adds the subcommand to `app` and returns its runner (which may read options that
// the setup bound into captured state).
using Setup = std::function<Runner(CLI::App& app, Globals& globals)>;

struct CommandEntry {
  std::string name;
  int order;  // position in --help
  Setup setup;
};

bool RegisterCommand(std::string name, int order, Setup setup);
std::vector<CommandEntry>& Commands();

}  // namespace ordo::cli

#define ORDO_COMMAND(name, order, setup)                       \
  [[maybe_unused]] const bool ordo_command_registered_##name = \
      ::ordo::cli::RegisterCommand(#name, order, setup)

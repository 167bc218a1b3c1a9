#include "cli/command.h"

namespace ordo::cli {

std::vector<CommandEntry>& Commands() {
  static std::vector<CommandEntry> commands;
  return commands;
}

bool RegisterCommand(std::string name, int order, Setup setup) {
  Commands().push_back({std::move(name), order, std::move(setup)});
  return true;
}

}  // namespace ordo::cli

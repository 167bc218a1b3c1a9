// ordo: the command-line edge. Parses flags and calls the library.
#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"ordo: ordered online schema changes across many MySQL/MariaDB deployments"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "print the version");
  version->callback([] { std::cout << "ordo " << ORDO_VERSION << "\n"; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports usage errors with exit code 2 per product.md.
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return 0;
}

#include "backends.h"

namespace ordo::testing {

const std::vector<BackendEntry>& AllBackends() {
  static const std::vector<BackendEntry> kBackends = {
      {"sqlite", &MakeSqliteBackend},
      // Register further backends here, one line each, e.g.
      //   {"mysql", &MakeMysqlBackend},
  };
  return kBackends;
}

}  // namespace ordo::testing

#include "backends.h"

namespace ordo::testing {

const std::vector<BackendEntry>& AllBackends() {
  static const std::vector<BackendEntry> kBackends = {
      {"sqlite", &MakeSqliteBackend},
      {"mysql", &MakeMysqlBackend},
      {"postgres", &MakePostgresBackend},
  };
  return kBackends;
}

}  // namespace ordo::testing

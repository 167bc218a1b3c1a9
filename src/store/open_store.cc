// OpenStore: picks the backend from the URL scheme. Each backend adds one entry to
// kBackends; a backend never includes another.
#include <filesystem>
#include <string>

#include "ordo/store.h"
#include "store/mysql/mysql_store.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace ordo {
namespace {

using Opener = Result<std::unique_ptr<Store>> (*)(std::string_view rest, const StoreOptions&);

// "sqlite:PATH" (also "sqlite://PATH").
Result<std::unique_ptr<Store>> OpenSqlite(std::string_view rest, const StoreOptions& options) {
  if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
  if (!options.create && rest != ":memory:" && !std::filesystem::exists(std::string(rest)))
    return NotFound("store sqlite:" + std::string(rest) + " does not exist (nothing was created)");
  ORDO_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::Open(std::string(rest), options));
  return std::unique_ptr<Store>(std::move(store));
}

// "postgres://…" (also "postgresql://…").
Result<std::unique_ptr<Store>> OpenPostgres(std::string_view rest, const StoreOptions& options) {
  return postgres::OpenPgUrl("postgres:" + std::string(rest), options);
}

struct Backend {
  std::string_view scheme;  // the URL up to and including ':'
  Opener open;              // gets the URL after the scheme
};

constexpr Backend kBackends[] = {
    {"sqlite:", &OpenSqlite},
    {"mysql:", &mysql::OpenMysqlUrl},
    {"postgres:", &OpenPostgres},
    {"postgresql:", &OpenPostgres},
};

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options) {
  for (const Backend& b : kBackends) {
    if (url.substr(0, b.scheme.size()) == b.scheme)
      return b.open(url.substr(b.scheme.size()), options);
  }
  return InvalidArgument("unknown store URL scheme: " + std::string(url.substr(0, url.find(':'))) +
                         " (expected sqlite:PATH, a mysql:// or a postgres:// URL)");
}

}  // namespace ordo

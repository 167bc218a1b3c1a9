// The PostgreSQL fixture of the conformance suite: each OpenFresh is a new schema (the
// store URL's `schema`) in one database of the shared test server
// (tests/support/test_servers.h) made once per test process — a schema is made in
// milliseconds where a database takes half a second. The schemas are dropped when the
// fixture dies, the database when the process ends. Exec runs on a separate
// connection with the store's session settings, so the clock and the tables in a
// scenario's SQL are the store's.
#include <memory>
#include <vector>

#include "backends.h"
#include "db/postgres/connection.h"
#include "store/postgres/pg_store.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

// The test process's database, dropped at exit.
class ProcessDatabase {
 public:
  static Result<std::string> Name(PostgresServer* server) {
    static ProcessDatabase db(server);
    if (!db.made_.ok()) return db.made_;
    return db.name_;
  }
  ~ProcessDatabase() {
    if (made_.ok()) (void)server_->Exec("DROP DATABASE IF EXISTS \"" + name_ + "\" WITH (FORCE)");
  }

 private:
  explicit ProcessDatabase(PostgresServer* server)
      : server_(server), name_(UniqueName("ordo_store")), made_(server->CreateDatabase(name_)) {}
  PostgresServer* server_;
  std::string name_;
  Status made_;
};

class PostgresBackend final : public ServerBackend<db::PgConnection> {
 public:
  ~PostgresBackend() override {
    for (const auto& schema : schemas_)
      (void)Exec("DROP SCHEMA IF EXISTS " + db::QuotePgIdentifier(schema) + " CASCADE");
  }

  std::string name() const override { return "postgres"; }

  Result<std::string> NewStoreUrl() override {
    auto server = PostgresServer::Shared();
    if (!server.ok())
      return Unavailable("no PostgreSQL server: " + server.status().ToString() +
                         " (run scripts/setup to install postgresql)");
    ORDO_ASSIGN_OR_RETURN(std::string db, ProcessDatabase::Name(*server));
    std::string schema = UniqueName("s");
    schemas_.push_back(schema);
    return (*server)->Dsn(db) + "?schema=" + schema;
  }

  Result<std::unique_ptr<Store>> OpenFresh(const StoreOptions& options) override {
    ORDO_ASSIGN_OR_RETURN(url_, NewStoreUrl());
    ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(url_, options));
    ORDO_RETURN_IF_ERROR(store->Migrate());
    ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url_));
    exec_.reset();
    ORDO_ASSIGN_OR_RETURN(exec_, db::PgConnection::Connect(dsn, postgres::PgSessionOptions(dsn)));
    return store;
  }

  std::string MicrosAgoSql(int64_t micros) const override {
    return "((statement_timestamp() AT TIME ZONE 'UTC') - INTERVAL '" + std::to_string(micros) +
           " microseconds')";
  }

 private:
  std::vector<std::string> schemas_;
};

}  // namespace

std::unique_ptr<StoreBackend> MakePostgresBackend() { return std::make_unique<PostgresBackend>(); }

}  // namespace ordo::testing

// The MariaDB fixture of the conformance suite: each OpenFresh is a new database on the
// shared test server (tests/support/test_servers.h), dropped when the fixture dies;
// Exec runs on a separate connection to that database with the store's UTC session
// time zone, so NOW(6) in a scenario's SQL is the store's clock.
#include <memory>
#include <vector>

#include "backends.h"
#include "db/mysql/connection.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

class MysqlBackend final : public ServerBackend<db::MysqlConnection> {
 public:
  ~MysqlBackend() override {
    exec_.reset();
    if (admin_)
      for (const auto& db : databases_)
        (void)admin_->Execute("DROP DATABASE IF EXISTS " + db::QuoteIdentifier(db));
  }

  std::string name() const override { return "mysql"; }

  Result<std::string> NewStoreUrl() override {
    auto server = MariaDbServer::Shared();
    if (!server.ok())
      return Unavailable("no MariaDB server: " + server.status().ToString() +
                         " (run scripts/setup to install mariadb-server)");
    if (!admin_) {
      ORDO_ASSIGN_OR_RETURN(db::Dsn admin_dsn, db::ParseDsn((*server)->Dsn()));
      ORDO_ASSIGN_OR_RETURN(admin_, db::MysqlConnection::Connect(admin_dsn, {}));
    }
    std::string db = UniqueName("ordo_store");
    ORDO_RETURN_IF_ERROR(admin_->Execute("CREATE DATABASE " + db::QuoteIdentifier(db)));
    databases_.push_back(db);
    return (*server)->Dsn(db);
  }

  Result<std::unique_ptr<Store>> OpenFresh(const StoreOptions& options) override {
    ORDO_ASSIGN_OR_RETURN(url_, NewStoreUrl());
    ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(url_, options));
    ORDO_RETURN_IF_ERROR(store->Migrate());
    ORDO_ASSIGN_OR_RETURN(db::Dsn dsn, db::ParseDsn(url_));
    db::MysqlConnectOptions exec_options;
    exec_options.init_statements = {"SET SESSION time_zone = '+00:00'"};
    ORDO_ASSIGN_OR_RETURN(exec_, db::MysqlConnection::Connect(dsn, exec_options));
    return store;
  }

  std::string MicrosAgoSql(int64_t micros) const override {
    return "(NOW(6) - INTERVAL " + std::to_string(micros) + " MICROSECOND)";
  }

 private:
  std::unique_ptr<db::MysqlConnection> admin_;
  std::vector<std::string> databases_;
};

}  // namespace

std::unique_ptr<StoreBackend> MakeMysqlBackend() { return std::make_unique<MysqlBackend>(); }

}  // namespace ordo::testing

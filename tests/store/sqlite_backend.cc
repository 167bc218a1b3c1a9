// The SQLite fixture of the conformance suite: each OpenFresh is a new file in its own
// temp directory; Exec runs on a separate connection to that file.
#include <memory>
#include <vector>

#include "backends.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_dialect.h"
#include "test_servers.h"

namespace ordo::testing {
namespace {

class SqliteBackend final : public StoreBackend {
 public:
  std::string name() const override { return "sqlite"; }

  Result<std::string> NewStoreUrl() override {
    dirs_.push_back(std::make_unique<TempDir>());
    return "sqlite:" + dirs_.back()->path() + "/ordo.db";
  }

  Result<std::unique_ptr<Store>> OpenFresh(const StoreOptions& options) override {
    ORDO_ASSIGN_OR_RETURN(std::string url, NewStoreUrl());
    path_ = url.substr(std::string_view("sqlite:").size());
    ORDO_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore("sqlite:" + path_, options));
    ORDO_RETURN_IF_ERROR(store->Migrate());
    ORDO_ASSIGN_OR_RETURN(exec_, sqlite::SqliteDb::Open(path_, 10'000));
    return store;
  }

  Result<std::unique_ptr<Store>> OpenAgain(const StoreOptions& options) override {
    if (path_.empty()) return FailedPrecondition("OpenAgain before OpenFresh");
    return OpenStore("sqlite:" + path_, options);
  }

  Status Exec(const std::string& sql) override {
    if (!exec_) return FailedPrecondition("Exec before OpenFresh");
    return exec_->ExecScript(sql).WithContext(sql);
  }

  std::string MicrosAgoSql(int64_t micros) const override {
    return "(" + std::to_string(sqlite::NowMicros() - micros) + ")";
  }

 private:
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::string path_;
  std::unique_ptr<sqlite::SqliteDb> exec_;
};

}  // namespace

std::unique_ptr<StoreBackend> MakeSqliteBackend() { return std::make_unique<SqliteBackend>(); }

}  // namespace ordo::testing

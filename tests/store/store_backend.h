// StoreBackend: what the conformance suite needs from each store backend's test
// fixture. Each backend (sqlite, mysql, postgres) implements it in
// tests/store/<backend>_backend.cc and registers it with the suite.
//
// Fixtures set up scenario states with raw SQL against the shared schema
// (docs/store-schema.md); MicrosAgoSql() spells "the database clock minus N µs" in the
// backend's dialect, so a test can make a heartbeat stale without sleeping.
//
// Thread-safety: Exec may be called from the test thread only.
#pragma once

#include <memory>
#include <string>

#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::testing {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual std::string name() const = 0;
  // A new, empty, migrated store (its own database/file); each call is independent.
  // Unavailable when the backend's server is missing (the suite then skips or, with
  // ORDO_REQUIRE_SERVERS=1, fails).
  virtual Result<std::unique_ptr<Store>> OpenFresh(const StoreOptions& options) = 0;
  // The URL of a new, empty store that nothing has migrated yet (what OpenFresh opens
  // and migrates); cleaned up with the fixture.
  virtual Result<std::string> NewStoreUrl() = 0;
  // Opens another handle on the store last returned by OpenFresh (another "process").
  virtual Result<std::unique_ptr<Store>> OpenAgain(const StoreOptions& options) = 0;
  // Runs one SQL statement against the store last returned by OpenFresh.
  virtual Status Exec(const std::string& sql) = 0;
  // A SQL expression: the database clock minus `micros` microseconds, in the type
  // the backend stores timestamps as.
  virtual std::string MicrosAgoSql(int64_t micros) const = 0;
};

// What the fixtures of server backends share: the URL of the store the last OpenFresh
// made, and `exec_`, a connection to it for Exec (Conn::Execute(sql) → Status).
template <typename Conn>
class ServerBackend : public StoreBackend {
 public:
  Result<std::unique_ptr<Store>> OpenAgain(const StoreOptions& options) override {
    if (url_.empty()) return FailedPrecondition("OpenAgain before OpenFresh");
    return OpenStore(url_, options);
  }

  Status Exec(const std::string& sql) override {
    if (!exec_) return FailedPrecondition("Exec before OpenFresh");
    return exec_->Execute(sql).WithContext(sql);
  }

 protected:
  std::string url_;
  std::unique_ptr<Conn> exec_;
};

}  // namespace ordo::testing

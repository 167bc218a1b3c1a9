// MysqlEngineFactory: builds the MariaDB/MySQL engine for a claimed operation from
// ordo.yaml — the deployment's DSN (looked up by database, environment and deployment
// name) and the `engine:` settings — plus the operation's changes, resume state and
// lease token, and who the operation is on the target (the store's identity and
// display name, the apply, the operation: EngineSpec::owner).
//
// Thread-safety: immutable after construction; safe from several drivers.
//
//   MysqlEngineFactory factory(config, {*store->StoreId(), "sqlite:/srv/ordo.db"});
//   auto engine = factory.NewEngine(job, &host);
#pragma once

#include "config/config.h"
#include "operator/engine_factory.h"

namespace ordo::worker {

// The store the factory's operations live in, as targets record it.
struct StoreIdentity {
  std::string id;    // Store::StoreId()
  std::string name;  // for messages: the store's URL with its password redacted
};

class MysqlEngineFactory final : public EngineFactory {
 public:
  MysqlEngineFactory(Config config, StoreIdentity store)
      : config_(std::move(config)), store_(std::move(store)) {}

  // NotFound naming the database/environment/deployment missing from the config.
  Result<std::unique_ptr<OperationEngine>> NewEngine(const OperationJob& job,
                                                     EngineHost* host) override;
  Micros RevertWindow(const ApplyRecord& apply) override;

  // The EngineSpec the factory would build for `job` (without the engine).
  Result<EngineSpec> SpecFor(const OperationJob& job) const;

 private:
  Config config_;
  StoreIdentity store_;
};

}  // namespace ordo::worker

// MysqlEngineFactory: builds the MariaDB/MySQL engine for a claimed operation from
// ordo.yaml — the deployment's DSN (looked up by database, environment and deployment
// name) and the `engine:` settings — plus the operation's changes, resume state and
// lease token.
//
// Thread-safety: immutable after construction; safe from several drivers.
//
//   MysqlEngineFactory factory(config);
//   auto engine = factory.NewEngine(job, &host);
#pragma once

#include "config/config.h"
#include "operator/engine_factory.h"

namespace ordo {

class MysqlEngineFactory final : public EngineFactory {
 public:
  explicit MysqlEngineFactory(Config config) : config_(std::move(config)) {}

  // NotFound naming the database/environment/deployment missing from the config.
  Result<std::unique_ptr<OperationEngine>> NewEngine(const OperationJob& job,
                                                     EngineHost* host) override;
  Micros RevertWindow(const ApplyRecord& apply) override;
  bool CanRevert() const override { return true; }

  // The EngineSpec the factory would build for `job` (without the engine).
  Result<EngineSpec> SpecFor(const OperationJob& job) const;

 private:
  Config config_;
};

}  // namespace ordo

// EngineFactory: how a driver gets an OperationEngine for a claimed operation, and
// what it needs to know about the operation's environment (revert window).
//
// The real factory (MysqlEngineFactory) resolves the deployment's DSN from ordo.yaml
// and calls NewMysqlEngine; the scheduler simulator supplies an engine double.
//
// Thread-safety: implementations are called from several driver tasks at once.
#pragma once

#include <memory>
#include <vector>

#include "ordo/engine.h"
#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::worker {

// Everything the factory may use to build an engine for one claimed operation.
struct OperationJob {
  ApplyRecord apply;
  OperationRecord operation;  // as claimed: resume_state is the last saved checkpoint
  std::vector<ChangeRecord> changes;
  Lease lease;
};

class EngineFactory {
 public:
  virtual ~EngineFactory() = default;
  // A fresh engine for `job`, reporting to `host`. InvalidArgument / NotFound when the
  // deployment cannot be resolved (e.g. not in this worker's config).
  virtual Result<std::unique_ptr<OperationEngine>> NewEngine(const OperationJob& job,
                                                             EngineHost* host) = 0;
  // The revert window of the apply's environment (0: none).
  virtual Micros RevertWindow(const ApplyRecord& apply) = 0;
};

}  // namespace ordo::worker

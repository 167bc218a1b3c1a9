// NewMysqlEngine for builds without the binlog reader library (ordo_binlog): the
// engine cannot capture changes, so it refuses to start rather than copy blindly.
#include "engine/mysql/mysql_engine.h"

namespace ordo {

Result<std::unique_ptr<OperationEngine>> NewMysqlEngine(const EngineSpec&, EngineHost*) {
  return FailedPrecondition("this build of ordo has no binlog reader; the engine cannot run");
}

}  // namespace ordo

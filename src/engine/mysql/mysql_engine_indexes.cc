// MysqlEngine: waiting for the shadows' deferred index build (index_builder.h) while
// the engine keeps ticking: the change stream keeps the shadows in sync, a stop kills
// the build, and the checkpoint lists what is still missing.
#include <chrono>
#include <thread>

#include "engine/mysql/mysql_engine.h"

namespace ordo::engine {
namespace {

constexpr std::chrono::milliseconds kTick(50);

}  // namespace

void MysqlEngine::StartIndexBuild() {
  std::vector<IndexBuilder::Shadow> shadows;
  for (const auto& plan : plans_) shadows.push_back({plan->schema(), plan->shadow_name});
  indexes_.Start(
      pool_.get(), std::move(shadows),
      [this](db::MysqlConnection& conn) { return fence_->CheckNow(conn); }, &dead_);
}

Status MysqlEngine::TickWhileBuilding() {
  Status s = loop_ ? loop_->error() : Status::Ok();
  if (s.ok()) s = Tick(false);
  if (s.ok() && !StopRequested()) return Status::Ok();
  indexes_.Kill();
  return s.ok() ? Stopped() : s;
}

Status MysqlEngine::FinishIndexBuild(bool wait) {
  if (!indexes_.Started()) return Status::Ok();
  if (wait) phase_ = "indexing";
  while (wait && indexes_.Running()) {
    ORDO_RETURN_IF_ERROR(TickWhileBuilding());
    std::this_thread::sleep_for(kTick);
  }
  if (!indexes_.Finished()) return Status::Ok();
  Status result = indexes_.Join();
  if (result.code() == StatusCode::kCancelled) return Stopped();
  ORDO_RETURN_IF_ERROR(result);
  return Tick(true);  // the checkpoint no longer lists the built indexes
}

Status MysqlEngine::AwaitIndexBuildOnline() {
  if (!indexes_.Started()) return Status::Ok();
  phase_ = "indexing";
  while (indexes_.Running()) {
    if (indexes_.OnLastShadow()) {
      ORDO_ASSIGN_OR_RETURN(std::string state, indexes_.StatementState());
      if (state == "altering table") return Status::Ok();
    }
    ORDO_RETURN_IF_ERROR(TickWhileBuilding());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return FinishIndexBuild(false);
}

}  // namespace ordo::engine

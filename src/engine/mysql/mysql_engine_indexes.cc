// MysqlEngine: adding the shadows' deferred secondary indexes back after the copy
// (deferred_indexes.h), on a thread of its own while the change stream keeps the
// shadows in sync and the verification reads them.
#include <chrono>
#include <thread>

#include "engine/mysql/deferred_indexes.h"
#include "engine/mysql/mysql_engine.h"
#include "ordo/sync_point.h"

namespace ordo {
namespace {

constexpr std::chrono::milliseconds kTick(50);
// A build that meets a concurrent one (a predecessor's ALTER still running after its
// crash: "Duplicate key name") or a transient error is re-planned this many times.
constexpr int kBuildAttempts = 4;
// The build's statement may wait this long for its metadata locks (the final one waits
// for the verification's snapshot to end, which may take a while on a big table).
constexpr int kBuildLockWaitS = 86400;

}  // namespace

void MysqlEngine::StartIndexBuild() {
  if (build_) return;
  auto build = std::make_unique<IndexBuild>();
  for (size_t i = 0; i < plans_.size() && i < deferred_indexes_.size(); ++i)
    if (!deferred_indexes_[i].empty()) build->last_table = static_cast<int>(i);
  if (build->last_table < 0) return;
  IndexBuild* b = build.get();
  std::vector<std::vector<std::string>> lists = deferred_indexes_;
  build->thread = std::thread([this, b, lists = std::move(lists)] {
    b->result = BuildIndexes(b, lists);
    b->finished = true;
  });
  build_ = std::move(build);
}

Status MysqlEngine::BuildIndexes(IndexBuild* build, std::vector<std::vector<std::string>> lists) {
  for (size_t i = 0; i < plans_.size() && i < lists.size(); ++i) {
    if (lists[i].empty()) continue;
    const TablePlan& plan = *plans_[i];
    const std::string shadow = QuoteTable(plan.schema(), plan.shadow_name);
    build->table = static_cast<int>(i);
    Status last;
    for (int attempt = 0;; ++attempt) {
      if (build->cancel) return Cancelled("the index build was stopped");
      ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
      ORDO_ASSIGN_OR_RETURN(std::string alter,
                            AddMissingStatement(*conn, plan.schema(), plan.shadow_name, lists[i]));
      if (alter.empty()) break;
      if (attempt == kBuildAttempts)
        return last.WithContext("adding the secondary indexes of " + shadow +
                                " back after the copy");
      // DDL cannot share the fence check's transaction: checked just before.
      ORDO_RETURN_IF_ERROR(fence_->CheckNow(*conn));
      ORDO_SYNC_POINT("MysqlEngine::BuildDeferredIndexes:BeforeAlter");
      build->session = conn->thread_id();
      if (build->cancel) {  // a kill sent before `session` was set would have missed
        build->session = 0;
        return Cancelled("the index build was stopped");
      }
      last = conn->Execute("SET STATEMENT lock_wait_timeout=" + std::to_string(kBuildLockWaitS) +
                           " FOR " + alter);
      build->session = 0;
      if (last.ok()) continue;  // re-planned: nothing missing any more
      if (build->cancel) return Cancelled("the index build was stopped");
      if (dead_) return last;
      bool duplicate_name = IsMysqlError(last, 1061);
      if (!duplicate_name && !last.retryable())
        return last.WithContext("adding the secondary indexes of " + shadow +
                                " back after the copy");
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    MutexLock lock(&build->mu);
    build->built.push_back(i);
  }
  return Status::Ok();
}

Status MysqlEngine::TickWhileBuilding() {
  Status s = loop_ ? loop_->error() : Status::Ok();
  if (s.ok()) s = Tick(false);
  if (s.ok() && !StopRequested()) return Status::Ok();
  KillIndexBuild();
  return s.ok() ? Stopped() : s;
}

Status MysqlEngine::JoinIndexBuild() {
  build_->thread.join();
  {
    MutexLock lock(&build_->mu);
    for (size_t i : build_->built) deferred_indexes_[i].clear();
  }
  Status result = build_->result;
  build_.reset();
  return result;
}

Result<std::string> MysqlEngine::IndexBuildState() {
  uint64_t session = build_->session;
  if (session == 0) return std::string();
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ORDO_ASSIGN_OR_RETURN(SqlRows rows,
                        conn->Query("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?",
                                    {SqlValue::Int(static_cast<int64_t>(session))}));
  return rows.rows.empty() ? std::string() : rows.rows[0][0].value_or("");
}

Status MysqlEngine::FinishIndexBuild(bool wait) {
  if (!build_) return Status::Ok();
  if (wait) phase_ = "indexing";
  while (wait && !build_->finished) {
    ORDO_RETURN_IF_ERROR(TickWhileBuilding());
    std::this_thread::sleep_for(kTick);
  }
  if (!build_->finished) return Status::Ok();
  Status result = JoinIndexBuild();
  if (result.code() == StatusCode::kCancelled) return Stopped();
  ORDO_RETURN_IF_ERROR(result);
  return Tick(true);  // the checkpoint no longer lists the built indexes
}

void MysqlEngine::KillIndexBuild() {
  if (!build_) return;
  build_->cancel = true;
  while (!build_->finished) {
    uint64_t session = build_->session;
    if (session != 0) {
      auto killer = pool_->Acquire();
      // The statement stops on the server and rolls back; the shadow keeps its data.
      if (killer.ok()) (void)(*killer)->Execute("KILL QUERY " + std::to_string(session));
    }
    std::this_thread::sleep_for(kTick);
  }
  (void)JoinIndexBuild();  // stopped: the checkpoint keeps what is still missing
}

Status MysqlEngine::AwaitIndexBuildOnline() {
  if (!build_) return Status::Ok();
  phase_ = "indexing";
  while (!build_->finished) {
    if (build_->table == build_->last_table) {
      ORDO_ASSIGN_OR_RETURN(std::string state, IndexBuildState());
      if (state == "altering table") return Status::Ok();
    }
    ORDO_RETURN_IF_ERROR(TickWhileBuilding());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return FinishIndexBuild(false);
}

bool MysqlEngine::IndexBuildWaitsForLock() {
  if (!build_ || build_->finished) return false;
  auto state = IndexBuildState();
  return state.ok() && state->find("metadata lock") != std::string::npos;
}

}  // namespace ordo

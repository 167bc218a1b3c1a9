// MysqlEngine: adding the shadows' deferred secondary indexes back after the copy
// (deferred_indexes.h), while the change stream keeps the shadows in sync.
#include <atomic>
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

}  // namespace

Status MysqlEngine::RunTicking(MysqlConnection& conn, const std::string& sql) {
  const uint64_t id = conn.thread_id();
  Status result;
  std::atomic<bool> finished{false};
  std::thread worker([&] {
    result = conn.Execute(sql);
    finished = true;
  });
  Status s;
  bool killed = false;
  while (!finished) {
    std::this_thread::sleep_for(kTick);
    if (s.ok() && loop_) s = loop_->error();
    if (s.ok()) s = Tick(false);
    if (!killed && (!s.ok() || StopRequested())) {
      // The statement stops on the server and rolls back; the shadow keeps its data.
      auto killer = pool_->Acquire();
      if (killer.ok()) (void)(*killer)->Execute("KILL QUERY " + std::to_string(id));
      killed = true;
    }
  }
  worker.join();
  if (!s.ok()) return s;
  if (killed) return Stopped();
  return result;
}

Status MysqlEngine::BuildDeferredIndexes() {
  for (size_t i = 0; i < plans_.size() && i < deferred_indexes_.size(); ++i) {
    if (deferred_indexes_[i].empty()) continue;
    const TablePlan& plan = *plans_[i];
    phase_ = "indexing";
    ORDO_RETURN_IF_ERROR(Tick(true));
    Status last;
    for (int attempt = 0;; ++attempt) {
      ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
      ORDO_ASSIGN_OR_RETURN(std::string alter,
                            AddMissingStatement(*conn, plan.schema(), plan.shadow_name, deferred_indexes_[i]));
      if (alter.empty()) break;
      if (attempt == kBuildAttempts)
        return last.WithContext("adding the secondary indexes of " + QuoteTable(plan.schema(), plan.shadow_name) +
                                " back after the copy");
      // DDL cannot share the fence check's transaction: checked just before.
      ORDO_RETURN_IF_ERROR(fence_->CheckNow(*conn));
      ORDO_SYNC_POINT("MysqlEngine::BuildDeferredIndexes:BeforeAlter");
      last = RunTicking(*conn, alter);
      if (last.ok()) continue;  // re-planned: nothing missing any more
      if (last.code() == StatusCode::kCancelled || dead_) return last;
      bool duplicate_name = last.message().find("mysql error 1061:") != std::string::npos;
      if (!duplicate_name && !last.retryable())
        return last.WithContext("adding the secondary indexes of " + QuoteTable(plan.schema(), plan.shadow_name) +
                                " back after the copy");
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    deferred_indexes_[i].clear();
    ORDO_RETURN_IF_ERROR(Tick(true));
  }
  return Status::Ok();
}

}  // namespace ordo

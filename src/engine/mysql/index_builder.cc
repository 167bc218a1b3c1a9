#include "engine/mysql/index_builder.h"

#include <chrono>
#include <thread>

#include "engine/mysql/deferred_indexes.h"
#include "ordo/sync_point.h"

namespace ordo::engine {
namespace {

constexpr std::chrono::milliseconds kKillPoll(50);
// A build that meets a concurrent one (a predecessor's ALTER still running after its
// crash: "Duplicate key name") or a transient error is re-planned this many times.
constexpr int kBuildAttempts = 4;
// The build's statement may wait this long for its metadata locks (the final one waits
// for the verification's snapshot to end, which may take a while on a big table).
constexpr int kBuildLockWaitS = 86400;

}  // namespace

IndexBuilder::~IndexBuilder() { Kill(); }

void IndexBuilder::SetMissing(size_t plan, std::vector<std::string> list) {
  if (missing_.size() <= plan) missing_.resize(plan + 1);
  missing_[plan] = std::move(list);
}

std::vector<std::string> IndexBuilder::Missing(size_t plan) const {
  return plan < missing_.size() ? missing_[plan] : std::vector<std::string>();
}

bool IndexBuilder::NothingMissing() const {
  for (const auto& list : missing_)
    if (!list.empty()) return false;
  return true;
}

void IndexBuilder::Start(db::MysqlPool* pool, std::vector<Shadow> shadows, FenceCheck fence,
                         const std::atomic<bool>* dead) {
  if (build_) return;
  auto build = std::make_unique<Build>();
  for (size_t i = 0; i < shadows.size() && i < missing_.size(); ++i)
    if (!missing_[i].empty()) build->last_shadow = static_cast<int>(i);
  if (build->last_shadow < 0) return;
  pool_ = pool;
  Build* b = build.get();
  build->thread = std::thread(
      [this, b, shadows = std::move(shadows), lists = missing_, fence = std::move(fence), dead] {
        b->result = Run(b, shadows, lists, fence, dead);
        b->finished = true;
      });
  build_ = std::move(build);
}

Status IndexBuilder::Run(Build* build, const std::vector<Shadow>& shadows,
                         const std::vector<std::vector<std::string>>& lists,
                         const FenceCheck& fence, const std::atomic<bool>* dead) {
  for (size_t i = 0; i < shadows.size() && i < lists.size(); ++i) {
    if (lists[i].empty()) continue;
    const Shadow& shadow = shadows[i];
    const std::string quoted = db::QuoteTable(shadow.schema, shadow.name);
    build->shadow = static_cast<int>(i);
    Status last;
    for (int attempt = 0;; ++attempt) {
      if (build->cancel) return Cancelled("the index build was stopped");
      ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
      ORDO_ASSIGN_OR_RETURN(std::string alter,
                            AddMissingStatement(*conn, shadow.schema, shadow.name, lists[i]));
      if (alter.empty()) break;
      if (attempt == kBuildAttempts)
        return last.WithContext("adding the secondary indexes of " + quoted +
                                " back after the copy");
      // DDL cannot share the fence check's transaction: checked just before.
      ORDO_RETURN_IF_ERROR(fence(*conn));
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
      if (*dead) return last;
      bool duplicate_name = db::IsMysqlError(last, 1061);
      if (!duplicate_name && !last.retryable())
        return last.WithContext("adding the secondary indexes of " + quoted +
                                " back after the copy");
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    MutexLock lock(&build->mu);
    build->built.push_back(i);
  }
  return Status::Ok();
}

Status IndexBuilder::Join() {
  if (!build_) return Status::Ok();
  build_->thread.join();
  {
    MutexLock lock(&build_->mu);
    for (size_t i : build_->built) missing_[i].clear();
  }
  Status result = build_->result;
  build_.reset();
  return result;
}

void IndexBuilder::Kill() {
  if (!build_) return;
  build_->cancel = true;
  while (!build_->finished) {
    uint64_t session = build_->session;
    if (session != 0) {
      auto killer = pool_->Acquire();
      // The statement stops on the server and rolls back; the shadow keeps its data.
      if (killer.ok()) (void)(*killer)->Execute("KILL QUERY " + std::to_string(session));
    }
    std::this_thread::sleep_for(kKillPoll);
  }
  (void)Join();  // stopped: the missing lists keep what the build did not add
}

Result<std::string> IndexBuilder::StatementState() {
  uint64_t session = build_ ? build_->session.load() : 0;
  if (session == 0) return std::string();
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  ORDO_ASSIGN_OR_RETURN(db::SqlRows rows,
                        conn->Query("SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?",
                                    {db::SqlValue::Int(static_cast<int64_t>(session))}));
  return rows.rows.empty() ? std::string() : rows.rows[0][0].value_or("");
}

bool IndexBuilder::WaitsForLock() {
  if (!Running()) return false;
  auto state = StatementState();
  return state.ok() && state->find("metadata lock") != std::string::npos;
}

}  // namespace ordo::engine

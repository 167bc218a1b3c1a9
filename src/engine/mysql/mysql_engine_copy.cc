// MysqlEngine: creating the shadows, the copy, resuming, and staying in sync.
#include <chrono>
#include <thread>

#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/position.h"

namespace ordo {
namespace {

constexpr std::chrono::milliseconds kTick(50);

}  // namespace

Status MysqlEngine::StartFresh(MysqlConnection& conn, BinlogPosition* from) {
  // The stream starts before the shadow exists and before any chunk is read, so no
  // change made during the copy can be missed.
  ORDO_ASSIGN_OR_RETURN(*from, CurrentBinlogPosition(conn));
  for (size_t i = 0; i < plans_.size(); ++i) {
    const TablePlan& p = *plans_[i];
    std::string shadow = QuoteTable(p.schema(), p.shadow_name);
    ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + shadow));
    ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + shadow + " LIKE " + QuoteTable(p.schema(), p.table())));
    ORDO_RETURN_IF_ERROR(conn.Execute("ALTER TABLE " + shadow + " " + alters_[i].spec));
  }
  copy_states_.assign(plans_.size(), TableCopyState{});
  return Status::Ok();
}

Status MysqlEngine::LoadResume(MysqlConnection& conn, BinlogPosition* from, bool* usable) {
  *usable = false;
  ORDO_ASSIGN_OR_RETURN(ResumeState state, DecodeResumeState(*spec_.resume_state));
  if (state.swapped) {
    swapped_ = true;
    *usable = true;
    return Status::Ok();
  }
  if (state.tables.size() != plans_.size())
    return InvalidArgument("the resume state is for other tables");
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (state.tables[i].schema_name != plans_[i]->schema() ||
        state.tables[i].table_name != plans_[i]->table())
      return InvalidArgument("the resume state is for other tables");
    ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, plans_[i]->schema(), plans_[i]->shadow_name));
    if (!exists) return Status::Ok();  // nothing to resume: start over
  }
  if (state.position.empty()) return Status::Ok();
  *from = state.position;
  copy_states_.clear();
  for (const auto& t : state.tables) copy_states_.push_back(t.copy);
  *usable = true;
  return Status::Ok();
}

Status MysqlEngine::CopyTable(size_t index) {
  CopyOptions options;
  options.threads = spec_.copy_threads;
  options.chunk_target_ms = spec_.chunk_target_ms;
  options.should_stop = [this] { return stop_.load(); };
  copiers_[index] = std::make_unique<TableCopier>(*plans_[index], applier_.get(), pool_.get(),
                                                  options, copy_states_[index]);
  Status result;
  std::atomic<bool> finished{false};
  std::thread worker([&] {
    result = copiers_[index]->Run();
    finished = true;
  });
  Status s;
  while (!finished) {
    std::this_thread::sleep_for(kTick);
    if (s.ok()) s = loop_->error();
    if (s.ok()) s = Tick(false);
    if (s.ok() && StopRequested()) stop_ = true;
    if (!s.ok()) stop_ = true;
  }
  worker.join();
  copy_states_[index] = copiers_[index]->state();
  if (!s.ok()) return s;
  return result;
}

Status MysqlEngine::CatchUp() {
  // Every chunk's fix-ups applied and the shadows caught up with the binlog as of now.
  auto conn = pool_->Acquire();
  if (!conn.ok()) return conn.status();
  ORDO_ASSIGN_OR_RETURN(BinlogPosition now, CurrentBinlogPosition(**conn));
  while (!applier_->ChunksSettled() ||
         ComparePositions(applier_->applied_position(), now) < 0) {
    ORDO_RETURN_IF_ERROR(loop_->error());
    ORDO_RETURN_IF_ERROR(Tick(false));
    if (StopRequested()) return Stopped();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::Ok();
}

Status MysqlEngine::Copy() {
  if (dead_) return FailedPrecondition("the engine stopped after a callback error");
  ORDO_RETURN_IF_ERROR(Preflight());
  if (copied_ && loop_ && loop_->running()) return Status::Ok();
  run_started_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count();
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  BinlogPosition from;
  bool usable = false;
  if (spec_.resume_state && !spec_.resume_state->empty())
    ORDO_RETURN_IF_ERROR(LoadResume(*conn, &from, &usable));
  if (swapped_) {
    phase_ = "done";
    return Status::Ok();
  }
  resumed_ = usable;
  if (!usable) ORDO_RETURN_IF_ERROR(StartFresh(*conn, &from));
  for (const auto& c : copy_states_) rows_copied_at_start_ += c.rows_copied;
  applier_ = std::make_unique<Applier>(plan_ptrs_);
  loop_ = std::make_unique<SyncLoop>(streams_, applier_.get(), pool_.get());
  applier_->Start(from);
  copiers_.clear();
  copiers_.resize(plans_.size());
  phase_ = "copying";
  // Checkpoint before the first chunk: a crash from here on resumes, never restarts.
  ORDO_RETURN_IF_ERROR(Tick(true));
  ORDO_RETURN_IF_ERROR(loop_->Start(from));
  for (size_t i = 0; i < plans_.size(); ++i) {
    Status s = CopyTable(i);
    if (s.code() == StatusCode::kCancelled && !dead_) return Stopped();
    if (!s.ok()) {
      if (!dead_) loop_->Abandon();
      return s;
    }
  }
  ORDO_RETURN_IF_ERROR(CatchUp());
  copied_ = true;
  phase_ = "in_sync";
  return Tick(true);
}

Status MysqlEngine::KeepInSync(const std::function<bool()>& ready) {
  if (!copied_ || !loop_) return FailedPrecondition("KeepInSync before Copy finished");
  while (!ready()) {
    ORDO_RETURN_IF_ERROR(loop_->error());
    ORDO_RETURN_IF_ERROR(Tick(false));
    if (StopRequested()) return Stopped();
    std::this_thread::sleep_for(kTick);
  }
  return Tick(true);
}

}  // namespace ordo

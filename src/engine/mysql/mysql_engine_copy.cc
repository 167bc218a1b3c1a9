// MysqlEngine: creating the shadows, the copy (throttled), resuming, staying in sync.
#include <chrono>
#include <thread>

#include "binlog/preflight.h"
#include "engine/mysql/deferred_indexes.h"
#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/position.h"
#include "engine/mysql/steady_ms.h"

namespace ordo::engine {
namespace {

constexpr std::chrono::milliseconds kTick(50);

}  // namespace

Status MysqlEngine::CreateNewTables(db::MysqlConnection& conn) {
  // Created tables wait under their shadow name until the cutover renames them.
  for (const Change& c : changes_) {
    if (c.kind != ChangeKind::kCreate) continue;
    ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, c.schema, c.shadow_name));
    if (!exists)
      ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + db::QuoteTable(c.schema, c.shadow_name) +
                                        " " + c.create_body));
  }
  return Status::Ok();
}

Status MysqlEngine::StartFresh(db::MysqlConnection& conn, BinlogPosition* from) {
  // The stream starts before the shadow exists and before any chunk is read, so no
  // change made during the copy can be missed.
  ORDO_ASSIGN_OR_RETURN(*from, ReadServerBinlogPosition(conn));
  copy_states_.assign(plans_.size(), TableCopyState{});
  indexes_.SetMissing(std::vector<std::vector<std::string>>(plans_.size()));
  for (const Change& c : changes_) {
    if (c.kind == ChangeKind::kDrop) continue;
    std::string shadow = db::QuoteTable(c.schema, c.shadow_name);
    ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + shadow));
    if (c.kind == ChangeKind::kAlter) {
      ORDO_RETURN_IF_ERROR(
          conn.Execute("CREATE TABLE " + shadow + " LIKE " + db::QuoteTable(c.schema, c.table)));
      ORDO_RETURN_IF_ERROR(conn.Execute("ALTER TABLE " + shadow + " " + c.alter.spec));
      if (spec_.defer_secondary_indexes) {
        ORDO_ASSIGN_OR_RETURN(std::vector<std::string> deferred,
                              DeferIndexes(conn, c.schema, c.shadow_name));
        indexes_.SetMissing(c.plan, std::move(deferred));
      }
    }
  }
  return Status::Ok();
}

Status MysqlEngine::LoadResume(db::MysqlConnection& conn, BinlogPosition* from, bool* usable) {
  *usable = false;
  const ResumeState& state = *saved_;
  if (state.tables.size() != plans_.size())
    return state.tables.empty() ? Status::Ok()
                                : InvalidArgument("the resume state is for other tables");
  for (size_t i = 0; i < plans_.size(); ++i) {
    if (state.tables[i].schema_name != plans_[i]->schema() ||
        state.tables[i].table_name != plans_[i]->table())
      return InvalidArgument("the resume state is for other tables");
    ORDO_ASSIGN_OR_RETURN(bool exists,
                          TableExists(conn, plans_[i]->schema(), plans_[i]->shadow_name));
    if (!exists) return Status::Ok();  // nothing to resume: start over
  }
  if (state.position.empty()) return Status::Ok();
  *from = state.position;
  copy_states_.clear();
  std::vector<std::vector<std::string>> missing;
  for (const auto& t : state.tables) {
    copy_states_.push_back(t.copy);
    missing.push_back(t.deferred_indexes);
  }
  indexes_.SetMissing(std::move(missing));
  *usable = true;
  return Status::Ok();
}

Status MysqlEngine::CopyTable(size_t index) {
  CopyOptions options;
  const EngineVolume volume = pacing_.volume();
  options.threads = volume.copy_threads;
  options.chunk_target_ms = volume.chunk_target_ms;
  options.should_stop = [this] { return stop_.load(); };
  options.paused = [this, index] {
    return pacing_.Paused(
        [this, index] {
          CopyPacing::Chunks chunks;
          MutexLock lock(&copiers_mu_);
          if (index < copiers_.size() && copiers_[index]) {
            chunks.in_flight_rows = copiers_[index]->in_flight_rows();
            chunks.next_rows = copiers_[index]->chunk_rows();
          }
          return chunks;
        },
        plans_[index]->source.avg_row_bytes);
  };
  // Ahead of a deferred index build (which runs at full speed, it cannot rest) the
  // copy rests longer, by the build's estimated share of the copy's writes.
  double share = 0;
  if (index < plans_.size())
    share = DeferredBuildShare(plans_[index]->shadow, indexes_.Missing(index));
  pacing_.BeginTable(share);
  options.rest_ms = [this](int64_t chunk_ms) {
    return pacing_.RestUnderWrites(chunk_ms, pacing_.copy_rest());
  };
  options.fence = [this](db::MysqlConnection& conn) { return fence_->Check(conn); };
  TableCopier* copier =
      nullptr;  // lives until the next copy (copiers_ is only reset between copies)
  {
    MutexLock lock(&copiers_mu_);
    copiers_[index] = std::make_unique<TableCopier>(*plans_[index], applier_.get(), pool_.get(),
                                                    options, copy_states_[index]);
    copier = copiers_[index].get();
  }
  Status result;
  std::atomic<bool> finished{false};
  std::thread worker([&] {
    result = copier->Run();
    finished = true;
  });
  // The rounds end for good at a stop, and when the throttle pauses the copy (the
  // server is busy: the verification before the cutover does the rest); they wait
  // while the application writes the tables (the duty cycle's signal).
  std::optional<TrailingVerifier> verifier;
  if (spec_.verify_during_copy) {
    verifier.emplace(
        *plans_[index], *copier, pool_.get(), loop_.get(), *applier_,
        [this] { return stop_.load() || pacing_.throttled(); },
        [this] { return pacing_.writes_seen(); });
    verifier->Start();
  }
  Status s;
  while (!finished) {
    std::this_thread::sleep_for(kTick);
    pacing_.SampleWrites(*applier_);
    if (s.ok()) s = loop_->error();
    if (s.ok()) s = Tick(false);
    if (s.ok() && StopRequested()) stop_ = true;
    if (!s.ok()) stop_ = true;
  }
  worker.join();
  std::optional<VerifiedPrefix> verified;
  if (verifier) verified = verifier->Finish();
  copy_states_[index] = copier->state();
  evidence_.RecordCopy(
      index, std::move(verified),
      s.ok() && result.ok() ? std::optional<ChunkBounds>(copier->bounds()) : std::nullopt);
  if (!s.ok()) return s;
  return result;
}

Status MysqlEngine::CatchUp() {
  // Every chunk's fix-ups applied and the shadows caught up with the binlog as of now.
  auto conn = pool_->Acquire();
  if (!conn.ok()) return conn.status();
  ORDO_ASSIGN_OR_RETURN(BinlogPosition now, ReadServerBinlogPosition(**conn));
  while (!applier_->ChunksSettled() || ComparePositions(applier_->applied_position(), now) < 0) {
    ORDO_RETURN_IF_ERROR(loop_->error());
    ORDO_RETURN_IF_ERROR(Tick(false));
    if (StopRequested()) return Stopped();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::Ok();
}

Status MysqlEngine::Copy() {
  if (dead_) return Dead();
  ORDO_RETURN_IF_ERROR(Preflight());
  if (stage_ != EngineStage::kCopy) {
    // Swapped (or further) already: nothing to copy; the cutover and the window know.
    phase_ = stage_ == EngineStage::kSwapped && spec_.revert_window ? "revert_window" : "done";
    copied_ = true;
    return Status::Ok();
  }
  if (copied_ && (!HasAlters() || (loop_ && loop_->running()))) return Status::Ok();
  run_started_ms_ = SteadyNowMs();
  ORDO_RETURN_IF_ERROR(TakeFence());
  if (instant_ || !HasAlters()) {
    // Nothing to copy or capture: the instant ALTER, or the creates and drops, happen
    // at cutover.
    ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
    ORDO_RETURN_IF_ERROR(CreateNewTables(*conn));
    copied_ = true;
    phase_ = "in_sync";
    return Tick(true);
  }
  ORDO_ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  BinlogPosition from;
  bool usable = false;
  if (saved_) ORDO_RETURN_IF_ERROR(LoadResume(*conn, &from, &usable));
  resumed_ = usable;
  // Ready before the stop or crash: the stream, replayed from the checkpoint, keeps
  // the verified shadows equal (MakeReady).
  ready_ = usable && saved_->ready && indexes_.NothingMissing();
  if (!usable) ORDO_RETURN_IF_ERROR(StartFresh(*conn, &from));
  ORDO_RETURN_IF_ERROR(CreateNewTables(*conn));
  for (const auto& c : copy_states_) rows_copied_at_start_ += c.rows_copied;
  applier_ = std::make_unique<Applier>(plan_ptrs_);
  applier_->SetFence([this](db::MysqlConnection& c) { return fence_->Check(c); });
  loop_ = std::make_unique<SyncLoop>(streams_, applier_.get(), pool_.get(), spec_.apply_sessions);
  applier_->Start(from);
  {
    MutexLock lock(&copiers_mu_);
    copiers_.clear();
    copiers_.resize(plans_.size());
  }
  evidence_.Reset(plans_.size());
  phase_ = "copying";
  // Checkpoint before the first chunk: a crash from here on resumes, never restarts.
  ORDO_RETURN_IF_ERROR(Tick(true));
  ORDO_RETURN_IF_ERROR(loop_->Start(from));
  pacing_.Start(pool_.get(), applier_.get());
  for (size_t i = 0; i < plans_.size(); ++i) {
    Status s = CopyTable(i);
    if (s.code() == StatusCode::kCancelled && !dead_) {
      pacing_.Stop();
      return Stopped();
    }
    if (!s.ok()) {
      pacing_.Stop();
      if (!dead_) loop_->Abandon();
      return s;
    }
  }
  pacing_.Stop();
  // Joined by MakeReady(). Under application writes with the duty cycle on, MakeReady()
  // starts it after the verification instead (VerifyBesideIndexBuild).
  if (!BuildAfterVerification()) StartIndexBuild();
  ORDO_RETURN_IF_ERROR(CatchUp());
  copied_ = true;
  phase_ = "in_sync";
  return Tick(true);
}

Status MysqlEngine::KeepInSync(const std::function<bool()>& ready) {
  if (!copied_) return FailedPrecondition("KeepInSync before Copy finished");
  while (!ready()) {
    if (loop_) ORDO_RETURN_IF_ERROR(loop_->error());
    ORDO_RETURN_IF_ERROR(FinishIndexBuild(false));  // its error, once it finished
    ORDO_RETURN_IF_ERROR(Tick(false));
    if (StopRequested()) return Stopped();
    std::this_thread::sleep_for(kTick);
  }
  return Tick(true);
}

}  // namespace ordo::engine

// MysqlEngine: creating the shadows, the copy (throttled), resuming, staying in sync.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "binlog/preflight.h"
#include "engine/mysql/deferred_indexes.h"
#include "engine/mysql/mysql_engine.h"
#include "engine/mysql/position.h"
#include "engine/mysql/steady_ms.h"
#include "engine/mysql/throttle.h"

namespace ordo {
namespace {

constexpr std::chrono::milliseconds kTick(50);
// The application counts as writing a copied table (and the copy rests between its
// chunks, EngineSpec::rest_under_writes) from this many changed rows a second.
constexpr int64_t kWritingRowsPerSecond = 100;

}  // namespace

Status MysqlEngine::CreateNewTables(MysqlConnection& conn) {
  // Created tables wait under their shadow name until the cutover renames them.
  for (const Change& c : changes_) {
    if (c.kind != ChangeKind::kCreate) continue;
    ORDO_ASSIGN_OR_RETURN(bool exists, TableExists(conn, c.schema, c.shadow_name));
    if (!exists)
      ORDO_RETURN_IF_ERROR(conn.Execute("CREATE TABLE " + QuoteTable(c.schema, c.shadow_name) +
                                        " " + c.create_body));
  }
  return Status::Ok();
}

Status MysqlEngine::StartFresh(MysqlConnection& conn, BinlogPosition* from) {
  // The stream starts before the shadow exists and before any chunk is read, so no
  // change made during the copy can be missed.
  ORDO_ASSIGN_OR_RETURN(*from, ReadServerBinlogPosition(conn));
  copy_states_.assign(plans_.size(), TableCopyState{});
  deferred_indexes_.assign(plans_.size(), {});
  for (const Change& c : changes_) {
    if (c.kind == ChangeKind::kDrop) continue;
    std::string shadow = QuoteTable(c.schema, c.shadow_name);
    ORDO_RETURN_IF_ERROR(conn.Execute("DROP TABLE IF EXISTS " + shadow));
    if (c.kind == ChangeKind::kAlter) {
      ORDO_RETURN_IF_ERROR(
          conn.Execute("CREATE TABLE " + shadow + " LIKE " + QuoteTable(c.schema, c.table)));
      ORDO_RETURN_IF_ERROR(conn.Execute("ALTER TABLE " + shadow + " " + c.alter.spec));
      if (spec_.defer_secondary_indexes) {
        ORDO_ASSIGN_OR_RETURN(deferred_indexes_[c.plan],
                              DeferIndexes(conn, c.schema, c.shadow_name));
      }
    }
  }
  return Status::Ok();
}

Status MysqlEngine::LoadResume(MysqlConnection& conn, BinlogPosition* from, bool* usable) {
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
  deferred_indexes_.clear();
  for (const auto& t : state.tables) {
    copy_states_.push_back(t.copy);
    deferred_indexes_.push_back(t.deferred_indexes);
  }
  *usable = true;
  return Status::Ok();
}

void MysqlEngine::StartThrottle() {
  if (throttle_thread_.joinable()) return;
  ThrottleOptions options;
  options.max_backlog_bytes = spec_.max_backlog_bytes;
  Applier* applier = applier_.get();
  options.applied = [applier] { return applier->applied_position(); };
  options.max_threads_running = spec_.max_threads_running;
  options.replica_dsns = spec_.replica_dsns;
  options.max_replica_lag_ms = spec_.max_replica_lag_ms;
  if (options.max_backlog_bytes <= 0 && options.max_threads_running <= 0 &&
      options.replica_dsns.empty())
    return;
  {
    MutexLock lock(&throttle_mu_);
    throttle_stop_ = false;
  }
  auto throttle = std::make_shared<Throttle>(options, pool_.get());
  throttle_ = throttle;
  auto evaluate = [this, throttle] {
    // An error asking the primary pauses nothing: the copy would meet it too. The
    // backlog is not the monitor's: each copy worker asks for it before every chunk
    // (CopyPaused), so a pause for the backlog ends as soon as the reader catches up
    // rather than at the monitor's next look.
    auto reason = throttle->CheckLoad();
    std::string why = reason.ok() ? *reason : "";
    // A reported reason always means the pause is in force: set before it is shown,
    // lifted after it is cleared.
    if (!why.empty()) throttled_ = true;
    {
      MutexLock v(&volume_mu_);
      throttle_reason_ = why;
    }
    if (why.empty()) throttled_ = false;
  };
  evaluate();  // before the first chunk
  throttle_thread_ = std::thread([this, evaluate] {
    MutexLock lock(&throttle_mu_);
    while (!throttle_stop_) {
      // A wake-up before the interval (spurious, or the stop) only looks again sooner.
      throttle_cv_.wait_for(
          lock, std::chrono::milliseconds(std::max<int64_t>(10, spec_.throttle_interval_ms)));
      if (throttle_stop_) break;
      lock.unlock();
      evaluate();
      lock.lock();
    }
  });
}

void MysqlEngine::StopThrottle() {
  {
    MutexLock lock(&throttle_mu_);
    throttle_stop_ = true;
  }
  throttle_cv_.notify_all();
  if (throttle_thread_.joinable()) throttle_thread_.join();
  throttle_.reset();
  throttled_ = false;
  MutexLock lock(&volume_mu_);
  throttle_reason_.clear();
  backlog_reason_.clear();
}

bool MysqlEngine::CopyPaused(size_t index) {
  if (throttled_) return true;
  if (!throttle_ || throttle_->max_backlog_bytes() <= 0) return false;
  // Asked afresh at every poll of a waiting worker (50 ms): the pause lasts exactly
  // while the backlog is over the limit. Most of a copy's backlog is its own chunks'
  // binlog, which the reader streams back and skips within milliseconds; waiting for
  // the monitor's next look (500 ms) after every chunk halved the copy's speed.
  auto backlog = throttle_->Backlog();
  if (!backlog.ok()) return false;  // the chunk would meet the same error
  const int64_t limit = throttle_->max_backlog_bytes();
  {
    MutexLock lock(&volume_mu_);
    backlog_reason_ = throttle_->BacklogReason(*backlog);
  }
  if (*backlog > limit) return true;
  // A chunk's rows reach the binlog all at once when it commits. While other chunks
  // are in flight, wait (briefly, without a reported reason) if their rows and this
  // one's, at the table's average row size, would carry the backlog over the limit.
  // With nothing in flight a chunk may always start: the copy cannot starve on a
  // limit smaller than one chunk.
  int64_t in_flight = 0, next = 0;
  {
    MutexLock lock(&copiers_mu_);
    if (index < copiers_.size() && copiers_[index]) {
      in_flight = copiers_[index]->in_flight_rows();
      next = copiers_[index]->chunk_rows();
    }
  }
  const int64_t row_bytes = plans_[index]->source.avg_row_bytes;
  return in_flight > 0 && row_bytes > 0 && *backlog + (in_flight + next) * row_bytes > limit;
}

void MysqlEngine::SampleWrites() {
  const int64_t now = SteadyNowMs();
  const int64_t rows = applier_->rows_applied();
  if (writes_sample_ms_ == 0) {
    writes_sample_ms_ = now;
    writes_sample_rows_ = rows;
    return;
  }
  if (now - writes_sample_ms_ < 1000) return;
  writes_rate_ = (rows - writes_sample_rows_) * 1000 / (now - writes_sample_ms_);
  writes_seen_ = writes_rate_ >= kWritingRowsPerSecond;
  writes_sample_ms_ = now;
  writes_sample_rows_ = rows;
}

int64_t MysqlEngine::RestUnderWrites(int64_t chunk_ms, double ratio) const {
  if (!writes_seen_ || ratio <= 0) return 0;
  return static_cast<int64_t>(ratio * static_cast<double>(chunk_ms));
}

double MysqlEngine::CopyRest(size_t index) const {
  double base = spec_.rest_under_writes;
  if (index >= deferred_indexes_.size() || index >= plans_.size()) return base;
  double share = DeferredBuildShare(plans_[index]->shadow, deferred_indexes_[index]);
  return base * (1 + std::min(1.0, share));
}

std::string MysqlEngine::RestReason() const {
  if (!writes_seen_) return "";
  double r = phase_ == "copying"     ? copy_rest_.load()
             : phase_ == "verifying" ? spec_.verify_rest_under_writes
                                     : 0;
  if (r <= 0) return "";
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%.3g", r);
  return "application writes " + std::to_string(writes_rate_.load()) + " rows/s: resting " + ratio +
         "x each chunk's time";
}

Status MysqlEngine::CopyTable(size_t index) {
  CopyOptions options;
  {
    MutexLock lock(&volume_mu_);
    options.threads = volume_.copy_threads;
    options.chunk_target_ms = volume_.chunk_target_ms;
  }
  options.should_stop = [this] { return stop_.load(); };
  options.paused = [this, index] { return CopyPaused(index); };
  copy_rest_ = CopyRest(index);
  options.rest_ms = [this](int64_t chunk_ms) {
    return RestUnderWrites(chunk_ms, copy_rest_.load());
  };
  options.fence = [this](MysqlConnection& conn) { return fence_->Check(conn); };
  TableCopier* copier =
      nullptr;  // lives until the next copy (copiers_ is only reset between copies)
  {
    MutexLock lock(&copiers_mu_);
    copiers_[index] = std::make_unique<TableCopier>(*plans_[index], applier_.get(), pool_.get(),
                                                    options, copy_states_[index]);
    copier = copiers_[index].get();
  }
  writes_sample_ms_ = 0;  // the first sample of this table's copy starts the window
  Status result;
  std::atomic<bool> finished{false};
  std::thread worker([&] {
    result = copier->Run();
    finished = true;
  });
  // The rounds end for good at a stop, and when the throttle pauses the copy (the
  // server is busy: the verification before the cutover does the rest). Under writes
  // they rest like the verification before the cutover.
  std::optional<TrailingVerifier> verifier;
  if (spec_.verify_during_copy) {
    verifier.emplace(
        *plans_[index], *copier, pool_.get(), loop_.get(), *applier_,
        [this] { return stop_.load() || throttled_.load(); },
        [this](int64_t chunk_ms) {
          return RestUnderWrites(chunk_ms, spec_.verify_rest_under_writes);
        });
    verifier->Start();
  }
  Status s;
  while (!finished) {
    std::this_thread::sleep_for(kTick);
    SampleWrites();
    if (s.ok()) s = loop_->error();
    if (s.ok()) s = Tick(false);
    if (s.ok() && StopRequested()) stop_ = true;
    if (!s.ok()) stop_ = true;
  }
  worker.join();
  if (verifier) verified_during_copy_[index] = verifier->Finish();
  copy_states_[index] = copier->state();
  if (!s.ok()) return s;
  if (result.ok()) copy_bounds_[index] = copier->bounds();
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
  ready_ = usable && saved_->ready &&
           std::all_of(deferred_indexes_.begin(), deferred_indexes_.end(),
                       [](const auto& l) { return l.empty(); });
  if (!usable) ORDO_RETURN_IF_ERROR(StartFresh(*conn, &from));
  ORDO_RETURN_IF_ERROR(CreateNewTables(*conn));
  for (const auto& c : copy_states_) rows_copied_at_start_ += c.rows_copied;
  applier_ = std::make_unique<Applier>(plan_ptrs_);
  applier_->SetFence([this](MysqlConnection& c) { return fence_->Check(c); });
  loop_ = std::make_unique<SyncLoop>(streams_, applier_.get(), pool_.get(), spec_.apply_sessions);
  applier_->Start(from);
  {
    MutexLock lock(&copiers_mu_);
    copiers_.clear();
    copiers_.resize(plans_.size());
  }
  copy_bounds_.assign(plans_.size(), std::nullopt);
  verified_during_copy_.assign(plans_.size(), std::nullopt);
  phase_ = "copying";
  // Checkpoint before the first chunk: a crash from here on resumes, never restarts.
  ORDO_RETURN_IF_ERROR(Tick(true));
  ORDO_RETURN_IF_ERROR(loop_->Start(from));
  StartThrottle();
  for (size_t i = 0; i < plans_.size(); ++i) {
    Status s = CopyTable(i);
    if (s.code() == StatusCode::kCancelled && !dead_) {
      StopThrottle();
      return Stopped();
    }
    if (!s.ok()) {
      StopThrottle();
      if (!dead_) loop_->Abandon();
      return s;
    }
  }
  StopThrottle();
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

}  // namespace ordo

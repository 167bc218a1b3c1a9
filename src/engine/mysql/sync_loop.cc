#include "engine/mysql/sync_loop.h"

#include <algorithm>

#include "engine/mysql/position.h"

namespace ordo::engine {
namespace {

constexpr size_t kBatchRows = 4000;
// A batch gets one more session per this many rows, up to apply_sessions: small
// batches stay on one session (one commit), a backlog spreads.
constexpr size_t kRowsPerSession = 1000;
constexpr std::chrono::milliseconds kBatchTime(50);
constexpr std::chrono::milliseconds kPoll(20);
constexpr int kReopenAttempts = 5;

bool Broken(db::MysqlPool::Handle& h) { return h->broken(); }

}  // namespace

SyncLoop::SyncLoop(ChangeStreamFactory factory, Applier* applier, db::MysqlPool* pool,
                   int apply_sessions)
    : factory_(std::move(factory)),
      applier_(applier),
      pool_(pool),
      apply_sessions_(static_cast<size_t>(std::max(1, apply_sessions))) {}

SyncLoop::~SyncLoop() { (void)Stop(); }

Status SyncLoop::error() const {
  MutexLock lock(&mu_);
  return error_;
}

Status SyncLoop::Start(const BinlogPosition& from) {
  if (thread_.joinable()) return Status::Ok();
  if (!stream_) {
    applier_->Start(from);
    ORDO_ASSIGN_OR_RETURN(stream_, factory_(from));
  }
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

Status SyncLoop::Stop() {
  stop_ = true;
  {
    MutexLock lock(&mu_);
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  return error();
}

void SyncLoop::Abandon() {
  abandon_ = true;
  (void)Stop();
}

Status SyncLoop::Reopen() {
  applier_->DiscardOpenTransaction();
  stashed_.reset();
  stream_.reset();
  Status last;
  for (int i = 0; i < kReopenAttempts && !stop_; ++i) {
    auto s = factory_(applier_->applied_position());
    if (s.ok()) {
      stream_ = std::move(*s);
      return Status::Ok();
    }
    last = s.status();
    if (!last.retryable()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << i));
  }
  return last.ok() ? Cancelled("stopped while reopening the binlog stream") : last;
}

Result<bool> SyncLoop::Fill(std::chrono::milliseconds budget,
                            const std::optional<BinlogPosition>& limit) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (!stop_) {
    if (stashed_) {
      if (limit && ComparePositions(stashed_->position, *limit) > 0) return true;
      applier_->Consume(*stashed_);
      stashed_.reset();
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    ORDO_ASSIGN_OR_RETURN(std::optional<BinlogEvent> event, stream_->Next(std::min(left, kPoll)));
    if (!event) return true;  // idle: apply what we have
    if (limit && event->kind == BinlogEvent::Kind::kCommit &&
        ComparePositions(event->position, *limit) > 0) {
      stashed_ = std::move(*event);
      return true;
    }
    applier_->Consume(*event);
    if (applier_->pending_rows() >= kBatchRows) return true;
  }
  return true;
}

Status SyncLoop::FlushBatch(db::MysqlConnection& main, std::vector<db::MysqlPool::Handle>* extra) {
  size_t want =
      std::min(apply_sessions_, std::max<size_t>(1, applier_->pending_rows() / kRowsPerSession));
  if (want <= 1) return applier_->Flush(main);
  // A session that broke in an earlier flush is dropped; new ones come from the pool.
  extra->erase(std::remove_if(extra->begin(), extra->end(), Broken), extra->end());
  while (extra->size() + 1 < want) {
    auto h = pool_->Acquire();
    if (!h.ok()) break;  // fewer sessions, not a failure
    extra->push_back(std::move(*h));
  }
  std::vector<db::MysqlConnection*> sessions = {&main};
  for (size_t i = 0; i + 1 < want && i < extra->size(); ++i) sessions.push_back((*extra)[i].get());
  return applier_->FlushParallel(sessions);
}

void SyncLoop::Run() {
  auto fail = [this](Status s) {
    MutexLock lock(&mu_);
    if (error_.ok()) error_ = std::move(s);
    cv_.notify_all();
  };
  auto conn = pool_->Acquire();
  if (!conn.ok()) return fail(conn.status());
  std::vector<db::MysqlPool::Handle> extra;
  while (!stop_) {
    std::optional<BinlogPosition> limit;
    {
      MutexLock lock(&mu_);
      if (pause_) {
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&]() ORDO_REQUIRES(mu_) { return stop_ || !pause_; });
        held_ = false;
      }
      limit = hold_;
    }
    auto filled = Fill(kBatchTime, limit);
    if (!filled.ok()) {
      if (!filled.status().retryable()) return fail(filled.status());
      if (applier_->HasWork()) {
        Status f = applier_->Flush(**conn);
        if (!f.ok()) return fail(f);
      }
      Status r = Reopen();
      if (!r.ok()) return fail(r);
      continue;
    }
    if (abandon_) break;
    if (applier_->HasWork()) {
      Status s = FlushBatch(**conn, &extra);
      if (!s.ok()) {
        if (!(*conn)->broken() && std::none_of(extra.begin(), extra.end(), Broken)) return fail(s);
        // A broken session: replace it and retry.
        if ((*conn)->broken()) conn = pool_->Acquire();
        if (!conn.ok()) return fail(conn.status());
        continue;
      }
    }
    if (limit) {
      BinlogPosition applied = applier_->applied_position();
      bool reached =
          ComparePositions(applied, *limit) >= 0 || (stashed_ && applier_->pending_rows() == 0);
      if (reached) {
        MutexLock lock(&mu_);
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&]() ORDO_REQUIRES(mu_) { return stop_ || !hold_ || *hold_ != *limit; });
        held_ = false;
      }
    }
  }
  if (!abandon_ && applier_->HasWork()) {
    Status s = applier_->Flush(**conn);
    if (!s.ok()) fail(s);
  }
}

Status SyncLoop::Pause(std::chrono::milliseconds timeout) {
  MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  pause_ = true;
  held_ = false;
  cv_.notify_all();
  if (!cv_.wait_for(lock, timeout, [&]() ORDO_REQUIRES(mu_) { return held_ || !error_.ok(); })) {
    pause_ = false;
    cv_.notify_all();
    return Timeout("the sync loop did not pause in time");
  }
  return error_;
}

Status SyncLoop::HoldAt(const BinlogPosition& position, std::chrono::milliseconds timeout) {
  MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  if (ComparePositions(applier_->applied_position(), position) > 0)
    return FailedPrecondition("already applied past " + PositionString(position));
  hold_ = position;
  pause_ = false;
  held_ = false;
  cv_.notify_all();
  bool ok = cv_.wait_for(lock, timeout, [&]() ORDO_REQUIRES(mu_) { return held_ || !error_.ok(); });
  if (!error_.ok()) return error_;
  if (!ok) {
    hold_.reset();
    cv_.notify_all();
    return Timeout("the binlog stream did not reach " + PositionString(position) + " in time");
  }
  return Status::Ok();
}

void SyncLoop::Release() {
  MutexLock lock(&mu_);
  hold_.reset();
  pause_ = false;
  cv_.notify_all();
}

Status SyncLoop::DrainTo(const std::vector<db::MysqlConnection*>& conns,
                         const BinlogPosition& position,
                         std::chrono::steady_clock::time_point deadline) {
  while (true) {
    if (ComparePositions(applier_->read_position(), position) >= 0) {
      if (applier_->HasWork()) ORDO_RETURN_IF_ERROR(applier_->Flush(conns, /*check_fence=*/false));
      if (ComparePositions(applier_->applied_position(), position) >= 0) return Status::Ok();
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Timeout("draining the binlog to " + PositionString(position) + " took too long");
    if (stashed_) {
      applier_->Consume(*stashed_);
      stashed_.reset();
      continue;
    }
    ORDO_ASSIGN_OR_RETURN(std::optional<BinlogEvent> event, stream_->Next(std::min(left, kPoll)));
    if (event) applier_->Consume(*event);
  }
}

Status SyncLoop::WaitApplied(const BinlogPosition& position, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ComparePositions(applier_->applied_position(), position) < 0) {
    ORDO_RETURN_IF_ERROR(error());
    if (std::chrono::steady_clock::now() >= deadline)
      return Timeout("the shadow tables did not catch up to " + PositionString(position));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Status::Ok();
}

}  // namespace ordo::engine

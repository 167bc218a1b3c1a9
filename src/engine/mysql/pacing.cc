// CopyPacing: the copy's volume, the throttle monitor, the backlog check before each
// chunk, and the duty cycle under application writes.
#include "engine/mysql/pacing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engine/mysql/steady_ms.h"

namespace ordo::engine {
namespace {

// The application counts as writing a copied table (and the copy rests between its
// chunks, EngineSpec::rest_under_writes) from this many changed rows a second.
constexpr int64_t kWritingRowsPerSecond = 100;

}  // namespace

CopyPacing::CopyPacing(const EngineSpec& spec)
    : max_backlog_bytes_(spec.max_backlog_bytes),
      max_threads_running_(spec.max_threads_running),
      replica_dsns_(spec.replica_dsns),
      max_replica_lag_ms_(spec.max_replica_lag_ms),
      throttle_interval_ms_(spec.throttle_interval_ms),
      rest_under_writes_(spec.rest_under_writes),
      verify_rest_under_writes_(spec.verify_rest_under_writes) {
  MutexLock lock(&volume_mu_);
  volume_.copy_threads = spec.copy_threads;
  volume_.chunk_target_ms = spec.chunk_target_ms;
}

CopyPacing::~CopyPacing() { Stop(); }

EngineVolume CopyPacing::volume() const {
  MutexLock lock(&volume_mu_);
  return volume_;
}

void CopyPacing::SetVolume(const EngineVolume& volume) {
  MutexLock lock(&volume_mu_);
  volume_ = volume;
}

void CopyPacing::Start(db::MysqlPool* pool, Applier* applier) {
  if (throttle_thread_.joinable()) return;
  ThrottleOptions options;
  options.max_backlog_bytes = max_backlog_bytes_;
  options.applied = [applier] { return applier->applied_position(); };
  options.max_threads_running = max_threads_running_;
  options.replica_dsns = replica_dsns_;
  options.max_replica_lag_ms = max_replica_lag_ms_;
  if (options.max_backlog_bytes <= 0 && options.max_threads_running <= 0 &&
      options.replica_dsns.empty())
    return;
  {
    MutexLock lock(&throttle_mu_);
    throttle_stop_ = false;
  }
  auto throttle = std::make_shared<Throttle>(options, pool);
  throttle_ = throttle;
  auto evaluate = [this, throttle] {
    // An error asking the primary pauses nothing: the copy would meet it too. The
    // backlog is not the monitor's: each copy worker asks for it before every chunk
    // (Paused), so a pause for the backlog ends as soon as the reader catches up
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
          lock, std::chrono::milliseconds(std::max<int64_t>(10, throttle_interval_ms_)));
      if (throttle_stop_) break;
      lock.unlock();
      evaluate();
      lock.lock();
    }
  });
}

void CopyPacing::Stop() {
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

bool CopyPacing::Paused(const std::function<Chunks()>& chunks, int64_t row_bytes) {
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
  const Chunks c = chunks();
  return c.in_flight_rows > 0 && row_bytes > 0 &&
         *backlog + (c.in_flight_rows + c.next_rows) * row_bytes > limit;
}

void CopyPacing::BeginTable(double deferred_share) {
  copy_rest_ = rest_under_writes_ * (1 + std::min(1.0, deferred_share));
  writes_sample_ms_ = 0;  // the first sample of this table's copy starts the window
}

void CopyPacing::SampleWrites(const Applier& applier) {
  const int64_t now = SteadyNowMs();
  const int64_t rows = applier.rows_applied();
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

int64_t CopyPacing::RestUnderWrites(int64_t chunk_ms, double ratio) const {
  if (!writes_seen_ || ratio <= 0) return 0;
  return static_cast<int64_t>(ratio * static_cast<double>(chunk_ms));
}

std::string CopyPacing::ThrottleReason(const std::string& phase) const {
  MutexLock lock(&volume_mu_);
  return !throttle_reason_.empty()  ? throttle_reason_
         : !backlog_reason_.empty() ? backlog_reason_
                                    : RestReason(phase);
}

std::string CopyPacing::RestReason(const std::string& phase) const {
  if (!writes_seen_) return "";
  double r = phase == "copying"     ? copy_rest_.load()
             : phase == "verifying" ? verify_rest_under_writes_
                                    : 0;
  if (r <= 0) return "";
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%.3g", r);
  return "application writes " + std::to_string(writes_rate_.load()) + " rows/s: resting " + ratio +
         "x each chunk's time";
}

}  // namespace ordo::engine

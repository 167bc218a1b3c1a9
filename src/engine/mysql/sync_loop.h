// SyncLoop: the thread that keeps shadow tables in sync: it reads the change stream
// and applies complete transactions through the Applier in batches (a batch closes
// after ~50 ms or a few thousand rows, so the backlog stays bounded however busy the
// copy is). A batch that fills up (the loop is behind) is applied on several sessions
// side by side.
//
// It can hold at a binlog position (verification needs the shadow frozen at the
// source snapshot's position) and be stopped so that the cutover drains the last
// events itself on the session that holds the table locks (DrainTo).
//
// A broken stream is reopened from the applier's last applied commit. The first
// error that cannot be retried (DataLoss, a failed reconnect) stops the loop; error()
// returns it.
//
// Thread-safety: Start/Stop/HoldAt/Release/DrainTo from one controlling thread;
// error() and the Applier's getters from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/mutex.h"
#include "db/mysql/pool.h"
#include "engine/mysql/applier.h"
#include "engine/mysql/change_stream.h"

namespace ordo::engine {

class SyncLoop {
 public:
  // `apply_sessions`: how many sessions a batch may be applied on side by side once it
  // is big enough (the loop is behind; Applier::FlushParallel). 1: always one.
  SyncLoop(ChangeStreamFactory factory, Applier* applier, db::MysqlPool* pool,
           int apply_sessions = 1);
  ~SyncLoop();

  // Opens the stream at `from` and starts the thread.
  Status Start(const BinlogPosition& from);
  // Stops the thread after applying what it has; the stream stays open. Returns the
  // loop's error, if any.
  Status Stop();
  // Stops the thread without applying anything more (a callback failed: the engine
  // must write nothing more).
  void Abandon();
  bool running() const { return thread_.joinable(); }
  Status error() const;

  // Pauses after the batch in progress: nothing more is applied until HoldAt or
  // Release. Timeout when the loop did not pause in time.
  Status Pause(std::chrono::milliseconds timeout);
  // While paused: applies everything up to `position` and nothing after it until
  // Release(). FailedPrecondition when the loop already applied past it (Release, then
  // try a new position); Timeout when it could not get there in time.
  Status HoldAt(const BinlogPosition& position, std::chrono::milliseconds timeout);
  void Release();

  // With the thread stopped: reads and applies (table i on conns[i]) until everything
  // up to `position` is applied. Timeout at `deadline`.
  Status DrainTo(const std::vector<db::MysqlConnection*>& conns, const BinlogPosition& position,
                 std::chrono::steady_clock::time_point deadline);
  // With the thread running: waits until the applier applied up to `position`.
  Status WaitApplied(const BinlogPosition& position, std::chrono::milliseconds timeout);

 private:
  void Run();
  // Reads up to one batch; true when the batch is worth flushing now.
  Result<bool> Fill(std::chrono::milliseconds budget, const std::optional<BinlogPosition>& limit);
  Status Reopen();
  // Applies the batch on `main`, and beside it on sessions from `extra` (taken from the
  // pool when first needed) when the batch is big enough.
  Status FlushBatch(db::MysqlConnection& main, std::vector<db::MysqlPool::Handle>* extra);

  ChangeStreamFactory factory_;
  Applier* applier_;
  db::MysqlPool* pool_;
  size_t apply_sessions_;
  std::unique_ptr<ChangeStream> stream_;
  std::optional<BinlogEvent> stashed_;  // a commit beyond the hold position
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> abandon_{false};

  mutable Mutex mu_;
  std::condition_variable_any cv_;
  Status error_ ORDO_GUARDED_BY(mu_);
  std::optional<BinlogPosition> hold_ ORDO_GUARDED_BY(mu_);
  bool pause_ ORDO_GUARDED_BY(mu_) = false;
  bool held_ ORDO_GUARDED_BY(mu_) = false;  // the loop is waiting at the pause or at hold_
};

}  // namespace ordo::engine
